"""Contributions not counted in the answer tallies yet: the outbox the workers drain.

Counting a contribution writes some 60 tally rows; in the request, that was a sixth of
its cost and most of the time it held SQLite's one write lock. So a new response is
only noted here, by one row in ``tally_outbox`` written in the contribution's own
transaction (the flush hook ``tallies._after_flush``, or ``tallies.enqueue`` after
SQL), and a worker counts it later (``tallies.drain``): each minute, and a few seconds
after contributions (``TALLIES_NUDGE_SECONDS``, ``jobs.nudges``). At every moment

    answer_tallies = what the responses *not* in the outbox contribute,

so a reader adds what those in it contribute (``tallies.waiting``) and is
exact the moment after a contribution is stored; a crash anywhere loses nothing, as the
row and the contribution are committed together, and so are the counts and the row's
deletion.

A worker takes the rows it counts with ``take``: ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL (two workers never take the same row; rows an edit holds wait for the next
run), the database's write lock on SQLite (``BEGIN IMMEDIATE``), until it commits. An
edit, a flag, an erasure or a deletion of stored responses asks ``hold`` which of them
are still waiting: it holds their rows until it commits (no worker counts them
meanwhile; the worker that comes next counts what the edit left), waits for a worker
counting one at that very moment (once it has committed, the row is gone and the
response is counted: the edit then changes the counts by what it changes), and changes
the counts only for the others. Deleting a response deletes its row (``ON DELETE
CASCADE``).
"""

from sqlalchemy import delete, insert, select

from ..dbsetup import begin_immediate
from ..responses.models import Response
from .models import TallyOutbox


def waiting():
    """A condition on ``Response``: its contribution waits in the outbox."""
    return Response.id.in_(select(TallyOutbox.response_id))


def of_consultation(consultation_id: int):
    """SELECT the ids of the consultation's responses waiting in the outbox, from the outbox
    (``+ 0`` keeps the index of the responses' consultation out of it: through it, the
    database would read every response of the consultation to find the few waiting)."""
    return (
        select(TallyOutbox.response_id)
        .join(Response, Response.id == TallyOutbox.response_id)
        .where((Response.consultation_id + 0) == consultation_id)
        .order_by(TallyOutbox.response_id)
    )


def enqueue(connection, ids) -> None:
    """Note responses just stored (in the transaction of ``connection``): the workers count them."""
    connection.execute(insert(TallyOutbox), [{"response_id": i} for i in sorted(set(ids))])


def _writing(session) -> None:
    if session.get_bind().dialect.name == "sqlite":
        begin_immediate(session)


def hold(session, ids) -> set:
    """Those of responses ``ids`` that wait in the outbox, their rows held until the transaction
    ends; waits for a worker counting one of them now (see the module's text)."""
    if not ids:
        return set()
    _writing(session)
    query = (
        select(TallyOutbox.response_id)
        .where(TallyOutbox.response_id.in_(sorted(ids)))
        .order_by(TallyOutbox.response_id)
        .with_for_update()
    )
    return set(session.connection().execute(query).scalars())


def take(session, chunk: int) -> list:
    """Up to ``chunk`` waiting responses no one else holds, held until the transaction ends."""
    _writing(session)
    query = (
        select(TallyOutbox.response_id)
        .order_by(TallyOutbox.response_id)
        .limit(chunk)
        .with_for_update(skip_locked=True)
    )
    return list(session.connection().execute(query).scalars())


def release(session, ids) -> None:
    """The responses ``ids`` are counted: their rows go (in the transaction that counted them)."""
    session.connection().execute(delete(TallyOutbox).where(TallyOutbox.response_id.in_(ids)))


def forget(session, consultation_id: int) -> None:
    """Every row of the consultation's responses goes (a recount counts them all); waits for a
    worker counting some of them now."""
    mine = select(Response.id).where(Response.consultation_id == consultation_id)
    session.connection().execute(delete(TallyOutbox).where(TallyOutbox.response_id.in_(mine)))
