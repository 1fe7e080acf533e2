"""Writes of responses: storing a contribution in one transaction. They flush; callers commit."""

import base64
import hashlib
import secrets
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..consultations.models import State
from ..extensions import db
from .models import Answer, Response, Upload


class ConsultationNotOpen(Exception):
    """The consultation does not accept contributions at this moment."""

    def __init__(self, consultation, state):
        super().__init__(f"{consultation.slug} is {state}")
        self.consultation = consultation
        self.state = state


def new_reference() -> str:
    """An unguessable, readable reference: 120 random bits as six groups of base32."""
    raw = base64.b32encode(secrets.token_bytes(15)).decode()
    return "-".join(raw[i : i + 4] for i in range(0, 24, 4))


def new_submission_token() -> str:
    return secrets.token_urlsafe(24)


def submit_response(
    consultation, values: dict, *, submission_token: str, language=None, upload_folder: str
) -> tuple[Response, bool]:
    """Store a contribution; return it and whether it is new.

    The same ``submission_token`` sent twice (a double click, a resent page) gives
    back the first response instead of storing a second one. Refuses with
    ``ConsultationNotOpen`` unless the consultation is open at this instant.
    """
    existing = _by_token(submission_token)
    if existing is not None:
        return existing, False
    state = consultation.state_at(clock.now_utc())
    if state is not State.OPEN:
        raise ConsultationNotOpen(consultation, state)

    questionnaire = consultation.questionnaire
    question_ids = {record.key: record.id for record in consultation.questions}
    response = Response(
        consultation_id=consultation.id,
        reference=new_reference(),
        submission_token=submission_token,
        submitted_at=clock.now_utc(),
        language=language,
    )
    for profile, question in questionnaire.profile_questions().items():
        setattr(response, profile, values.get(question.key))
    files = []
    for key, value in values.items():
        question = questionnaire.questions[key]
        if question.profile:
            continue
        for row in question.to_rows(value):
            response.answers.append(Answer(question_id=question_ids[key], **vars(row)))
        for attachment in question.attachments(value):
            files.append((question_ids[key], attachment))
    try:
        with db.session.begin_nested():
            db.session.add(response)
            db.session.flush()
    except IntegrityError:
        existing = _by_token(submission_token)
        if existing is None:
            raise
        return existing, False
    for question_id, attachment in files:
        _store_upload(response, question_id, attachment, upload_folder)
    db.session.flush()
    return response, True


def _by_token(token):
    return db.session.scalar(select(Response).where(Response.submission_token == token))


def _store_upload(response, question_id, attachment, upload_folder):
    folder = Path(upload_folder)
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    (folder / stored_name).write_bytes(attachment.data)
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
