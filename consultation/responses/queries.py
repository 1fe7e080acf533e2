"""Reads of responses."""

from collections import defaultdict

from sqlalchemy import select

from ..extensions import db
from .models import Answer, Response


def response_by_reference(reference: str) -> Response | None:
    return db.session.scalar(select(Response).where(Response.reference == reference))


def response_values(response: Response) -> dict:
    """The answers of a response as the question types understand them, keyed by question."""
    consultation = response.consultation
    questionnaire = consultation.questionnaire
    keys = {record.id: record.key for record in consultation.questions}
    rows = defaultdict(list)
    for answer in db.session.scalars(
        select(Answer).where(Answer.response_id == response.id).order_by(Answer.id)
    ):
        rows[keys[answer.question_id]].append(answer)
    values = {}
    for question in questionnaire:
        if question.profile:
            value = getattr(response, question.profile)
        elif question.key in rows:
            value = question.from_rows(rows[question.key])
        else:
            value = None
        if value is not None:
            values[question.key] = value
    return values
