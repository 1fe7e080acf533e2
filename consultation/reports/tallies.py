"""Running counts of the answers, so summaries read thousands of rows instead of every answer.

A summary counts chosen options, matrix cells, ranks and who answered each
question, by respondent type and country. Counted from the answers, that is a
pass over every answer row (some 30 per response): at a million responses,
tens of seconds. ``answer_tallies`` holds those counts per question, row,
option, respondent type and country.

What a set of responses contributes is one SQL query (``contribution``). A new
response is not counted by the request that stores it: it is noted in the
outbox (``tally_outbox``: the design, the invariant and the locks are described
there), and a worker adds its contribution (``drain``). Readers add what the
waiting responses contribute (``waiting``), so a summary is exact at once.
Changing a response already counted (an edit, a flag, an erasure, a deletion)
takes off what it contributed and adds what it now contributes, in the same
transaction; a response still waiting is left to the worker, which counts it
as it is then.

Writes through the ORM (a new response, answers added or deleted, a response
whose flag, type or country changed, a response deleted) are handled by the
flush hooks below, from that query before and after the flush. SQL that
bypasses the ORM (bulk inserts and deletes of answers) runs inside
``keeping(ids)``, or is followed by ``enqueue(ids)`` for new responses.
``rebuild`` recounts a whole consultation with the same query and
``differences`` compares the tallies plus what waits with a fresh count: the
test suite checks after every test (and again once the outbox is drained) that
no write was missed, and ``flask reports recount`` does the same on a live
database.

Upserts (``INSERT ... ON CONFLICT DO UPDATE``) in a fixed key order keep two
concurrent transactions from losing a count or waiting on each other in a
cycle.
"""

from contextlib import contextmanager
from functools import cache
from itertools import chain

from sqlalchemy import (
    BigInteger,
    String,
    and_,
    bindparam,
    case,
    cast,
    delete,
    event,
    func,
    inspect,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..consultations.models import QuestionRecord
from ..extensions import db
from ..jobs.nudges import Nudge
from ..responses.models import Answer, Response
from . import tally_outbox
from .models import AnswerTally

ANSWERS = "answers"
ANSWERED = "answered"
NUMBERS = "numbers"
KEYS = ("question_id", "measure", "row_key", "option_key", "respondent_type", "country")
VALUES = ("n", "rank_sum", "firsts")
_UPSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _blank(column):
    return func.coalesce(column, "")


def contribution_query(condition):
    """SELECT the tally rows (``KEYS`` then ``VALUES``) the responses matching ``condition`` add.

    Flagged responses add nothing.
    """
    responses, answers = Response.__table__, Answer.__table__
    counted = and_(condition, responses.c.flag.is_(None))
    joined = answers.join(responses, responses.c.id == answers.c.response_id)
    who = (responses.c.respondent_type, responses.c.country)
    cells = (
        select(
            answers.c.question_id,
            literal(ANSWERS, String),
            _blank(answers.c.row_key),
            _blank(answers.c.option_key),
            *map(_blank, who),
            cast(func.count(), BigInteger),
            cast(func.coalesce(func.sum(answers.c.rank), 0), BigInteger),
            cast(func.sum(case((answers.c.rank == 1, 1), else_=0)), BigInteger),
        )
        .select_from(joined)
        .where(counted)
        .group_by(answers.c.question_id, answers.c.row_key, answers.c.option_key, *who)
    )
    pairs = (
        select(answers.c.question_id, answers.c.response_id, *who)
        .select_from(joined)
        .where(counted)
        .distinct()
        .subquery()
    )
    answered = select(
        pairs.c.question_id,
        literal(ANSWERED, String),
        literal("", String),
        literal("", String),
        _blank(pairs.c.respondent_type),
        _blank(pairs.c.country),
        cast(func.count(), BigInteger),
        cast(literal(0), BigInteger),
        cast(literal(0), BigInteger),
    ).group_by(pairs.c.question_id, pairs.c.respondent_type, pairs.c.country)
    numbers = (
        select(
            answers.c.question_id,
            literal(NUMBERS, String),
            literal("", String),
            cast(answers.c.number_value, String),
            *map(_blank, who),
            cast(func.count(), BigInteger),
            cast(literal(0), BigInteger),
            cast(literal(0), BigInteger),
        )
        .select_from(joined)
        .where(counted, answers.c.number_value.is_not(None))
        .group_by(answers.c.question_id, answers.c.number_value, *who)
    )
    return cells.union_all(answered, numbers)


def _read(query, connection=None, parameters=None) -> dict[tuple, tuple]:
    """{keys: values} from the rows of a contribution query."""
    width = len(KEYS)
    connection = connection or db.session.connection()
    return {
        tuple(row[:width]): tuple(row[width:])
        for row in connection.execute(query, parameters or {})
    }


def contribution(condition) -> dict[tuple, tuple]:
    """{keys: values} that the responses matching ``condition`` add to the tallies."""
    return _read(contribution_query(condition))


@cache
def _of_responses():
    """The contribution query of responses given by id, built once (building it costs more
    than running it for one response)."""
    return contribution_query(Response.id.in_(bindparam("ids", expanding=True)))


def _contribution_of(ids, connection=None) -> dict[tuple, tuple]:
    """What the responses with these ids add to the tallies."""
    return _read(_of_responses(), connection, {"ids": list(ids)})


def _difference(before: dict, after: dict, sign: int = -1) -> dict:
    """``after`` - ``before`` by key (+ with ``sign`` 1)."""
    zero = (0,) * len(VALUES)
    return {
        key: tuple(
            b + sign * a for a, b in zip(before.get(key, zero), after.get(key, zero), strict=True)
        )
        for key in before.keys() | after.keys()
    }


def _sum(first: dict, second: dict) -> dict:
    return _difference(first, second, sign=1)


def _apply(delta: dict[tuple, tuple], connection=None) -> None:
    """Add ``delta`` to the tallies, creating rows as needed, in key order."""
    rows = [
        dict(zip(KEYS + VALUES, key + values, strict=True))
        for key, values in sorted(delta.items())
        if any(values)
    ]
    if not rows:
        return
    table = AnswerTally.__table__
    connection = connection or db.session.connection()
    dialect = connection.dialect.name
    if dialect not in _UPSERT:
        raise RuntimeError(f"answer tallies need SQLite or PostgreSQL, not {dialect}")
    statement = _UPSERT[dialect](table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c[name] for name in KEYS],
        set_={name: table.c[name] + statement.excluded[name] for name in VALUES},
    )
    connection.execute(statement, rows)


def enqueue(response_ids) -> None:
    """Leave responses newly stored by SQL to the workers to count (flushes first)."""
    ids = list(response_ids)
    if ids:
        db.session.flush()
        _queue_new(db.session(), ids)


def _queue_new(session, ids) -> None:
    tally_outbox.enqueue(session.connection(), ids)
    _nudges.later(session)


#: Responses whose contribution ``drain`` adds in one transaction. On SQLite it holds the
#: write lock meanwhile, so contributions wait for it: kept short.
DRAIN_CHUNK = 200
#: Asks the workers to ``drain`` once a transaction that stored responses commits.
_nudges = Nudge("answer tallies", "TALLIES_NUDGE_SECONDS", "count_tallies")


def drain(chunk: int = DRAIN_CHUNK) -> int:
    """Add the contributions waiting in the outbox to the tallies, ``chunk`` responses per
    transaction, each committed here with the deletion of their rows; how many were added.

    Rows an edit holds at the moment are left for the next run.
    """
    session = db.session
    session.commit()
    counted = 0
    while ids := tally_outbox.take(session, chunk):
        connection = session.connection()
        _apply(_contribution_of(ids, connection), connection)
        tally_outbox.release(session, ids)
        session.commit()
        counted += len(ids)
    session.commit()
    return counted


@contextmanager
def keeping(response_ids):
    """Around SQL that changes these responses' answers: old counts come off, new ones go on
    (for those counted already: those still waiting in the outbox are left to the worker).

    The flush hooks stand aside meanwhile, so nothing is counted twice.
    """
    session = db.session()
    session.flush()
    ids = set(response_ids)
    counted = ids - tally_outbox.hold(session, ids)
    before = _contribution_of(counted) if counted else {}
    session.info[_PAUSED] = session.info.get(_PAUSED, 0) + 1
    try:
        yield
        session.flush()
    finally:
        session.info[_PAUSED] -= 1
    if counted:
        _apply(_difference(before, _contribution_of(counted)))


# -- the flush hooks: ORM writes count themselves ---------------------------------------------
_PAUSED = "tallies_paused"
_PENDING = "tallies_pending"
#: Columns of a response that decide where (and whether) its answers are counted.
_COUNTED = ("flag", "respondent_type", "country")


def _touched(session) -> set:
    """Ids of stored responses whose counts this flush may change.

    A response new in this flush goes to the outbox, with whatever answers it has by then.
    """
    stored_ids = set()
    for item in session.dirty:
        if isinstance(item, Response) and item.id is not None:
            state = inspect(item)
            if any(state.attrs[name].history.has_changes() for name in _COUNTED):
                stored_ids.add(item.id)
    for item in session.deleted:
        if isinstance(item, Response):
            stored_ids.add(item.id)
    for item in chain(session.new, session.dirty, session.deleted):
        if isinstance(item, Answer):
            if item.response_id is not None:
                stored_ids.add(item.response_id)
            elif item.response is not None and item.response.id is not None:
                stored_ids.add(item.response.id)
    return stored_ids


@event.listens_for(Session, "before_flush")
def _before_flush(session, flush_context, instances):
    session.info.pop(_PENDING, None)
    if session.info.get(_PAUSED):
        return
    stored_ids = _touched(session)
    if stored_ids:
        with session.no_autoflush:
            counted = stored_ids - tally_outbox.hold(session, stored_ids)
            if counted:
                session.info[_PENDING] = (counted, _contribution_of(counted))


@event.listens_for(Session, "after_flush")
def _after_flush(session, flush_context):
    new = [item.id for item in session.new if isinstance(item, Response)]
    if new:
        _queue_new(session, new)
    pending = session.info.pop(_PENDING, None)
    if pending is None:
        return
    counted, before = pending
    connection = session.connection()
    _apply(_difference(before, _contribution_of(counted, connection)), connection)


def _question_ids(consultation):
    return select(QuestionRecord.id).where(QuestionRecord.consultation_id == consultation.id)


def rebuild(consultation) -> None:
    """Recount every tally of ``consultation`` from its answers (one INSERT ... SELECT), those
    waiting in the outbox included: their rows go."""
    table = AnswerTally.__table__
    tally_outbox.forget(db.session, consultation.id)
    db.session.execute(delete(table).where(table.c.question_id.in_(_question_ids(consultation))))
    # Responses stored since the rows went wait in the outbox: the workers count them.
    query = contribution_query(
        and_(Response.consultation_id == consultation.id, ~tally_outbox.waiting())
    )
    db.session.execute(table.insert().from_select([table.c[name] for name in KEYS + VALUES], query))


def waiting(consultation_id: int) -> dict[tuple, tuple]:
    """{keys: values} that the responses of the consultation waiting in the outbox add.

    Read by their ids (a few, normally), so the database starts from them: as one
    query with the kept tallies, both databases started from the answers of the
    questions, a pass over every answer.
    """
    ids = db.session.scalars(tally_outbox.of_consultation(consultation_id)).all()
    total = {}
    for start in range(0, len(ids), WAITING_CHUNK):
        total = _sum(total, _contribution_of(ids[start : start + WAITING_CHUNK]))
    return total


#: Ids per query in ``waiting`` (SQLite takes at most 32,766 parameters).
WAITING_CHUNK = 1000


def stored(consultation) -> dict[tuple, tuple]:
    """The tallies of ``consultation`` as kept, without those that came back to zero."""
    table = AnswerTally.__table__
    query = select(*(table.c[name] for name in KEYS + VALUES)).where(
        table.c.question_id.in_(_question_ids(consultation))
    )
    width = len(KEYS)
    return {
        tuple(row[:width]): tuple(row[width:])
        for row in db.session.execute(query)
        if any(row[width:])
    }


def differences(consultation) -> dict[tuple, tuple]:
    """{keys: (kept, counted now)} wherever the kept tallies, plus what the responses waiting
    in the outbox add, differ from a fresh count."""
    added = _sum(stored(consultation), waiting(consultation.id))
    kept = {key: values for key, values in added.items() if any(values)}
    fresh = contribution(Response.consultation_id == consultation.id)
    return {
        key: (kept.get(key), fresh.get(key))
        for key in kept.keys() | fresh.keys()
        if kept.get(key) != fresh.get(key)
    }
