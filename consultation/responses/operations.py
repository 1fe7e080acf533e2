"""Writes of responses: storing a contribution in one transaction. They flush; callers commit."""

import hashlib
import secrets
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from ..consultations.locking import hold_for_submission
from ..consultations.models import State
from ..consultations.operations import current_version
from ..extensions import db
from ..publishing import edits
from ..publishing.operations import contribution_stored
from ..reports import ready_lines, tallies
from .models import Answer, Response, ResponseVersion, Upload
from .queries import ANSWER_COLUMNS, response_values
from .references import new_reference
from .tokens import hash_token, new_private_token


class ConsultationNotOpen(Exception):
    """The consultation does not accept contributions at this moment."""

    def __init__(self, consultation, state):
        super().__init__(f"{consultation.slug} is {state}")
        self.consultation = consultation
        self.state = state


def new_submission_token() -> str:
    return secrets.token_urlsafe(24)


#: Times a new contribution is tried again when its random reference was already taken.
REFERENCE_ATTEMPTS = 3


def submit_response(
    consultation,
    values: dict,
    *,
    submission_token: str,
    language=None,
    upload_folder: str,
    token_is_new: bool = False,
    _attempt: int = 1,
) -> tuple[Response, bool]:
    """Store a contribution; return it and whether it is new.

    The same ``submission_token`` sent twice (a double click, a resent page) gives
    back the first response instead of storing a second one (``token_is_new``: the
    caller has just looked the token up and found nothing; two requests racing are
    still caught by its unique constraint). Refuses with ``ConsultationNotOpen``
    unless the consultation is open at this instant. It must be the first write of
    the caller's transaction: everything it writes (response, answers, files, the
    note that the tallies are to count it) is committed together by the caller, or not at all.
    A new response gets its private links in the same INSERT (``issue_private_links``
    hands them out).
    """
    if not token_is_new:
        existing = _by_token(submission_token)
        if existing is not None:
            return existing, False
    # Everything that needs no lock is done before taking it: on SQLite it is the
    # database's one write lock, so what is done under it is done one request at a time.
    profile, answers, files = _contents(consultation, values)
    links = PrivateLinks(new_reference(), new_private_token(), new_private_token())
    now = hold_for_submission(consultation)  # no closing between this check and the commit
    state = consultation.state_at(now)
    if state is not State.OPEN:
        raise ConsultationNotOpen(consultation, state)

    response = Response(
        consultation_id=consultation.id,
        reference=links.reference,
        submission_token=submission_token,
        submitted_at=now,
        receipt_token_hash=hash_token(links.receipt),
        edit_token_hash=hash_token(links.edit),
        questionnaire_version=current_version(consultation),
        **{"language": language, **profile},  # a profile column may say otherwise
    )
    response.unissued_links = links
    try:
        db.session.add(response)
        db.session.flush()
    except IntegrityError:
        # The same form sent twice at once: the other request stored it first. Nothing
        # else was written in this transaction (this is its first write), so all of it
        # goes. (A savepoint would not do: on SQLite, releasing the first savepoint of a
        # transaction commits it, so the rest of the contribution would not be atomic.)
        db.session.rollback()
        existing = _by_token(submission_token)
        if existing is not None:
            return existing, False
        if _attempt >= REFERENCE_ATTEMPTS:
            raise
        # Not the same form: the random reference was taken (one of 30^12: practically never).
        return submit_response(
            consultation,
            values,
            submission_token=submission_token,
            language=language,
            upload_folder=upload_folder,
            token_is_new=True,
            _attempt=_attempt + 1,
        )
    _insert_answers(response, answers)  # counted by the workers (``reports.tally_outbox``)
    for question_id, attachment in files:
        _store_upload(response, question_id, attachment, upload_folder)
    db.session.flush()  # its export lines: made by the workers (``ready_lines``)
    contribution_stored(response)  # its free texts and files wait for a moderator
    return response, True


def _contents(consultation, values) -> tuple[dict, list, list]:
    """What storing ``values`` writes: profile columns, answer rows, and files to keep."""
    questionnaire = consultation.questionnaire
    question_ids = {record.key: record.id for record in consultation.questions}
    profile = {
        column: question.column_value(values.get(question.key))
        for column, question in questionnaire.profile_questions().items()
    }
    answers, files = [], []
    for key, value in values.items():
        question = questionnaire.questions[key]
        question_id = question_ids[key]
        rows = question.answer_rows(value)  # a profile question's: only what its column cannot hold
        answers.extend({"question_id": question_id, **vars(row)} for row in rows)
        files.extend((question_id, attachment) for attachment in question.attachments(value))
    return profile, answers, files


def _fill(response, consultation, values) -> tuple[list, list]:
    """Set the profile columns of ``response``; return its answer rows and the files to store."""
    profile, answers, files = _contents(consultation, values)
    for column, value in profile.items():
        setattr(response, column, value)
    return answers, files


def _insert_answers(response, answers: list) -> None:
    """Insert the answer rows of ``response`` (flushed already) in one statement.

    A contribution has dozens of rows: built as ORM objects and flushed one by one,
    they were most of the cost of storing it. Column defaults (the text fingerprint)
    still apply; ``response.answers`` is expired, so it is read back when asked for.
    """
    if answers:
        rows = [{"response_id": response.id, **answer} for answer in answers]
        db.session.execute(insert(Answer.__table__), rows)
    db.session.expire(response, ["answers"])


@dataclass(frozen=True)
class PrivateLinks:
    """The tokens of a contribution's private links, known only when they are made.

    ``receipt`` reads the contribution and its PDF copy; ``edit`` changes it until the
    deadline. Only their hashes are stored: show them (or mail them) now, or never.
    """

    reference: str
    receipt: str
    edit: str


def issue_private_links(response: Response) -> PrivateLinks:
    """Give ``response`` new private receipt and edit links; return them, to show or mail once.

    Any earlier links of the response stop working. A response just stored by
    ``submit_response`` has links no one has seen yet, made with it: those are the
    ones returned, once (no second write). Flushes; the caller commits.
    """
    links = response.__dict__.pop("unissued_links", None)
    if links is not None:
        return links
    links = PrivateLinks(response.reference, new_private_token(), new_private_token())
    response.receipt_token_hash = hash_token(links.receipt)
    response.edit_token_hash = hash_token(links.edit)
    db.session.flush()
    return links


def update_response(response: Response, values: dict, *, language=None, upload_folder: str) -> bool:
    """Replace a contribution's answers by ``values``, keeping the previous version on record.

    The reference stays; the answer rows (what reports count) are replaced, so only the
    latest version counts. Returns ``False``, writing nothing, when ``values`` are what
    is stored already. Refuses with ``ConsultationNotOpen`` once the deadline passed.
    """
    consultation = response.consultation
    now = hold_for_submission(consultation)
    state = consultation.state_at(now)
    if state is not State.OPEN:
        raise ConsultationNotOpen(consultation, state)
    if _unchanged(response, values, language or response.language):
        return False
    previous = db.session.scalar(
        select(func.max(ResponseVersion.version)).where(ResponseVersion.response_id == response.id)
    )
    snapshot = {
        "values": response_values(response),
        "language": response.language,
        "uploads": [
            {
                "question_id": upload.question_id,
                "original_name": upload.original_name,
                "stored_name": upload.stored_name,
                "size": upload.size,
                "sha256": upload.sha256,
            }
            for upload in response.uploads
        ],
    }
    db.session.add(
        ResponseVersion(
            response_id=response.id,
            version=(previous or 0) + 1,
            snapshot=snapshot,
            created_at=now,
        )
    )
    decisions = edits.before_edit(response)  # a moderator's, on what the edit leaves as it was
    # Rows go in bulk and first: a kept file's stored name is unique and is about to be reused.
    # The files themselves stay in the upload folder: the version above refers to them.
    with tallies.keeping([response.id]):  # answers (and profile columns) replaced by SQL
        db.session.execute(delete(Answer).where(Answer.response_id == response.id))
        db.session.execute(delete(Upload).where(Upload.response_id == response.id))
        db.session.expire(response, ["answers", "uploads"])
        response.language = language or response.language
        response.questionnaire_version = current_version(consultation)  # answered anew
        answers, files = _fill(response, consultation, values)
        _insert_answers(response, answers)
    for question_id, attachment in files:
        _store_upload(response, question_id, attachment, upload_folder)
    ready_lines.forget([response.id])  # flushes; the workers make them again
    edits.after_edit(response, decisions)
    contribution_stored(response)  # edited texts are moderated again, unchanged ones are not
    return True


def _unchanged(response: Response, values: dict, language) -> bool:
    """Whether storing ``values`` would write exactly what ``response`` holds already.

    Compared as stored (profile columns, answer rows, files by name and content), so
    every question type is compared the same way, by what reports read.
    """
    if language != response.language:
        return False
    profile, answers, files = _contents(response.consultation, values)
    if any(getattr(response, column) != value for column, value in profile.items()):
        return False
    names = [column.key for column in ANSWER_COLUMNS]
    stored_rows = db.session.execute(
        select(*ANSWER_COLUMNS).where(Answer.response_id == response.id)
    )
    if Counter(tuple(row) for row in stored_rows) != Counter(
        tuple(answer.get(name) for name in names) for answer in answers
    ):
        return False
    stored_files = Counter(
        (upload.question_id, upload.original_name, upload.sha256) for upload in response.uploads
    )
    sent_files = Counter(
        (question_id, attachment.filename, hashlib.sha256(attachment.data).hexdigest())
        for question_id, attachment in files
    )
    return stored_files == sent_files


def _by_token(token):
    return db.session.scalar(select(Response).where(Response.submission_token == token))


def write_file(upload_folder, data: bytes) -> str:
    """Keep ``data`` in the upload folder under a new random name, and return the name."""
    folder = Path(upload_folder)
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    (folder / stored_name).write_bytes(data)
    return stored_name


def _store_upload(response, question_id, attachment, upload_folder):
    stored_name = attachment.stored_name or write_file(upload_folder, attachment.data)
    response.uploads.append(
        Upload(
            question_id=question_id,
            original_name=attachment.filename,
            stored_name=stored_name,
            content_type=attachment.content_type,
            size=attachment.size,
            sha256=hashlib.sha256(attachment.data).hexdigest(),
        )
    )
