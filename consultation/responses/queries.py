"""Reads of responses."""

from collections import defaultdict

from sqlalchemy import func, select

from ..consultations.models import QuestionRecord
from ..consultations.queries import profile_questions_asked, retired_questions
from ..extensions import db
from .attachments import load_kept
from .models import Answer, Response, ResponseVersion
from .references import canonical_reference
from .tokens import hash_token

#: What ``Question.from_rows`` reads of an answer row, and the question it answers.
ANSWER_COLUMNS = (
    Answer.question_id,
    Answer.option_key,
    Answer.row_key,
    Answer.rank,
    Answer.text_value,
    Answer.number_value,
)


def response_by_reference(text: str) -> Response | None:
    """The response whose reference ``text`` is, in any case, with or without its dashes."""
    reference = canonical_reference(text)
    if reference is None:
        return None
    return db.session.scalar(select(Response).where(Response.reference == reference))


def response_by_receipt_token(token: str) -> Response | None:
    """The response whose private receipt link carries ``token``."""
    return db.session.scalar(
        select(Response).where(Response.receipt_token_hash == hash_token(token))
    )


def response_by_submission_token(token: str) -> Response | None:
    """The response stored from the form served with ``token``."""
    return db.session.scalar(select(Response).where(Response.submission_token == token))


def response_by_edit_token(token: str) -> Response | None:
    """The response whose private edit link carries ``token``."""
    return db.session.scalar(select(Response).where(Response.edit_token_hash == hash_token(token)))


def last_changed_at(response: Response):
    """When the response was last edited, or ``None`` if never."""
    return db.session.scalar(
        select(func.max(ResponseVersion.created_at)).where(
            ResponseVersion.response_id == response.id
        )
    )


def response_attachments(response: Response, upload_folder) -> dict:
    """The files of ``response`` as answers, keyed by question, to keep them on an edit."""
    keys = {record.id: record.key for record in response.consultation.questions}
    attached = {}
    for upload in response.uploads:
        kept = load_kept(
            upload_folder,
            stored_name=upload.stored_name,
            filename=upload.original_name,
            content_type=upload.content_type,
        )
        if kept is not None:
            attached[keys[upload.question_id]] = kept
    return attached


def response_values(response: Response) -> dict:
    """The answers of a response as the question types understand them, keyed by question."""
    questionnaire = response.consultation.questionnaire
    rows = defaultdict(list)
    # Plain rows, not ORM objects: the question types read only these columns. The question's
    # key comes with each (loading the consultation's question records costs more).
    for answer in db.session.execute(
        select(QuestionRecord.key.label("question_key"), *ANSWER_COLUMNS)
        .join(QuestionRecord, QuestionRecord.id == Answer.question_id)
        .where(Answer.response_id == response.id)
        .order_by(Answer.id)
    ):
        rows[answer.question_key].append(answer)
    values = {}
    for question in questionnaire:
        if question.profile:
            value = question.from_profile(getattr(response, question.profile), rows[question.key])
        elif question.key in rows:
            value = question.from_rows(rows[question.key])
        else:
            value = None
        if value is not None:
            values[question.key] = value
    return values


def replaced_answers(response: Response) -> list[tuple[int, list]]:
    """The answers ``response`` gave to questions a later questionnaire version replaced,
    with the questions as they were asked: [(version, [(question, value), ...]), ...], by
    the version they were asked in. Profile answers are on the response row: those of a
    column the current questionnaire no longer fills are among them."""
    consultation = response.consultation
    retired = retired_questions(consultation)
    earlier = profile_questions_asked(consultation)
    current = consultation.questionnaire.profile_questions()
    removed = [(column, found) for column, found in earlier.items() if column not in current]
    if not retired and not removed:
        return []
    ids = {found.record.id: found for found in retired}
    rows = defaultdict(list)
    query = select(*ANSWER_COLUMNS).where(
        Answer.response_id == response.id, Answer.question_id.in_(list(ids))
    )
    for answer in db.session.execute(query.order_by(Answer.id)):
        rows[answer.question_id].append(answer)
    answered = response.questionnaire_version
    groups = defaultdict(list)
    for found in retired:
        if found.question.profile or found.record.id not in rows:
            continue
        value = found.question.from_rows(rows[found.record.id])
        if value is not None:
            version = min(max(answered, found.first), found.version)
            groups[version].append((found.question, value))
    for column, [(number, question), *_] in removed:
        value = question.from_profile(getattr(response, column), [])
        if value is not None:
            groups[min(answered, number)].append((question, value))
    return sorted(groups.items())


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filtered_responses(
    consultation,
    *,
    respondent_type=None,
    country=None,
    since=None,
    until=None,
    text=None,
    flag="all",
):
    """A query of a consultation's responses, newest first, narrowed by the list's filters."""
    query = select(Response).where(Response.consultation_id == consultation.id)
    if respondent_type:
        query = query.where(Response.respondent_type == respondent_type)
    if country:
        query = query.where(Response.country == country)
    if since:
        query = query.where(Response.submitted_at >= since)
    if until:
        query = query.where(Response.submitted_at < until)
    if flag == "counted":
        query = query.where(Response.flag.is_(None))
    elif flag in ("spam", "duplicate"):
        query = query.where(Response.flag == flag)
    if text:
        pattern = _like(text.strip())
        in_answers = select(Answer.response_id).where(Answer.text_value.ilike(pattern, escape="\\"))
        found = Response.id.in_(in_answers) | Response.organisation_name.ilike(pattern, escape="\\")
        reference = canonical_reference(text)
        if reference is not None:  # exactly that reference (read from its unique index)
            found = found | (Response.reference == reference)
        query = query.where(found)
    return query.order_by(Response.submitted_at.desc(), Response.id.desc())
