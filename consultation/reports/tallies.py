"""Running counts of the answers, kept as responses are written, so summaries read thousands
of rows instead of every answer.

A summary counts chosen options, matrix cells, ranks and who answered each
question, by respondent type and country. Counted from the answers, that is a
pass over every answer row (some 30 per response): at a million responses,
tens of seconds. ``answer_tallies`` holds those counts per question, row,
option, respondent type and country. Storing a response adds what it
contributes; changing one (an edit, a flag, an erasure) takes off what it
contributed and adds what it now contributes, in the same transaction.

What a set of responses contributes is one SQL query (``contribution``).
Writes through the ORM (a new response and its answers, answers added or
deleted, a response whose flag, type or country changed) are counted by the
flush hooks below, from that query before and after the flush. SQL that
bypasses the ORM (bulk inserts and deletes of answers) runs inside
``keeping(ids)``, or is followed by ``add(ids)`` for new responses.
``rebuild`` recounts a whole consultation with the same query and
``differences`` compares: the test suite checks after every test that no write
was missed, and ``flask reports recount`` does the same on a live database.

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
from ..responses.models import Answer, Response
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


def _difference(before: dict, after: dict) -> dict:
    zero = (0,) * len(VALUES)
    return {
        key: tuple(b - a for a, b in zip(before.get(key, zero), after.get(key, zero), strict=True))
        for key in before.keys() | after.keys()
    }


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


def add(response_ids) -> None:
    """Count newly stored responses (flushes first)."""
    ids = list(response_ids)
    if ids:
        db.session.flush()
        _apply(_contribution_of(ids))


@contextmanager
def keeping(response_ids):
    """Around SQL that changes these responses' answers: old counts come off, new ones go on.

    The flush hooks stand aside meanwhile, so nothing is counted twice.
    """
    ids = list(response_ids)
    session = db.session()
    session.flush()
    before = _contribution_of(ids)
    session.info[_PAUSED] = session.info.get(_PAUSED, 0) + 1
    try:
        yield
        session.flush()
    finally:
        session.info[_PAUSED] -= 1
    _apply(_difference(before, _contribution_of(ids)))


# -- the flush hooks: ORM writes count themselves ---------------------------------------------
_PAUSED = "tallies_paused"
_PENDING = "tallies_pending"
#: Columns of a response that decide where (and whether) its answers are counted.
_COUNTED = ("flag", "respondent_type", "country")


def _touched(session) -> tuple[set, list]:
    """Responses whose counts this flush may change: (ids of stored ones, new ones).

    A new response counts only with answers flushed with it as objects; answers
    inserted by SQL afterwards are counted by ``add``.
    """
    stored_ids, new = set(), []
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
            elif item.response is not None and item.response not in new:
                new.append(item.response)  # a response new in this flush
    return stored_ids, new


@event.listens_for(Session, "before_flush")
def _before_flush(session, flush_context, instances):
    session.info.pop(_PENDING, None)
    if session.info.get(_PAUSED):
        return
    stored_ids, new = _touched(session)
    if stored_ids or new:
        with session.no_autoflush:
            before = _contribution_of(stored_ids) if stored_ids else {}
        session.info[_PENDING] = (stored_ids, new, before)


@event.listens_for(Session, "after_flush")
def _after_flush(session, flush_context):
    pending = session.info.pop(_PENDING, None)
    if pending is None:
        return
    stored_ids, new, before = pending
    ids = stored_ids | {response.id for response in new}
    connection = session.connection()
    _apply(_difference(before, _contribution_of(ids, connection)), connection)


def _question_ids(consultation):
    return select(QuestionRecord.id).where(QuestionRecord.consultation_id == consultation.id)


def rebuild(consultation) -> None:
    """Recount every tally of ``consultation`` from its answers (one INSERT ... SELECT)."""
    table = AnswerTally.__table__
    db.session.execute(delete(table).where(table.c.question_id.in_(_question_ids(consultation))))
    query = contribution_query(Response.consultation_id == consultation.id)
    db.session.execute(table.insert().from_select([table.c[name] for name in KEYS + VALUES], query))


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
    """{keys: (kept, counted now)} wherever the kept tallies differ from a fresh count."""
    kept = stored(consultation)
    fresh = contribution(Response.consultation_id == consultation.id)
    return {
        key: (kept.get(key), fresh.get(key))
        for key in kept.keys() | fresh.keys()
        if kept.get(key) != fresh.get(key)
    }
