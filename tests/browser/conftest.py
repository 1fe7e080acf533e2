"""A live server in a subprocess and Debian's Chromium driven by Playwright.

The server runs the real application on a temporary SQLite file with the three
consultations loaded and open around today, so these tests need neither the
in-process app fixtures nor the frozen clock of the other tests.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]

#: Loads every shipped consultation, open from ten days ago to thirty days ahead.
LOAD_OPEN = """
from datetime import timedelta
from consultation import clock, create_app
from consultation.consultations.operations import load_definition
from consultation.extensions import db
from consultation.questionnaires.loader import definition_files, parse_file
app = create_app()
with app.app_context():
    today = clock.today_brussels()
    for path in definition_files():
        window = (today - timedelta(days=10), today + timedelta(days=30))
        load_definition(parse_file(path), window=window, source=path)
    db.session.commit()
"""


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _context():
    """Browser tests talk to their own server: no in-process app context or database."""
    yield


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The base URL of a running server with the three consultations open."""
    folder = tmp_path_factory.mktemp("live")
    env = {
        **os.environ,
        "APP_ENV": "development",
        "SECRET_KEY": "browser-tests",
        "INSTANCE_PATH": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'live.sqlite'}",
        "UPLOAD_FOLDER": str(folder / "uploads"),
        "FLASK_APP": "wsgi.py",
    }
    flask = [sys.executable, "-m", "flask"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, "-c", LOAD_OPEN], cwd=ROOT, env=env, check=True)
    port = _free_port()
    log = open(folder / "server.log", "wb")
    server = subprocess.Popen(
        [*flask, "run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            if server.poll() is not None:
                raise RuntimeError(f"the server stopped: {(folder / 'server.log').read_text()}")
            try:
                urllib.request.urlopen(url + "/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not answer within 10 seconds")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless; the tests skip when it or Playwright is missing."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium not found at {CHROMIUM}: install the 'chromium' package")
    playwright_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed (pip install -e '.[dev]')"
    )
    with playwright_api.sync_playwright() as playwright:
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
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server
    return page
