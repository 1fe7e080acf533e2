"""Reads of the outcome: the published one of a consultation, its texts in a language."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..i18n import DEFAULT_LOCALE
from .forms import PARTS
from .markdown import render
from .models import Outcome
from .notices import public_summary_path


@dataclass
class ShownOutcome:
    """An outcome as a page shows it: its texts rendered, in the language they are written in."""

    outcome: Outcome
    language: str
    parts: dict
    summary_ready: bool


def published_outcome(consultation) -> Outcome | None:
    """The outcome of ``consultation`` if it is published."""
    return db.session.scalar(
        select(Outcome)
        .options(selectinload(Outcome.texts))
        .where(Outcome.consultation_id == consultation.id, Outcome.published_at.is_not(None))
    )


def shown_outcome(outcome: Outcome | None, locale: str) -> ShownOutcome | None:
    """The texts in ``locale``, or in English where that language has none."""
    if outcome is None:
        return None
    text = outcome.text_in(locale) or outcome.text_in(DEFAULT_LOCALE)
    language = text.language if text else DEFAULT_LOCALE
    parts = {part: render(getattr(text, part, "")) for part in PARTS}
    ready = public_summary_path(outcome.consultation, locale).is_file()
    return ShownOutcome(outcome, language, parts, ready)
