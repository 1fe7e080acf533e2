"""A live server on a free loopback port and Debian's Chromium driven by Playwright.

The server runs the real application in a thread on a temporary SQLite file, the
three consultations open around today, on the real clock: so these tests need
neither the in-process database fixtures nor the frozen clock of the other tests,
and a test can still reach the server's application (``live_server.app``), for
example to close a consultation early. Without Chromium the tests are skipped.
"""

import os
import shutil
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from config import TestingConfig
from consultation import clock, create_app
from consultation.consultations.operations import demo_window, load_definition
from consultation.extensions import db
from consultation.questionnaires.loader import definition_files, parse_file

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def frozen_clock():
    """Unlike the other tests, these run on the real clock, shared with the live server."""
    clock.freeze(None)
    yield


@pytest.fixture(autouse=True)
def _context():
    """The live server has its own database; nothing to clean in the unit-test one."""
    yield


@pytest.fixture(autouse=True)
def _empty_job_queue():
    """Nor a unit-test job queue to empty: so these tests do not ask for the ``app`` of each
    database backend, and run once, against the live server's own database."""
    yield


@pytest.fixture(scope="package")
def live_server(tmp_path_factory):
    """The application served on 127.0.0.1 at a free port, consultations open around today."""
    folder = tmp_path_factory.mktemp("live")

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'live.sqlite'}"
        UPLOAD_FOLDER = str(folder / "uploads")
        JOBS_QUEUE_FILE = str(folder / "jobs-queue.sqlite")
        REPORT_FOLDER = str(folder / "reports")

    app = create_app(Config)
    with app.app_context():
        upgrade()
        today = clock.today_brussels()
        for path in definition_files():
            definition = parse_file(path)
            window = demo_window(definition, today, closed=False)
            load_definition(definition, window=window, source=path)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", app=app)
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="package")
def browser():
    """Debian's Chromium (never a downloaded one), headless; skipped when it is missing."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(
            f"Debian's Chromium is not installed at {CHROMIUM} "
            "(apt-get install chromium); browser tests skipped"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed (pip install -e '.[dev]')"
    )
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    """A fresh browser profile per test: no cookies, English unless the test says otherwise."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.fixture
def page(context, live_server):
    """A page in that profile; ``page.base_url`` is the live server's address."""
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    return page


@pytest.fixture(scope="package")
def screenshots(tmp_path_factory):
    """Where screenshots go: $BROWSER_SCREENSHOTS if set (to look at them), else a temp folder."""
    folder = Path(os.environ.get("BROWSER_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)

    def shoot(page, name):
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return shoot
