"""Rate-limit counters in a SQLite file, shared by every process of one machine.

The in-memory storage counts per process: with four gunicorn workers a limit of
20 a minute lets 80 through. Redis shares counters between machines; without it,
this storage (``consultation-sqlite:///path/to/file``) shares them between the
processes of one machine, which is what a single-server deployment needs.

It implements the fixed-window strategy (Flask-Limiter's default, the one we use):
a counter per key that starts with its first hit and ends ``expiry`` seconds later.
Each hit is one SQL statement (an upsert that also restarts an ended window and
returns the new count), so concurrent processes can never both take the last place.
"""

import os
import sqlite3
import threading
import time
from pathlib import Path

from limits.storage import Storage

SCHEME = "consultation-sqlite"
#: Ended windows are deleted every this many hits of a process (they are ignored anyway).
PURGE_EVERY = 500

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS rate_limit_counters ("
    " key TEXT PRIMARY KEY, hits INTEGER NOT NULL, expires_at REAL NOT NULL)"
)
_HIT = (
    "INSERT INTO rate_limit_counters (key, hits, expires_at) VALUES (:key, :amount, :expires) "
    "ON CONFLICT (key) DO UPDATE SET "
    " hits = CASE WHEN expires_at <= :now THEN excluded.hits ELSE hits + excluded.hits END,"
    " expires_at = CASE WHEN expires_at <= :now THEN excluded.expires_at ELSE expires_at END "
    "RETURNING hits"
)


class SQLiteStorage(Storage):
    """Fixed-window rate-limit counters in one SQLite file (see the module's docstring)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = Path(uri.split("://", 1)[1])
        self._local = threading.local()
        self._hits = 0

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        # One connection per thread and per process: a connection must not cross a fork.
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=15, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(_SCHEMA)
            local.connection, local.pid = connection, os.getpid()
        return local.connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        connection = self._connection()
        (hits,) = connection.execute(
            _HIT, {"key": key, "amount": amount, "expires": now + expiry, "now": now}
        ).fetchone()
        self._hits += 1
        if self._hits % PURGE_EVERY == 0:
            connection.execute("DELETE FROM rate_limit_counters WHERE expires_at <= ?", (now,))
        return hits

    def _live(self, column: str, key: str):
        row = (
            self._connection()
            .execute(
                f"SELECT {column} FROM rate_limit_counters WHERE key = ? AND expires_at > ?",
                (key, time.time()),
            )
            .fetchone()
        )
        return row[0] if row else None

    def get(self, key: str) -> int:
        return self._live("hits", key) or 0

    def get_expiry(self, key: str) -> float:
        return self._live("expires_at", key) or time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM rate_limit_counters").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM rate_limit_counters WHERE key = ?", (key,))
