"""Published contributions as open-data records, many at a time (the API and its bulk files).

What is public is decided elsewhere and only read here: which rows (``publishing.queries.
published_select``: moderated, not flagged nor erased, a publishing choice, the
consultation's setting), which fields of a row (``reports.publication``'s allow-list,
through ``published_profile``), which answers for the respondent's kind and choice
(``answer_audiences``), and which free texts: only those a moderator approved, as
``ItemReview.public_text`` holds them ("[removed]" in place of redacted words). It is
the same rule as ``publishing.queries.published_view``, applied to a batch of rows with
three queries instead of several per contribution; ``tests/test_api.py`` checks that
both give the same texts for every contribution.
"""

from collections import defaultdict
from types import SimpleNamespace

from sqlalchemy import select, tuple_

from ..campaigns.queries import PublicCampaignIndex
from ..extensions import db
from ..publishing import rules
from ..publishing.models import APPROVED, ItemReview
from ..publishing.queries import NOT_SHOWN_KINDS, REGISTER_KEY, published_select
from ..reports import publication
from ..responses.models import Answer, Response
from ..responses.queries import ANSWER_COLUMNS
from .documents import iso

#: Response columns a record is built from (each one passes the allow-list before it shows).
ROW_COLUMNS = (
    Response.id,
    Response.public_id,
    Response.submitted_at,
    Response.publication,
    Response.language,
    Response.respondent_type,
    Response.country,
    Response.organisation_size,
    Response.organisation_name,
    Response.first_name,
    Response.surname,
    Response.has_public_file,
)
BATCH = 1000
#: Record fields, in the order of the CSV file, as Have Your Say names them.
FIELDS = (
    "id",
    "submittedAt",
    "publication",
    "userType",
    "country",
    "language",
    "companySize",
    "organization",
    "firstName",
    "surname",
    "trNumber",
    "hasAttachment",
)


class Plan:
    """What of a consultation's questionnaire a record may show, worked out once."""

    def __init__(self, consultation):
        questionnaire = consultation.questionnaire
        self.by_id = {}
        self.reviewed = set()
        self.order = []
        for record in consultation.questions:
            question = questionnaire.questions.get(record.key)
            if question is None or question.profile or question.kind in NOT_SHOWN_KINDS:
                continue
            if not publication.answer_audiences(question):
                continue
            self.by_id[record.id] = question
            self.order.append((record.id, question))
            if rules.is_text_reviewed(question):
                self.reviewed.add(record.id)
        self.audiences = {}
        self.position = {record_id: n for n, (record_id, _q) in enumerate(self.order)}

    def allowed(self, question, where) -> bool:
        key = (question.key, where)
        if key not in self.audiences:
            self.audiences[key] = where in publication.answer_audiences(question)
        return self.audiences[key]


def campaign_dict(campaign) -> dict:
    """A public campaign (``campaigns.queries.PublicCampaign``) as the API shows it."""
    return {"number": campaign.number, "size": campaign.size, "question": campaign.question}


def records(plan: Plan, rows, campaigns=None) -> list[dict]:
    """The open-data records of ``rows`` (result rows of ``ROW_COLUMNS``, all publishable);
    with ``campaigns`` (a ``PublicCampaignIndex``), each with the campaigns it is in."""
    if not rows:
        return []
    ids = [row.id for row in rows]
    in_campaigns = campaigns.of(ids) if campaigns is not None else None
    connection = db.session.connection()  # Core rows: a batch holds tens of thousands
    answers = defaultdict(lambda: defaultdict(list))
    for answer in connection.execute(
        select(Answer.id, Answer.response_id, *ANSWER_COLUMNS)
        .where(Answer.response_id.in_(ids), Answer.question_id.in_(list(plan.by_id)))
        .order_by(Answer.response_id, Answer.id)
    ):
        answers[answer.response_id][answer.question_id].append(answer)
    cleared = dict(
        connection.execute(
            select(ItemReview.answer_id, ItemReview.public_text).where(
                ItemReview.response_id.in_(ids),
                ItemReview.answer_id.is_not(None),
                ItemReview.state == APPROVED,
            )
        ).all()
    )
    position = plan.position
    made = []
    for row in rows:
        shown = publication.published_profile(row)
        where = publication.audience(row.respondent_type, row.publication)
        values, register, redacted = {}, None, False
        given = answers.get(row.id, {})
        for question_id in sorted(given, key=position.__getitem__):
            found = given[question_id]
            question = plan.by_id[question_id]
            if not plan.allowed(question, where):
                continue
            if question_id in plan.reviewed:
                found, removed = _cleared(question, found, cleared)
                redacted = redacted or removed
                if not found:
                    continue
            value = question.from_rows(found)
            if value is None or value == [] or value == {}:
                continue
            if question.key == REGISTER_KEY:
                register = value
                continue
            values[question.key] = value
        made.append(
            {
                "id": row.public_id,
                "submittedAt": iso(row.submitted_at),
                "publication": row.publication,
                "userType": shown.get("respondent_type"),
                "country": shown.get("country"),
                "language": shown.get("language"),
                "companySize": shown.get("organisation_size"),
                "organization": shown.get("organisation_name"),
                "firstName": shown.get("first_name"),
                "surname": shown.get("surname"),
                "trNumber": register,
                "hasAttachment": bool(row.has_public_file),
                "redacted": redacted,
                "answers": values,
            }
        )
        if in_campaigns is not None:
            made[-1]["campaigns"] = [campaign_dict(c) for c in in_campaigns.get(row.id, [])]
    return made


def _cleared(question, found, cleared) -> tuple[list, bool]:
    """The rows of a reviewed answer as they may be published, and whether words were removed.

    A text is kept only as a moderator approved it (``public_text``); a free text nobody
    approved goes, and so does the "Other" text of a choice (the choice itself stays).
    """
    kept, removed = [], False
    for answer in found:
        if not answer.text_value:
            kept.append(answer)
            continue
        text = cleared.get(answer.id)
        if text is None and question.kind in rules.FREE_TEXT_KINDS:
            continue
        removed = removed or (text is not None and text != answer.text_value)
        kept.append(SimpleNamespace(**{**answer._asdict(), "text_value": text}))
    return kept, removed


def all_records(consultation, filters=None):
    """Every published record of ``consultation``, oldest first, ``BATCH`` rows per query.

    Keyset pages over the public list's index: memory stays flat however many there are.
    """
    plan = Plan(consultation)
    campaigns = PublicCampaignIndex(consultation)
    base = (
        published_select(consultation, filters)
        .with_only_columns(*ROW_COLUMNS)
        .order_by(Response.submitted_at, Response.id)
        .limit(BATCH)
    )
    after = None
    while True:
        query = base
        if after is not None:
            query = query.where(tuple_(Response.submitted_at, Response.id) > after)
        rows = db.session.connection().execute(query).all()
        if not rows:
            return
        yield from records(plan, rows, campaigns)
        after = (rows[-1].submitted_at, rows[-1].id)
        if len(rows) < BATCH:
            return


def one_record(consultation, response) -> dict:
    """The record of one publishable ``response``."""
    row = db.session.execute(select(*ROW_COLUMNS).where(Response.id == response.id)).one()
    return records(Plan(consultation), [row])[0]
