"""Reads for the moderators: the queue, campaign copies waiting, one contribution's parts."""

from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from ..reports import publication
from ..responses.models import Answer, Response
from . import rules
from .models import PENDING, ItemReview, Redaction
from .operations import reviewable_parts
from .texts import merged, occurrences

#: Campaign groups shown: identical texts waiting at least this many times.
CAMPAIGN_MINIMUM = 2


def _could_be_published(consultation) -> list:
    """Conditions of the responses a moderator has to look at: not flagged nor erased, and
    their respondent chose a way to be published."""
    return [
        Response.consultation_id == consultation.id,
        Response.flag.is_(None),
        Response.erased_at.is_(None),
        Response.publication.in_(rules.PUBLISHING_CHOICES),
    ]


def queue_query(consultation, state=PENDING):
    """Responses of ``consultation`` in moderation ``state``, oldest first; only those that
    could be published (not flagged nor erased, a publishing choice)."""
    return (
        select(Response)
        .where(*_could_be_published(consultation), Response.moderation == state)
        .order_by(Response.submitted_at, Response.id)
    )


def state_counts(consultation) -> dict[str, int]:
    """How many contributions that could be published are pending, approved and withheld."""
    query = (
        select(Response.moderation, func.count())
        .where(*_could_be_published(consultation))
        .group_by(Response.moderation)
    )
    return dict(db.session.execute(query).all())


@dataclass
class Campaign:
    """Identical answers to one question waiting for review: approved in one step."""

    question_id: int
    question: str
    fingerprint: str
    count: int
    sample: str


def waiting_campaigns(consultation, locale=None, limit=10) -> list[Campaign]:
    """The largest groups of identical waiting answers (``text_fingerprint``), largest first."""
    texts, _files = rules.reviewed_questions(consultation)
    questions = dict(texts)
    if not questions:
        return []
    query = (
        select(Answer.question_id, Answer.text_fingerprint, func.count(), func.min(Answer.id))
        .join(Response, Response.id == Answer.response_id)
        .where(
            Response.consultation_id == consultation.id,
            Response.flag.is_(None),
            Answer.question_id.in_(list(questions)),
            Answer.text_fingerprint.is_not(None),
            ~select(ItemReview.id).where(ItemReview.answer_id == Answer.id).exists(),
        )
        .group_by(Answer.question_id, Answer.text_fingerprint)
        .having(func.count() >= CAMPAIGN_MINIMUM)
        .order_by(func.count().desc())
        .limit(limit)
    )
    found = db.session.execute(query).all()
    samples = dict(
        db.session.execute(
            select(Answer.id, Answer.text_value).where(Answer.id.in_([row[3] for row in found]))
        ).all()
    )
    return [
        Campaign(qid, questions[qid].label(locale), fingerprint, count, samples.get(first, ""))
        for qid, fingerprint, count, first in found
    ]


@dataclass
class Part:
    """One answer or file a moderator decides on, with its decision and redactions."""

    kind: str  # "answer" or "file"
    id: int
    question: str
    text: str | None
    #: (text, removed) pieces of the answer, the removed words marked.
    pieces: list
    redactions: list
    review: ItemReview | None
    name: str | None = None
    upload_id: int | None = None

    @property
    def state(self) -> str:
        return self.review.state if self.review is not None else PENDING


def parts_of(response, locale=None) -> list[Part]:
    """The parts of ``response`` that need a decision, in order, as the moderation page shows."""
    questionnaire = response.consultation.questionnaire
    keys = {record.id: record.key for record in response.consultation.questions}
    answers, uploads = reviewable_parts(response)
    reviews = {
        (r.answer_id, r.upload_id): r
        for r in db.session.scalars(select(ItemReview).where(ItemReview.response_id == response.id))
    }
    redactions = {}
    for item in db.session.scalars(
        select(Redaction).where(Redaction.response_id == response.id).order_by(Redaction.span_start)
    ):
        redactions.setdefault(item.answer_id, []).append(item)
    parts = []
    for answer in answers:
        question = questionnaire.questions[keys[answer.question_id]]
        found = redactions.get(answer.id, [])
        parts.append(
            Part(
                "answer",
                answer.id,
                question.label(locale),
                answer.text_value,
                _pieces(answer.text_value, [(r.span_start, r.span_end) for r in found]),
                found,
                reviews.get((answer.id, None)),
            )
        )
    for upload in uploads:
        question = questionnaire.questions[keys[upload.question_id]]
        parts.append(
            Part(
                "file",
                upload.id,
                question.label(locale),
                None,
                [],
                [],
                reviews.get((None, upload.id)),
                name=upload.original_name,
                upload_id=upload.id,
            )
        )
    return parts


def _pieces(text, spans):
    pieces, position = [], 0
    for start, end in merged(spans):
        if start > position:
            pieces.append((text[position:start], False))
        pieces.append((text[start:end], True))
        position = end
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces


def occurrences_in_context(text: str, words: str, width: int = 30) -> list[str]:
    """Each place ``words`` stand in ``text``, with a few characters either side."""
    result = []
    for start in occurrences(text, words):
        before = text[max(0, start - width) : start]
        after = text[start + len(words) : start + len(words) + width]
        result.append(f"…{before}[{words}]{after}…")
    return result


def next_waiting(consultation, after_response):
    """The next contribution waiting after ``after_response`` in the queue, if any."""
    query = queue_query(consultation).where(
        (Response.submitted_at > after_response.submitted_at)
        | (
            (Response.submitted_at == after_response.submitted_at)
            & (Response.id > after_response.id)
        )
    )
    return db.session.scalar(query.limit(1))


def published_audience(response) -> tuple[str, str]:
    """The (kind, choice) whose allow-list applies to ``response``."""
    return publication.audience(response.respondent_type, response.publication)


@dataclass
class Approval:
    """An approval of identical answers in one step, as the queue lists it to be undone."""

    record_id: int
    at: object
    actor: str
    count: int
    undone: bool


def recent_campaign_approvals(consultation, limit=5) -> list[Approval]:
    """The latest approvals of identical answers of ``consultation``, newest first."""
    from ..audit.models import AuditRecord
    from .operations import APPROVE_CAMPAIGN, undone_approvals

    entries = list(
        db.session.scalars(
            select(AuditRecord)
            .where(
                AuditRecord.action == APPROVE_CAMPAIGN,
                AuditRecord.target_type == "consultation",
                AuditRecord.target_id == str(consultation.id),
            )
            .order_by(AuditRecord.id.desc())
            .limit(limit)
        )
    )
    undone = undone_approvals(consultation, [entry.id for entry in entries])
    return [
        Approval(
            entry.id,
            entry.at,
            entry.actor,
            len((entry.after or {}).get("answers") or []),
            entry.id in undone,
        )
        for entry in entries
    ]
