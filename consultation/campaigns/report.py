"""The campaigns as the summary report tells them: per question, each group's size, how many
added their own text, and its template quoted once, as its author chose to be published."""

from dataclasses import dataclass

from sqlalchemy import or_, select

from ..extensions import db
from ..reports import publication
from ..responses.models import Response
from . import queries
from .models import REJECTED, CampaignMember


@dataclass
class CampaignLine:
    """One group in the report."""

    number: int
    #: The question's label, or None for the whole contribution.
    question: str | None
    size: int
    added: int
    confirmed: bool
    #: The template, or the most similar member whose author allows it to be quoted.
    quote: str | None
    #: Who wrote the quote, as far as their publication choice allows.
    attribution: str | None


def campaign_lines(scope, consultation, threshold, limit, locale, attribution):
    """(groups of at least ``threshold`` in ``scope``, the ``limit`` largest as lines).

    Groups an analyst rejected are left out. ``attribution(row)`` says who wrote a
    quote from the published columns of their response.
    """
    questionnaire = consultation.questionnaire
    records = {record.id: record for record in queries.free_text_questions(consultation)}
    rows = [
        row
        for row in queries.groups_by_size(
            consultation, scope_condition=scope.conditions(), minimum=threshold
        )
        if row.group.decision != REJECTED
    ]
    lines = []
    for row in rows[:limit]:
        record = records.get(row.group.question_id)
        question = questionnaire.questions[record.key] if record else None
        quote, who = _quote(row.group, question, scope, attribution)
        lines.append(
            CampaignLine(
                number=row.group.number,
                question=question.label(locale) if question else None,
                size=row.size,
                added=row.added,
                confirmed=row.group.decision is not None,
                quote=quote,
                attribution=who,
            )
        )
    return len(rows), lines


#: How many members are looked at for a quote when the template's author allows none.
QUOTE_CANDIDATES = 50


def _quote(group, question, scope, attribution):
    """The template, if its author's publication choice allows it; else the text of the
    most similar member whose choice does (read from the answers); else nothing."""
    audiences = (
        publication.answer_audiences(question)
        if question is not None
        else publication.ANSWER_KINDS["long_text"]
    )
    table = Response.__table__
    published = [table.c[name] for name in publication.sometimes_published()]
    candidates = db.session.execute(
        select(*published)
        .join(CampaignMember, CampaignMember.response_id == table.c.id)
        .where(CampaignMember.group_id == group.id, scope.conditions())
        .order_by(
            or_(table.c.id != group.template_response_id, table.c.id.is_(None)),
            CampaignMember.similarity.desc(),
            table.c.id,
        )
        .limit(QUOTE_CANDIDATES)
    ).all()
    for row in candidates:
        if publication.audience(row.respondent_type, row.publication) in audiences:
            if row.id == group.template_response_id:
                return group.template_text, attribution(row)
            text = queries.response_text(row.id, group.question_id, group.consultation)
            return text, attribution(row)
    return None, None
