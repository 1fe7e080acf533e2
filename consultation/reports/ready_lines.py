"""Each response's CSV export lines, made by the workers, so exports stream them.

Building a row from answer rows and quoting it costs far more than reading a
line back: at a million responses, the difference between an export in
minutes and one in seconds. So each response's two lines (personal and public)
are made here for the current layout of the export and kept in
``export_lines``. The export (``export.iter_csv``) streams them and builds any
missing or out-of-date line from the answers, with the same code, so the file
is the same either way: ``tests/test_ready_lines.py`` rebuilds every line and
compares.

A contribution's request does not make its lines: a response without a line
(a new one, or one whose lines were deleted when it was edited, erased or
moderated: ``forget``) is itself the record of work to do, written in the
contribution's own transaction, so a crash loses nothing. The workers make the
missing lines in batches (``fill``): each minute, and a few seconds after
contributions (a nudge, at most once every ``READY_LINES_NUDGE_SECONDS`` per
process, from a thread, so a request never waits for the queue: ``jobs.nudges``).

A line made from answers that an edit is replacing would be wrong, so the two
are serialised on the response's row: ``fill`` holds the rows it makes lines
for (``FOR NO KEY UPDATE SKIP LOCKED`` on PostgreSQL, skipping those an edit
holds; the database's write lock on SQLite) from before it reads them until it
commits, and ``forget`` holds the row before it deletes the lines. Whichever
comes second sees what the first committed.
"""

import hashlib

from sqlalchemy import delete, event, exists, insert, inspect, select, text
from sqlalchemy.orm import Session

from ..consultations.models import Consultation
from ..dbsetup import begin_immediate
from ..extensions import db
from ..jobs.nudges import Nudge
from ..responses.models import PUBLISHABLE_SQL, Answer, Response
from . import export
from .models import ExportLine

LINE_CHUNK = 5000
#: Responses whose lines ``fill`` makes in one transaction. On SQLite it holds the write lock
#: meanwhile, so contributions wait for it: kept short (some 30 ms).
FILL_CHUNK = 100
#: Changed whenever the way a cell is written changes without changing the layout (times in
#: ISO 8601 with their offset, countries by name and code...), so older lines are not used.
LINE_FORMAT = 2
_keys: dict = {}
#: Asks the workers for the lines of responses stored or forgotten, once their transaction
#: commits (``ready_lines_from``: ``fill`` from the smallest id).
_nudges = Nudge("export lines", "READY_LINES_NUDGE_SECONDS", "ready_lines_from")


def _layouts(consultation) -> tuple[str, dict]:
    """The export layouts of ``consultation`` (personal and public) and their fingerprint."""
    records = tuple((record.key, record.id, record.active) for record in consultation.questions)
    cache_key = (consultation.id, consultation.definition_digest, records)
    found = _keys.get(cache_key)
    if found is None:
        digest, plans = hashlib.sha256(repr(LINE_FORMAT).encode()), {}
        for personal in (True, False):
            plan = plans[personal] = export.layout(consultation, personal)
            digest.update(repr((plan.headers, plan.fills)).encode())
        if len(_keys) >= 64:
            _keys.clear()
        found = _keys[cache_key] = (digest.hexdigest(), plans)
    return found


def layout_key(consultation) -> str:
    """A fingerprint of the export columns of ``consultation`` and what fills them."""
    return _layouts(consultation)[0]


def _changed_responses(session) -> set:
    """Ids of responses whose exported columns or answers this flush changes."""
    ids = set()
    for item in session.dirty:
        if isinstance(item, Response) and item.id is not None:
            state = inspect(item)
            if any(state.attrs[name].history.has_changes() for name in _EXPORTED):
                ids.add(item.id)
    for item in (*session.new, *session.dirty, *session.deleted):
        if isinstance(item, Answer) and item.response_id is not None:
            ids.add(item.response_id)
    return ids


_EXPORTED = [name for name in export.RESPONSE_FIELDS if name != "id"]


@event.listens_for(Session, "before_flush")
def _forget_changed_lines(session, flush_context, instances):
    """A response whose exported columns or answers change through the ORM loses its lines.

    The export then builds its row from the answers until a worker makes them again.
    """
    ids = _changed_responses(session)
    if ids:
        _forget(session, ids)


@event.listens_for(Session, "after_flush")
def _note_new_responses(session, flush_context):
    """New responses have no lines yet: the workers are told once the session commits."""
    ids = [item.id for item in session.new if isinstance(item, Response)]
    if ids:
        _nudges.later(session, ids)


def _hold(session, ids) -> None:
    """Hold the rows of responses ``ids`` until the transaction ends (see the module's text)."""
    if session.get_bind().dialect.name == "sqlite":
        begin_immediate(session)
        return
    session.execute(
        select(Response.id)
        .where(Response.id.in_(sorted(ids)))
        .order_by(Response.id)
        .with_for_update(key_share=True)
    )


def _forget(session, ids) -> None:
    _hold(session, ids)
    session.execute(delete(ExportLine).where(ExportLine.response_id.in_(ids)))
    _nudges.later(session, ids)


def forget(response_ids) -> None:
    """Delete the lines of responses just stored anew, edited, erased or moderated (flushes
    first): the export builds their rows from the answers until a worker makes them again."""
    ids = set(response_ids)
    if ids:
        db.session.flush()
        _forget(db.session, ids)


def _write(key: str, plans: dict, responses) -> None:
    """(Re)make the lines of ``responses`` (rows from ``export.response_chunks``)."""
    writer = export.LineWriter()
    connection = db.session.connection()
    ids = [response.id for response in responses]
    personal = export.build_rows(plans[True], responses, export.read_answers(responses))
    public = export.build_rows(plans[False], responses, export.read_answers(responses, public=True))
    connection.execute(delete(ExportLine).where(ExportLine.response_id.in_(ids)))
    connection.execute(
        insert(ExportLine),
        [
            {
                "response_id": i,
                "layout": key,
                "personal": writer.line(personal[i]),
                "public": writer.line(public[i]),
            }
            for i in ids
        ],
    )


def refresh(consultation, first_id: int, last_id: int) -> int:
    """(Re)make the lines of the responses of ``consultation`` with ids in [first_id, last_id]."""
    key, plans = _layouts(consultation)
    made = 0
    for responses in export.response_chunks(
        consultation, LINE_CHUNK, counted_only=False, first_id=first_id, last_id=last_id
    ):
        _write(key, plans, responses)
        made += len(responses)
    return made


def _runs(ids: list, span: int = 4 * FILL_CHUNK):
    """``ids`` (sorted) in runs of ids at most ``span`` apart: the answers are read by id range."""
    run = [ids[0]]
    for number in ids[1:]:
        if number - run[0] > span:
            yield run
            run = []
        run.append(number)
    yield run


def fill(from_id: int | None = None, chunk: int = FILL_CHUNK) -> int:
    """Make the missing or out-of-date lines of the responses (those with ids from ``from_id``
    on), ``chunk`` responses per transaction, each committed here; how many were made.

    Rows an edit holds at the moment are skipped (PostgreSQL): the next run makes them.
    """
    session = db.session
    if from_id is None:
        consultations = session.scalars(select(Consultation).order_by(Consultation.id)).all()
    else:
        consultations = session.scalars(
            select(Consultation)
            .where(
                Consultation.id.in_(
                    select(Response.consultation_id).where(Response.id >= from_id).distinct()
                )
            )
            .order_by(Consultation.id)
        ).all()
    session.commit()
    table = Response.__table__
    columns = [table.c[name] for name in export.RESPONSE_FIELDS]
    made = 0
    for consultation in consultations:
        key, plans = _layouts(consultation)
        after = (from_id or 1) - 1
        while True:
            if session.get_bind().dialect.name == "sqlite":
                begin_immediate(session)
            ids = session.scalars(
                select(Response.id)
                .where(
                    Response.consultation_id == consultation.id,
                    Response.id > after,
                    ~exists().where(
                        ExportLine.response_id == Response.id, ExportLine.layout == key
                    ),
                )
                .order_by(Response.id)
                .limit(chunk)
                .with_for_update(key_share=True, skip_locked=True)
            ).all()
            if not ids:
                session.commit()
                break
            for run in _runs(ids):
                responses = session.execute(
                    select(*columns).where(table.c.id.in_(run)).order_by(table.c.id)
                ).all()
                _write(key, plans, responses)
            session.commit()
            made += len(ids)
            after = ids[-1]
    return made


def refresh_all(consultation, progress=None, after_chunk=None) -> int:
    """Remake every line of ``consultation`` (after its questionnaire changed, say).

    ``progress(n)``: n more responses done; ``after_chunk()`` runs after each chunk (a
    job commits there, so contributions are not kept waiting by one long transaction).
    """
    made, last = 0, 0
    while True:
        # Each chunk's ids are read afresh: ``after_chunk`` may have ended the transaction.
        ids = db.session.scalars(
            select(Response.id)
            .where(Response.consultation_id == consultation.id, Response.id > last)
            .order_by(Response.id)
            .limit(LINE_CHUNK)
        ).all()
        if not ids:
            return made
        _hold(db.session, ids)  # not made from answers an edit is replacing
        made += refresh(consultation, ids[0], ids[-1])
        last = ids[-1]
        if after_chunk is not None:
            after_chunk()
        if progress is not None:
            progress(len(ids))


def ready_chunks(consultation, personal: bool, size: int = LINE_CHUNK):
    """(response rows, lines) of the counted responses by id (the public export: those that
    may be published); a line is None where not ready.

    Each page reads the responses by id, then the lines of the same id range by
    their own key: two bounded range scans. (A join of the two, at a million
    responses, had PostgreSQL read the whole lines table for every page.)
    """
    table = Response.__table__
    line = ExportLine.personal if personal else ExportLine.public
    columns = [table.c[name] for name in export.RESPONSE_FIELDS]
    key = layout_key(consultation)
    connection = db.session.connection()
    last = 0
    while True:
        rows = connection.execute(
            select(*columns)
            .where(
                table.c.consultation_id == consultation.id,
                table.c.flag.is_(None),
                table.c.id > last,
                *(() if personal else (text(PUBLISHABLE_SQL),)),
            )
            .order_by(table.c.id)
            .limit(size)
        ).all()
        if not rows:
            return
        first, last = rows[0].id, rows[-1].id
        ready = dict(
            connection.execute(
                select(ExportLine.response_id, line).where(
                    ExportLine.response_id.between(first, last), ExportLine.layout == key
                )
            ).all()
        )
        yield rows, [ready.get(row.id) for row in rows]
