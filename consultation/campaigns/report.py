"""The campaigns as the summary report tells them: per question, each group's size, how many
added their own text, and its template quoted once, as its author chose to be published."""

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy import text as sql_text

from ..extensions import db
from ..reports import publication
from ..responses.models import PUBLISHABLE_SQL, Answer, Response
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
    questions = {record.id: question for question, record in queries.free_text_scopes(consultation)}
    rows = [
        row
        for row in queries.groups_by_size(
            consultation, scope_condition=scope.conditions(), minimum=threshold
        )
        if row.group.decision != REJECTED
    ]
    lines = []
    for row in rows[:limit]:
        question = questions.get(row.group.question_id)
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
    """The published text (as moderated: "[removed]" where words were) of the template, if
    its author's choice allows it and a moderator approved it; else that of the most similar
    member for whom both hold; else nothing. A group over the whole contribution is not
    quoted: its text joins several answers, each moderated on its own."""
    if group.question_id is None:
        return None, None
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
        .where(CampaignMember.group_id == group.id, scope.conditions(), sql_text(PUBLISHABLE_SQL))
        .order_by(
            or_(table.c.id != group.template_response_id, table.c.id.is_(None)),
            CampaignMember.similarity.desc(),
            table.c.id,
        )
        .limit(QUOTE_CANDIDATES)
    ).all()
    for row in candidates:
        if publication.audience(row.respondent_type, row.publication) in audiences:
            text = _approved_text(row.id, group.question_id)
            if text:
                return text, attribution(row)
    return None, None


def _approved_text(response_id: int, question_id: int) -> str | None:
    """The answer's text as published, if a moderator approved it (``publishing``)."""
    from ..publishing.models import ItemReview

    return db.session.scalar(
        select(ItemReview.public_text)
        .join(Answer, Answer.id == ItemReview.answer_id)
        .where(
            Answer.response_id == response_id,
            Answer.question_id == question_id,
            ItemReview.state == "approved",
            ItemReview.public_text.is_not(None),
        )
        .limit(1)
    )
