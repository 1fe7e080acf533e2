"""Fixtures: one app per database backend, a clean database per test, a frozen clock.

Every test runs on SQLite; when ``TEST_DATABASE_URL`` is set it runs on PostgreSQL
too, in a schema of its own that is dropped at the end (the server is shared).
"""

import contextvars
import os
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient
from flask_migrate import upgrade

from config import TestingConfig
from consultation import clock, create_app
from consultation.consultations.models import Consultation
from consultation.consultations.operations import load_definition
from consultation.extensions import db
from consultation.questionnaires.loader import definition_files, parse_file
from consultation.reports import tallies
from consultation.reports.models import TallyOutbox

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def pytest_sessionstart(session):
    """Compile stale catalogues, as ``make test`` does, so a bare ``pytest`` speaks French too
    (once, before any xdist worker starts; each file replaced whole, never read half-written)."""
    if hasattr(session.config, "workerinput"):
        return
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with open(po, "rb") as source:
                catalog = read_po(source)
            partial = mo.with_suffix(f".mo.{os.getpid()}")
            with open(partial, "wb") as target:
                write_mo(target, catalog)
            os.replace(partial, mo)


def _postgres_config(url):
    schema = f"test_{os.getpid()}_{secrets.token_hex(4)}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    options = {"pool_pre_ping": True, "connect_args": {"options": f"-csearch_path={schema}"}}
    return schema, options


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, as in production.

    Tests hold an application context of their own; without this, requests would
    share its ``g`` (cached user, CSRF token) and its database session.
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)  # a streamed body is read inside that context too
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session", params=BACKENDS)
def app(request, tmp_path_factory):
    """The application on one backend, its schema built by the Alembic migrations."""
    folder = tmp_path_factory.mktemp(request.param)
    schema = None

    class Config(TestingConfig):
        UPLOAD_FOLDER = str(folder / "uploads")
        JOBS_QUEUE_FILE = str(folder / "jobs-queue.sqlite")
        REPORT_FOLDER = str(folder / "reports")

    if request.param == "sqlite":
        Config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'test.sqlite'}"
    else:
        url = os.environ["TEST_DATABASE_URL"]
        schema, Config.SQLALCHEMY_ENGINE_OPTIONS = _postgres_config(url)
        Config.SQLALCHEMY_DATABASE_URI = url
    application = create_app(Config)
    application.config["BACKEND"] = request.param
    application.test_client_class = IsolatedClient
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    if schema:
        engine = sa.create_engine(os.environ["TEST_DATABASE_URL"])
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(autouse=True)
def _context(app):
    """An application context per test, and an empty database afterwards."""
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        _check_tallies()
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture(autouse=True)
def _empty_job_queue(app):
    """Messages a test queued and did not run are not left for the next test."""
    yield
    for queue in app.extensions.get("job_queues", {}).values():
        if queue.backend == "sqlite":
            queue.flush()


def _check_tallies():
    """After every test, the answer tallies kept as responses were written, plus what the
    responses waiting for a worker add, equal a fresh count; and so do the tallies alone once
    a worker has counted those: a write that forgets them fails the test that made it."""
    for when in ("", " once the outbox was drained"):
        if when:
            tallies.drain()
            assert not db.session.scalar(sa.select(sa.func.count()).select_from(TallyOutbox))
        for consultation in db.session.scalars(sa.select(Consultation)):
            wrong = tallies.differences(consultation)
            assert not wrong, (
                f"answer tallies of {consultation.slug} are off{when}: {sorted(wrong.items())[:5]}"
            )


@pytest.fixture(autouse=True)
def frozen_clock():
    """The clock, frozen at a moment when the official consultations are open; tests move it."""

    class Clock:
        def set(self, moment: datetime):
            clock.freeze(moment)

        def set_brussels(self, text: str):
            clock.freeze(datetime.fromisoformat(text).replace(tzinfo=clock.BRUSSELS))

    clock.freeze(datetime(2025, 5, 26, 10, 0, tzinfo=UTC))
    yield Clock()
    clock.freeze(None)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def consultations():
    """The three shipped consultations, with their official windows."""
    for path in definition_files():
        load_definition(parse_file(path), source=path)
    db.session.commit()
    from consultation.consultations.queries import consultation_by_slug

    return {path.stem: consultation_by_slug(path.stem) for path in definition_files()}


TOKEN_RE = re.compile(r'name="(csrf_token|submission_token|form_served)"[^>]*value="([^"]*)"')


def form_tokens(client, slug) -> dict:
    """The hidden tokens of a freshly served questionnaire."""
    page = client.get(f"/consultations/{slug}/respond")
    assert page.status_code == 200, page.status_code
    tokens = dict(TOKEN_RE.findall(page.get_data(as_text=True)))
    assert set(tokens) == {"csrf_token", "submission_token", "form_served"}
    return tokens
