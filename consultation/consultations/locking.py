"""A decision against a consultation's window is serialised with any change to the window.

A submission checks that the consultation is open and stores the contribution; a
closing stamps the instant contributions stop. Checked against a state read earlier,
outside the transaction that writes, both could act on what each had read: 26 of 354
contributions sent during a ``flask consultations close`` were stored after its
recorded instant. So each holds the consultation row first, and reads its window
again under that lock, and takes the time only once the lock is held: submissions
share the lock (``FOR SHARE`` on PostgreSQL), a closing takes it alone (``FOR UPDATE``),
and on SQLite each takes the database's write lock (``BEGIN IMMEDIATE``). The lock
lasts until the caller commits or rolls back.
"""

from datetime import datetime

from sqlalchemy import select

from .. import clock
from ..dbsetup import begin_immediate
from ..extensions import db
from .models import Consultation


def hold_for_submission(consultation: Consultation) -> datetime:
    """Hold ``consultation``'s window against changes (others may submit too); return now."""
    return _hold(consultation, exclusive=False)


def hold_for_change(consultation: Consultation) -> datetime:
    """Hold ``consultation``'s window alone, to change it; return now."""
    return _hold(consultation, exclusive=True)


def _hold(consultation, *, exclusive) -> datetime:
    session = db.session
    if session.get_bind().dialect.name == "sqlite":
        begin_immediate(session)
    # FOR SHARE or FOR UPDATE (nothing on SQLite), and the window read afresh: the rows
    # must be read for the object to be refreshed.
    session.scalars(
        select(Consultation)
        .where(Consultation.id == consultation.id)
        .with_for_update(read=not exclusive)
        .execution_options(populate_existing=True)
    ).one()
    return clock.now_utc()
