"""The counts beside the public list's filters, from one pass over the published rows.

A *cube* is the number of public contributions for each combination of the filter columns
(respondent type, country, language, size, with a document): a few thousand rows even at
a million contributions, read in one GROUP BY. Every filter's counts, with the other
filters as they are set, are sums over it, so one cube answers every combination of
filters. Without a text search the cube is kept for ``FACET_CACHE_SECONDS`` (default 60)
per process: the list itself is always read live, its counts may be that much older. With
a search, or with the setting at 0 (the tests), it is counted for the request.

At a million contributions the count takes a fifth of a second, too long for a visitor's
request even once a minute: so the workers count each public consultation's cube every
minute (``refresh_stored``, a periodic task of ``jobs.queue``) and keep it in
``facet_cubes``; a request reads that row. Only when no worker has counted for
``FACET_STORED_SECONDS`` (default 180: no worker runs, say) does a request count itself.
"""

import json
import time
from collections import Counter
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from .. import clock
from ..consultations.models import Consultation
from ..extensions import db
from .models import FacetCube

#: (when counted, rows) by application, consultation and its settings' version.
_CACHE: dict = {}
#: Cubes kept at most (one per consultation, without a search).
_CACHE_SIZE = 64


def cube(consultation, select_published, columns, search=None) -> list[tuple]:
    """(value of each column..., count) for every combination that has public rows."""
    query = (
        select_published(consultation, None, search)
        .with_only_columns(*columns, func.count())
        .group_by(*columns)
    )
    return [tuple(row) for row in db.session.execute(query)]


def cached_cube(consultation, select_published, columns) -> list[tuple]:
    """The cube without a search, counted at most ``FACET_CACHE_SECONDS`` ago here."""
    seconds = current_app.config.get("FACET_CACHE_SECONDS", 60)
    if not seconds:
        return cube(consultation, select_published, columns)
    key = (
        id(current_app._get_current_object()),
        consultation.id,
        consultation.publication_mode,
        consultation.updated_at,
    )
    found = _CACHE.get(key)
    now = time.monotonic()
    if found is not None and now - found[0] < seconds:
        return found[1]
    rows = stored_cube(consultation)
    if rows is None:
        rows = cube(consultation, select_published, columns)
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    _CACHE[key] = (now, rows)
    return rows


def stored_key(consultation) -> str:
    """What a stored cube depends on besides the contributions: the publication setting and
    the consultation's last change (a new setting is never counted under the old one)."""
    changed = consultation.updated_at.isoformat() if consultation.updated_at else ""
    return f"{consultation.publication_mode}|{changed}"


def stored_cube(consultation) -> list[tuple] | None:
    """The cube a worker counted for ``consultation`` at most ``FACET_STORED_SECONDS`` ago,
    under its current setting; None when there is none."""
    record = db.session.get(FacetCube, consultation.id)
    if record is None or record.key != stored_key(consultation):
        return None
    seconds = current_app.config.get("FACET_STORED_SECONDS", 180)
    if clock.now_utc() - record.counted_at > timedelta(seconds=seconds):
        return None
    return [tuple(row) for row in json.loads(record.rows)]


def refresh_stored(visible, select_published, columns) -> int:
    """Count the cube of every consultation whose contributions are public now
    (``visible(consultation)``) and keep it; the number counted. Flushes; the caller commits."""
    counted = 0
    for consultation in db.session.scalars(select(Consultation).order_by(Consultation.id)):
        if not visible(consultation):
            continue
        rows = cube(consultation, select_published, columns)
        record = db.session.get(FacetCube, consultation.id)
        if record is None:
            record = FacetCube(consultation_id=consultation.id)
            db.session.add(record)
        record.key = stored_key(consultation)
        record.counted_at = clock.now_utc()
        record.rows = json.dumps([list(row) for row in rows])
        counted += 1
    db.session.flush()
    return counted


def counts(rows, names, filters) -> dict[str, dict]:
    """Each filter's counts with the other filters as set ({name: {value: n}}), and the
    total for all of them ({"total": {None: n}}), summed from the cube ``rows``."""
    chosen = [getattr(filters, name) for name in names]

    def matches(row, skip):
        return all(
            want is None or _value(name, row[i]) == want
            for i, (name, want) in enumerate(zip(names, chosen, strict=True))
            if i != skip
        )

    result = {name: Counter() for name in names}
    total = 0
    for row in rows:
        count = row[-1]
        for i, name in enumerate(names):
            if matches(row, i):
                result[name][_value(name, row[i])] += count
        if matches(row, None):
            total += count
    found = {name: dict(values) for name, values in result.items()}
    found["total"] = {None: total}
    return found


def _value(name, value):
    """A stored value as a filter compares it (a document: yes or no)."""
    return bool(value) if name == "has_attachment" else value


def forget():
    """Count again at the next request (after a change a test wants to see at once)."""
    _CACHE.clear()
