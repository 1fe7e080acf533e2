"""SQLite as deployed: write-ahead logging, and every commit on disk before the receipt.

``synchronous=FULL`` is what makes a receipt mean "stored" through a power cut; the
benchmark's floor must pay the same price, or the ratio the benchmark reports is unfair.
"""

import pytest
from sqlalchemy import text

from benchmarks.floor_app import Store
from consultation.extensions import db

FULL = 2  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA


@pytest.fixture(autouse=True)
def _sqlite_only(app):
    if app.config["BACKEND"] != "sqlite":
        pytest.skip("SQLite settings")


def test_the_app_writes_through_the_log_and_waits_for_the_disk():
    connection = db.session.connection()
    assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert connection.execute(text("PRAGMA synchronous")).scalar() == FULL


def test_the_benchmark_floor_uses_the_same_settings(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'floor.sqlite'}")
    store.create_table()
    connection = store.connection()
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA synchronous").fetchone()[0] == FULL
    store.insert("r1", "slug", "{}")
    assert store.exists("r1")
