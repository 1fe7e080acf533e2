"""Reads of consultations."""

from sqlalchemy import select

from .. import clock
from ..extensions import db
from .models import Consultation, State


def consultation_by_slug(slug: str) -> Consultation | None:
    return db.session.scalar(select(Consultation).where(Consultation.slug == slug))


def consultations_by_state() -> dict[State, list[Consultation]]:
    """Every consultation not archived, grouped as open, upcoming and closed, in a useful order."""
    now = clock.now_utc()
    state = Consultation.state_expression(now).label("state")
    rows = db.session.execute(
        select(Consultation, state)
        .where(Consultation.archived_at.is_(None))
        .order_by(Consultation.closes_at)
    ).all()
    groups = {State.OPEN: [], State.UPCOMING: [], State.CLOSED: []}
    for consultation, value in rows:
        groups[State(value)].append(consultation)
    groups[State.CLOSED].reverse()  # most recently closed first
    return groups


def all_consultations(*, archived: bool = True) -> list[Consultation]:
    """Every consultation (``archived=False``: those listed publicly), the latest closing first."""
    query = select(Consultation).order_by(Consultation.closes_at.desc())
    if not archived:
        query = query.where(Consultation.archived_at.is_(None))
    return list(db.session.scalars(query))
