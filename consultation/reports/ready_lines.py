"""Each response's CSV export lines, made when the response is written, so exports stream them.

Building a row from answer rows and quoting it costs far more than reading a
line back: at a million responses, the difference between an export in
minutes and one in seconds. So whenever a response is stored, changed or has
its personal data erased, its two lines (personal and public) are made here
for the current layout of the export and kept in ``export_lines``. The export
(``export.iter_csv``) streams them and builds any missing or out-of-date line
from the answers, with the same code, so the file is the same either way:
``tests/test_ready_lines.py`` rebuilds every line and compares.
"""

import hashlib

from sqlalchemy import delete, event, insert, inspect, select, text
from sqlalchemy.orm import Session

from ..extensions import db
from ..responses.models import PUBLISHABLE_SQL, Answer, Response
from . import export
from .models import ExportLine

LINE_CHUNK = 5000
#: Changed whenever the way a cell is written changes without changing the layout (times in
#: ISO 8601 with their offset, countries by name and code...), so older lines are not used.
LINE_FORMAT = 2
_keys: dict = {}


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
    """A response changed by any other way than the operations that refresh it loses its lines.

    The export then builds its row from the answers: slower, never wrong.
    """
    ids = _changed_responses(session)
    if ids:
        session.execute(delete(ExportLine).where(ExportLine.response_id.in_(ids)))


def refresh(consultation, first_id: int, last_id: int) -> int:
    """(Re)make the lines of the responses of ``consultation`` with ids in [first_id, last_id]."""
    key, plans = _layouts(consultation)
    writer = export.LineWriter()
    connection = db.session.connection()
    made = 0
    for responses in export.response_chunks(
        consultation, LINE_CHUNK, counted_only=False, first_id=first_id, last_id=last_id
    ):
        ids = [response.id for response in responses]
        personal = export.build_rows(plans[True], responses, export.read_answers(responses))
        public = export.build_rows(
            plans[False], responses, export.read_answers(responses, public=True)
        )
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
        made += len(ids)
    return made


def refresh_response(response) -> None:
    """Remake the lines of one response after it was stored, edited or erased (flushes first)."""
    db.session.flush()
    refresh(response.consultation, response.id, response.id)


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
