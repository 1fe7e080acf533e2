"""A database of its own for each measurement, thrown away afterwards.

SQLite: a file in the run's temporary folder. PostgreSQL: a database named
``bench_sub_<random>`` created on the server of ``BENCH_DATABASE_URL`` and dropped at the
end, so the shared ``test`` database (and anyone's tables in it) is never touched.
"""

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    """The server to create scratch databases on (its own database is only connected to)."""
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_POSTGRES)


def _libpq(url: str) -> str:
    """``url`` as psycopg itself takes it (no SQLAlchemy driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _administer(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(_libpq(url), autocommit=True, connect_timeout=5) as connection:
        connection.execute(statement)


@contextmanager
def fresh_database(backend: str, folder: Path, server_url: str | None = None) -> Iterator[str]:
    """Yield the SQLAlchemy URL of an empty database; drop it afterwards (PostgreSQL)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'bench.sqlite'}"
        return
    server_url = server_url or postgres_url()
    name = f"bench_sub_{secrets.token_hex(4)}"
    _administer(server_url, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        _administer(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_reachable(server_url: str) -> bool:
    """Whether scratch databases can be made on ``server_url``."""
    try:
        _administer(server_url, "SELECT 1")
    except Exception:  # noqa: BLE001 (any failure means: not available)
        return False
    return True


def references(url: str, query: str, **parameters) -> list[str]:
    """The first column of ``query``'s rows: the references a table holds."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.text(query), parameters).scalars())
    finally:
        engine.dispose()
