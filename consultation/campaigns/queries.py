"""Reads of campaign groups: the texts to group, the groups by size, a group's members."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select

from ..consultations.models import QuestionRecord
from ..consultations.queries import asked_questions
from ..extensions import db
from ..responses.models import Answer, Response, ResponseVersion
from .models import REJECTED, CampaignGroup, CampaignMember, CampaignRun

#: Kinds whose answers are grouped: long texts (one-line answers coincide naturally).
KINDS = ("long_text",)
#: Joined into one text when a contribution is grouped as a whole.
PARAGRAPH = "\n\n"


def counted(consultation_id):
    """The condition on responses that are grouped: not flagged, personal data not erased."""
    return and_(
        Response.consultation_id == consultation_id,
        Response.flag.is_(None),
        Response.erased_at.is_(None),
    )


def free_text_scopes(consultation) -> list[tuple]:
    """(question, record) of each question whose answers are grouped: the current
    questionnaire's, in order, then those a later version replaced, whose answers stay
    grouped under their own question (``consultations.queries.asked_questions``)."""
    return [
        (question, record)
        for question, record in asked_questions(consultation)
        if record.kind in KINDS and not question.profile
    ]


def free_text_questions(consultation) -> list[QuestionRecord]:
    """The question rows of ``consultation`` whose answers are grouped, in order."""
    return [record for _question, record in free_text_scopes(consultation)]


def scope_texts(consultation, question_id) -> tuple[list[int], list[str]]:
    """(response ids, texts) to group: the answers to one question, or with ``question_id``
    None each contribution's free texts joined, for those that answered two or more."""
    if question_id is not None:
        rows = db.session.execute(
            select(Answer.response_id, Answer.text_value)
            .join(Response, Response.id == Answer.response_id)
            .where(
                counted(consultation.id),
                Answer.question_id == question_id,
                Answer.text_value.is_not(None),
            )
            .order_by(Answer.response_id)
        )
        ids, texts = [], []
        for response_id, text in rows:
            ids.append(response_id)
            texts.append(text)
        return ids, texts
    question_ids = [record.id for record in free_text_questions(consultation)]
    position = {record.id: record.position for record in free_text_questions(consultation)}
    if len(question_ids) < 2:
        return [], []
    rows = db.session.execute(
        select(Answer.response_id, Answer.question_id, Answer.text_value)
        .join(Response, Response.id == Answer.response_id)
        .where(
            counted(consultation.id),
            Answer.question_id.in_(question_ids),
            Answer.text_value.is_not(None),
        )
        .order_by(Answer.response_id)
    )
    ids, texts, current, parts = [], [], None, []

    def close():
        if current is not None and len(parts) >= 2:
            ids.append(current)
            texts.append(PARAGRAPH.join(text for _, text in sorted(parts)))

    for response_id, question_id, text in rows:
        if response_id != current:
            close()
            current, parts = response_id, []
        parts.append((position[question_id], text))
    close()
    return ids, texts


def response_text(response_id, question_id, consultation) -> str | None:
    """The text of one response in a scope, as ``scope_texts`` makes it."""
    if question_id is not None:
        return db.session.scalar(
            select(Answer.text_value).where(
                Answer.response_id == response_id, Answer.question_id == question_id
            )
        )
    records = free_text_questions(consultation)
    position = {record.id: record.position for record in records}
    rows = db.session.execute(
        select(Answer.question_id, Answer.text_value).where(
            Answer.response_id == response_id,
            Answer.question_id.in_(list(position)),
            Answer.text_value.is_not(None),
        )
    ).all()
    return PARAGRAPH.join(text for _, text in sorted(rows, key=lambda r: position[r[0]])) or None


def change_mark(consultation_id) -> str:
    """A short text that changes whenever what the grouping reads changes: the responses
    counted, the newest response and the newest earlier version (an edit)."""
    count, newest = db.session.execute(
        select(func.count(), func.max(Response.id)).where(counted(consultation_id))
    ).one()
    edited = db.session.scalar(
        select(func.max(ResponseVersion.id))
        .join(Response, Response.id == ResponseVersion.response_id)
        .where(Response.consultation_id == consultation_id)
    )
    return f"{count}:{newest or 0}:{edited or 0}"


def last_run(consultation_id) -> CampaignRun | None:
    return db.session.get(CampaignRun, consultation_id)


@dataclass
class GroupRow:
    """A group as the campaigns page lists it."""

    group: CampaignGroup
    size: int
    added: int
    first_at: datetime | None
    last_at: datetime | None

    @property
    def per_hour(self) -> float | None:
        """Arrivals per hour between the first and the last (None for one instant)."""
        if not self.first_at or self.last_at == self.first_at:
            return None
        return self.size / ((self.last_at - self.first_at) / timedelta(hours=1))


def member_figures():
    return (
        func.count().label("size"),
        func.count(CampaignMember.added_text).label("added"),
        func.min(Response.submitted_at).label("first_at"),
        func.max(Response.submitted_at).label("last_at"),
    )


def groups_by_size(consultation, *, question_id=..., scope_condition=None, minimum=2):
    """The groups of ``consultation`` (of one question when given; ``None``: the whole
    contributions), largest first, with their size, added texts and first and last arrival."""
    query = (
        select(CampaignGroup, *member_figures())
        .join(CampaignMember, CampaignMember.group_id == CampaignGroup.id)
        .join(Response, Response.id == CampaignMember.response_id)
        .where(CampaignGroup.consultation_id == consultation.id)
        .group_by(CampaignGroup.id)
        .having(func.count() >= minimum)
        .order_by(func.count().desc(), CampaignGroup.number)
    )
    if question_id is not ...:
        query = query.where(
            CampaignGroup.question_id.is_(None)
            if question_id is None
            else CampaignGroup.question_id == question_id
        )
    if scope_condition is not None:
        query = query.where(scope_condition)
    return [
        GroupRow(row[0], row.size, row.added, row.first_at, row.last_at)
        for row in db.session.execute(query)
    ]


def group_of(consultation, number) -> CampaignGroup | None:
    return db.session.scalar(
        select(CampaignGroup).where(
            CampaignGroup.consultation_id == consultation.id, CampaignGroup.number == number
        )
    )


def group_figures(group) -> GroupRow:
    row = db.session.execute(
        select(*member_figures())
        .select_from(CampaignMember)
        .join(Response, Response.id == CampaignMember.response_id)
        .where(CampaignMember.group_id == group.id)
    ).one()
    return GroupRow(group, row.size, row.added, row.first_at, row.last_at)


def members(group, *, limit=200, offset=0):
    """Members of ``group``: (response id, reference, arrival, similarity, added text),
    those with an added text first, then the least similar."""
    return db.session.execute(
        select(
            Response.id,
            Response.reference,
            Response.submitted_at,
            CampaignMember.similarity,
            CampaignMember.added_text,
        )
        .join(Response, Response.id == CampaignMember.response_id)
        .where(CampaignMember.group_id == group.id)
        .order_by(
            CampaignMember.added_text.is_(None),
            CampaignMember.similarity,
            Response.id,
        )
        .limit(limit)
        .offset(offset)
    ).all()


def distinct_added_texts(group, limit=100) -> list[tuple[str, int]]:
    """The different texts members added, with how many added each, most frequent first."""
    rows = db.session.execute(
        select(CampaignMember.added_text, func.count())
        .where(CampaignMember.group_id == group.id, CampaignMember.added_text.is_not(None))
        .group_by(CampaignMember.added_text)
        .order_by(func.count().desc(), CampaignMember.added_text)
        .limit(limit)
    ).all()
    return [(text, n) for text, n in rows]


def busiest_minute(group) -> tuple[datetime, int] | None:
    """The minute in which most members arrived, and how many did."""
    times = db.session.scalars(
        select(Response.submitted_at)
        .join(CampaignMember, CampaignMember.response_id == Response.id)
        .where(CampaignMember.group_id == group.id)
    )
    minutes = Counter(moment.replace(second=0, microsecond=0) for moment in times)
    if not minutes:
        return None
    return max(minutes.items(), key=lambda item: (item[1], -item[0].timestamp()))


def grouped_responses(consultation, question_id) -> dict[int, int]:
    """{response id: group id} of the answers to ``question_id`` that are in a group (for
    analyses that count a campaign once, such as themes)."""
    return dict(
        db.session.execute(
            select(CampaignMember.response_id, CampaignMember.group_id)
            .join(CampaignGroup, CampaignGroup.id == CampaignMember.group_id)
            .where(
                CampaignGroup.consultation_id == consultation.id,
                CampaignGroup.question_id == question_id,
            )
        ).all()
    )


def export_rows(consultation, question_id=...):
    """One row per member of each group of two or more, for the CSV: (campaign number,
    reference, question key or None, similarity, added text), by campaign then reference."""
    sizes = (
        select(CampaignMember.group_id, func.count().label("size"))
        .group_by(CampaignMember.group_id)
        .subquery()
    )
    query = (
        select(
            CampaignGroup.number,
            Response.reference,
            QuestionRecord.key,
            CampaignMember.similarity,
            CampaignMember.added_text,
        )
        .join(sizes, sizes.c.group_id == CampaignGroup.id)
        .join(CampaignMember, CampaignMember.group_id == CampaignGroup.id)
        .join(Response, Response.id == CampaignMember.response_id)
        .outerjoin(QuestionRecord, QuestionRecord.id == CampaignGroup.question_id)
        .where(CampaignGroup.consultation_id == consultation.id, sizes.c.size >= 2)
        .order_by(CampaignGroup.number, Response.reference)
    )
    if question_id is not ...:
        query = query.where(
            or_(CampaignGroup.question_id == question_id)
            if question_id is not None
            else CampaignGroup.question_id.is_(None)
        )
    return db.session.execute(query.execution_options(yield_per=5000))


#: The smallest group the public sees (its pages, the API, the summary report): a handful of
#: alike answers is a coincidence as often as a campaign.
PUBLIC_MINIMUM = 10


@dataclass(frozen=True)
class PublicCampaign:
    """A group a published contribution is in, as the public sees it."""

    number: int
    #: Every answer in the group (as the summary report counts it), published or not.
    size: int
    #: The key of the question grouped; ``None`` for the whole contribution's free text.
    question: str | None


def public_campaigns(consultation, response_ids) -> dict[int, list[PublicCampaign]]:
    """The groups of at least ``PUBLIC_MINIMUM`` answers that each of ``response_ids`` is in,
    but those an analyst rejected: {response id: [PublicCampaign, ...]} (by number)."""
    if not response_ids:
        return {}
    found = db.session.execute(
        select(
            CampaignMember.response_id, CampaignGroup.id, CampaignGroup.number, QuestionRecord.key
        )
        .join(CampaignGroup, CampaignGroup.id == CampaignMember.group_id)
        .outerjoin(QuestionRecord, QuestionRecord.id == CampaignGroup.question_id)
        .where(
            CampaignMember.response_id.in_(list(response_ids)),
            CampaignGroup.consultation_id == consultation.id,
            or_(CampaignGroup.decision.is_(None), CampaignGroup.decision != REJECTED),
        )
    ).all()
    if not found:
        return {}
    sizes = dict(
        db.session.execute(
            select(CampaignMember.group_id, func.count())
            .where(CampaignMember.group_id.in_({row.id for row in found}))
            .group_by(CampaignMember.group_id)
        ).all()
    )
    campaigns: dict[int, list[PublicCampaign]] = {}
    for response_id, group_id, number, key in found:
        size = sizes.get(group_id, 0)
        if size >= PUBLIC_MINIMUM:
            campaigns.setdefault(response_id, []).append(PublicCampaign(number, size, key))
    for listed in campaigns.values():
        listed.sort(key=lambda campaign: campaign.number)
    return campaigns


class PublicCampaignIndex:
    """The public groups of a consultation counted once, for files of every published
    contribution (``public_campaigns`` counts the groups of each page it is asked about)."""

    def __init__(self, consultation):
        rows = db.session.execute(
            select(CampaignGroup.id, CampaignGroup.number, QuestionRecord.key, func.count())
            .join(CampaignMember, CampaignMember.group_id == CampaignGroup.id)
            .outerjoin(QuestionRecord, QuestionRecord.id == CampaignGroup.question_id)
            .where(
                CampaignGroup.consultation_id == consultation.id,
                or_(CampaignGroup.decision.is_(None), CampaignGroup.decision != REJECTED),
            )
            .group_by(CampaignGroup.id, CampaignGroup.number, QuestionRecord.key)
            .having(func.count() >= PUBLIC_MINIMUM)
        ).all()
        self.groups = {
            group_id: PublicCampaign(number, size, key) for group_id, number, key, size in rows
        }

    def of(self, response_ids) -> dict[int, list[PublicCampaign]]:
        """{response id: [PublicCampaign, ...]} (by number) for ``response_ids``."""
        if not self.groups or not response_ids:
            return {}
        campaigns: dict[int, list[PublicCampaign]] = {}
        for response_id, group_id in db.session.execute(
            select(CampaignMember.response_id, CampaignMember.group_id).where(
                CampaignMember.response_id.in_(list(response_ids)),
                CampaignMember.group_id.in_(list(self.groups)),
            )
        ):
            campaigns.setdefault(response_id, []).append(self.groups[group_id])
        for listed in campaigns.values():
            listed.sort(key=lambda campaign: campaign.number)
        return campaigns
