"""Two application processes sharing one PostgreSQL and one Redis behave as one site.

Runs where PostgreSQL (TEST_DATABASE_URL) and Redis (127.0.0.1:6379) are reachable; CI has both.
"""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pyotp
import pytest
import sqlalchemy as sa

from .live_server import Browser

ROOT = Path(__file__).resolve().parent.parent
REDIS = ("127.0.0.1", 6379)


def _reachable(address):
    try:
        with socket.create_connection(address, timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL") or not _reachable(REDIS),
    reason="needs PostgreSQL (TEST_DATABASE_URL) and Redis on 127.0.0.1:6379",
)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _once(app):
    """These tests start their own servers: run them once, with the PostgreSQL run."""
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("runs once, with the PostgreSQL backend")


def _up(base):
    try:
        return Browser(base).get("/healthz")[0] == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Two servers on two ports, one database schema, one Redis, one secret key."""
    url = os.environ["TEST_DATABASE_URL"]
    schema = f"multi_{os.getpid()}_{secrets.token_hex(3)}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    folder = tmp_path_factory.mktemp("multi")
    env = {
        **os.environ,
        "APP_ENV": "development",
        "FLASK_APP": "consultation",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"{url}?options={quote(f'-csearch_path={schema}')}",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "RATELIMIT_KEY_PREFIX": f"test-{schema}",
        "RATELIMIT_SIGN_IN": "4 per minute",
        "PROXY_FIX_X_FOR": "1",
        "MIN_FORM_SECONDS": "0",  # the bot checks have their own tests
        "UPLOAD_FOLDER": str(folder / "uploads"),
        "INSTANCE_PATH": str(folder),
    }
    flask = [sys.executable, "-m", "flask"]
    for command in (["db", "upgrade"], ["consultations", "load", "--demo"]):
        subprocess.run(flask + command, env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run(
        flask + ["users", "create", "admin@example.org", "--role", "admin", "--password-stdin"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        input=b"multi server password\n",
    )
    servers, bases = [], []
    for _ in range(2):
        port = _free_port()
        servers.append(
            subprocess.Popen(
                flask + ["--app", "wsgi", "run", "--port", str(port), "--no-reload"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 60
    for base in bases:
        while not _up(base):
            assert time.monotonic() < deadline, "a server did not start"
            time.sleep(0.2)
    yield bases
    for server in servers:
        server.terminate()
        server.wait(timeout=10)
    with engine.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def test_a_draft_saved_on_one_server_resumes_on_the_other(site):
    first, second = site
    browser = Browser(first)
    tokens = browser.form_tokens("apply-ai")
    status, url, page = browser.post(
        "/consultations/apply-ai/respond",
        {**tokens, "action": "save_draft", "q_first_name": "Ingrid Two-Servers"},
    )
    assert status == 200 and "/drafts/saved" in url, page[:500]
    token = re.search(r"/drafts/([A-Za-z0-9_\-]{30,})", page).group(1)
    status, _, resumed = Browser(second).get(f"/drafts/{token}")
    assert status == 200
    assert "Ingrid Two-Servers" in resumed


def test_a_closing_on_one_server_is_seen_at_once_by_the_other(site):
    first, second = site
    assert Browser(second).get("/consultations/cloud-ai-development-act/respond")[0] == 200
    admin = Browser(first)
    page = admin.get("/admin/sign-in")[2]
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    admin.post(
        "/admin/sign-in",
        {"email": "admin@example.org", "password": "multi server password", "csrf_token": csrf},
    )
    # An admin made on the command line sets up two-factor sign-in first (on the other server).
    page = admin.get("/admin/account/two-factor")[2]
    secret = re.sub(r"\s", "", re.search(r'id="totp-secret">([^<]+)<', page).group(1))
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    enrol = {"code": pyotp.TOTP(secret).now(), "csrf_token": csrf}
    status, _, _ = admin.post("/admin/account/two-factor", enrol)
    assert status == 200
    page = admin.get("/admin/consultations/cloud-ai-development-act")[2]
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    status, _, done = admin.post(
        "/admin/consultations/cloud-ai-development-act/close",
        {"csrf_token": csrf, "confirm": "yes", "reason": "two servers"},
    )
    assert status == 200 and "was closed" in done
    status, _, refused = Browser(second).get("/consultations/cloud-ai-development-act/respond")
    assert status == 403 and "This consultation has closed" in refused


def test_rate_limits_are_shared(site):
    first, second = site
    statuses = []
    for attempt in range(6):
        browser = Browser(site[attempt % 2], forwarded_for="203.0.113.50")
        page = browser.get("/admin/sign-in")[2]
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        status, _, _ = browser.post(
            "/admin/sign-in",
            {"email": f"nobody{attempt}@example.org", "password": "x", "csrf_token": csrf},
        )
        statuses.append(status)
    # 4 per minute for the address, counted across both servers
    assert statuses[:4] == [401, 401, 401, 401] and statuses[4:] == [429, 429]
