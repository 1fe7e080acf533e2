"""Private links just made, held for this browser for the few minutes their page shows them.

The page right after sending (or saving a draft) shows its private links again on a
reload or a change of language, in that browser only, for ten minutes; then never.
Flask's session cookie is signed, not encrypted: a token kept in it can be read by
anyone who gets hold of the cookie (a shared computer, a copied cookie, a log), long
after the page stopped showing it. So the cookie holds only a random key. The row
that key names (by its SHA-256) holds the tokens sealed with it, and is deleted once
its time is up: the cookie alone, or a copy of the database alone, opens nothing,
and after the ten minutes nothing does.

Sealing is a one-time pad: each key is random, made for one row, and each token in
the row is XOR-ed with its own HMAC-SHA256 keystream of that key.
"""

import base64
import binascii
import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import session
from sqlalchemy import delete, select

from .. import clock
from ..extensions import db
from .models import PendingLinks

#: How long a private link stays on its page in the same browser after it was made.
GRACE = timedelta(minutes=10)
#: Expired rows deleted at most by one request: the work of a write stays small.
SWEEP_BATCH = 100
#: A process sweeps at most this often: rows whose time is up open nothing meanwhile
#: (``held`` checks the time), so a sweep at every contribution was work for nothing.
SWEEP_EVERY = timedelta(minutes=1)
_last_sweep = None
#: Session keys that once held private links in the clear; dropped when seen.
LEGACY_KEYS = ("receipt_link", "draft_saved")


def hold(kind: str, tokens: dict[str, str], **public) -> None:
    """Keep ``tokens`` (name -> token) for this browser's page ``kind`` for ``GRACE``.

    ``public`` holds what may be kept as it is (a response's id, a flag). Rows whose
    time is up go at the same moment. Flushes; the caller commits.
    """
    now = clock.now_utc()
    _sweep_now_and_then(now)
    key = secrets.token_bytes(32)
    sealed = {name: _seal(key, name, token) for name, token in tokens.items()}
    db.session.add(
        PendingLinks(
            id=_row_id(key),
            kind=kind,
            data={"sealed": sealed, "public": public},
            expires_at=now + GRACE,
        )
    )
    db.session.flush()
    session[_session_key(kind)] = base64.urlsafe_b64encode(key).decode()


def held(kind: str) -> dict | None:
    """What this browser holds for page ``kind``, tokens unsealed, while its time lasts.

    Once the time is up the row is deleted (the caller commits) and the key leaves
    the session, so the cookie no longer names anything.
    """
    for name in LEGACY_KEYS:  # from before: they held the tokens themselves
        session.pop(name, None)
    encoded = session.get(_session_key(kind))
    if not encoded:
        return None
    try:
        key = base64.urlsafe_b64decode(encoded.encode())
    except (binascii.Error, ValueError, AttributeError):
        session.pop(_session_key(kind))
        return None
    row = db.session.get(PendingLinks, _row_id(key))
    if row is None or row.kind != kind or row.expires_at <= clock.now_utc():
        if row is not None:
            db.session.delete(row)
            db.session.flush()
        session.pop(_session_key(kind))
        return None
    tokens = {name: _unseal(key, name, text) for name, text in row.data["sealed"].items()}
    return {**row.data["public"], **tokens}


def _sweep_now_and_then(now) -> None:
    """``_sweep`` if this process has not swept for ``SWEEP_EVERY`` (on the one clock)."""
    global _last_sweep
    if _last_sweep is not None and abs(now - _last_sweep) < SWEEP_EVERY:
        return
    _sweep(now)
    _last_sweep = now


def _sweep(now) -> None:
    """Delete rows whose time is up, skipping those another request is deleting.

    Concurrent submissions sweep at once: waiting on each other's row locks (on
    PostgreSQL) could deadlock a contribution's transaction, so locked rows are
    left to the next sweep (SQLite writes one at a time anyway).
    """
    expired = (
        select(PendingLinks.id)
        .where(PendingLinks.expires_at <= now)
        .limit(SWEEP_BATCH)
        .with_for_update(skip_locked=True)
    )
    db.session.execute(delete(PendingLinks).where(PendingLinks.id.in_(expired)))


def _session_key(kind: str) -> str:
    return f"pending_{kind}"


def _row_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()


def _keystream(key: bytes, name: str, length: int) -> bytes:
    blocks = (
        hmac.new(key, f"{name}:{counter}".encode(), hashlib.sha256).digest()
        for counter in range(-(-length // 32))
    )
    return b"".join(blocks)[:length]


def _xor(key: bytes, name: str, data: bytes) -> bytes:
    pad = _keystream(key, name, len(data))
    return bytes(a ^ b for a, b in zip(data, pad, strict=True))


def _seal(key: bytes, name: str, token: str) -> str:
    return base64.b64encode(_xor(key, name, token.encode())).decode()


def _unseal(key: bytes, name: str, sealed: str) -> str:
    return _xor(key, name, base64.b64decode(sealed)).decode()
