"""Rate limits: a polite 429 that keeps the answers; limits per address."""

import json
import logging
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from consultation import create_app, limits

from .answers import valid_form_data
from .conftest import form_tokens
from .processes import ROOT, environment, free_port, setting

SLUG = "apply-ai"


def app_with_limits(app, **settings):
    """Another app on the same database, with rate limits on and ``settings`` changed."""

    class Limited:
        pass

    config = {**app.config, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}
    config.update(settings)
    for key, value in config.items():
        if key.isupper():
            setattr(Limited, key, value)
    limited = create_app(Limited)
    limited.test_client_class = app.test_client_class
    return limited


@pytest.fixture
def limited_app(app):
    return app_with_limits(app, RATELIMIT_SUBMIT="2 per minute", RATELIMIT_SIGN_IN="3 per minute")


def test_submissions_beyond_the_limit_get_a_polite_429_keeping_the_answers(
    limited_app, consultations
):
    client = limited_app.test_client()
    questionnaire = consultations[SLUG].questionnaire
    statuses = []
    for _ in range(3):
        data = {**form_tokens(client, SLUG), **valid_form_data(questionnaire)}
        data.pop("q_position_paper")
        data["q_final_comments"] = "Please keep me"
        result = client.post(f"/consultations/{SLUG}/respond", data=data)
        statuses.append(result.status_code)
    assert statuses == [303, 303, 429]
    page = result.get_data(as_text=True)
    assert "Too many requests from your connection" in page
    assert "Please keep me" in page and "Try sending it again" in page
    assert int(result.headers["Retry-After"]) > 0


def wrong_sign_in(client, number):
    page = client.get("/admin/sign-in").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    data = {"email": f"user{number}@example.org", "password": "wrong", "csrf_token": token}
    return client.post("/admin/sign-in", data=data).status_code


def test_limits_are_per_address(limited_app):
    first = limited_app.test_client()
    second = limited_app.test_client()
    second.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert [wrong_sign_in(first, n) for n in range(4)] == [401, 401, 401, 429]
    assert wrong_sign_in(second, 9) == 401  # another address is not limited


def test_pages_are_not_limited(limited_app, consultations):
    client = limited_app.test_client()
    assert all(client.get("/").status_code == 200 for _ in range(10))


@pytest.mark.parametrize(("value", "enabled"), [(None, True), ("false", False), ("1", True)])
def test_limits_are_on_unless_the_environment_turns_them_off(value, enabled):
    """Only a load test turns them off (RATELIMIT_ENABLED=false); production keeps them."""
    env = environment(drop=["RATELIMIT_ENABLED"])
    if value is not None:
        env["RATELIMIT_ENABLED"] = value
    assert setting("RATELIMIT_ENABLED", env) == str(enabled)


def _concrete(rule):
    """A URL of ``rule`` with made-up values: the limit applies before the view looks."""
    return rule.build({arg: 1 if "id" in arg else "x" * 43 for arg in rule.arguments})[1]


def test_every_public_post_endpoint_is_limited(app, consultations):
    """Walks the URL map: a POST anyone can send is limited, or listed in UNLIMITED with why."""
    keys = {key for key, _ in limits.LIMITED.values()} | {limits.DEFAULT_LIMIT}
    limited = app_with_limits(app, **dict.fromkeys(keys, "1 per minute"))
    rules = [
        rule
        for rule in limited.url_map.iter_rules()
        if "POST" in rule.methods and not rule.endpoint.startswith("admin.")
    ]
    endpoints = {rule.endpoint for rule in rules}
    assert {"responses.respond", "drafts.resume", "drafts.email", "auth.sign_in"} <= endpoints
    assert all(reason.strip() for reason in limits.UNLIMITED.values())
    assert set(limits.UNLIMITED) <= endpoints, "an exception names an endpoint that is gone"
    client = limited.test_client()

    def post(url):
        # With a valid CSRF token: the limit is checked when the view is called, after CSRF
        # (and signing out clears the session, so a fresh token each time).
        page = client.get("/admin/sign-in").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        return client.post(url, data={"csrf_token": token}).status_code

    for rule in rules:
        if rule.endpoint not in limits.UNLIMITED:
            post(_concrete(rule))
            status = post(_concrete(rule))
            assert status == 429, f"{rule.endpoint} ({rule.rule}) has no limit: {status}"


# -- one machine, several worker processes (issue 13, item 7) -----------------------------


STORAGE_SETTINGS = ("RATELIMIT_STORAGE_URI", "REDIS_URL")


@pytest.fixture
def two_workers(app, tmp_path):
    """gunicorn with two sync workers, in production settings, with no limit storage named."""
    if app.config["BACKEND"] != "sqlite":
        pytest.skip("starts its own server on SQLite: once is enough")
    port = free_port()
    env = environment(
        drop=STORAGE_SETTINGS,
        APP_ENV="production",
        FLASK_APP="consultation",
        SECRET_KEY=secrets.token_hex(32),
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite'}",
        INSTANCE_PATH=str(tmp_path / "instance"),
        UPLOAD_FOLDER=str(tmp_path / "uploads"),
        RATELIMIT_SUBMIT="4 per minute",
        MIN_FORM_SECONDS="0",
    )
    for command in (["db", "upgrade"], ["consultations", "load", "--demo"]):
        subprocess.run(
            [sys.executable, "-m", "flask", *command],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    log = tmp_path / "access.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
        + ["--access-logfile", str(log), "--access-logformat", "%(p)s %(m)s %(s)s", "wsgi:app"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as health:
                status = json.load(health)
            break
        except OSError:
            assert server.poll() is None, server.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.3)
    yield base, log, status
    server.terminate()
    server.wait(timeout=20)


def _post_status(url):
    request = urllib.request.Request(url, data=b"", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_limit_holds_across_the_workers_of_one_machine(two_workers):
    base, log, health = two_workers
    assert health["rate_limits"] == "machine"
    url = base + "/consultations/apply-ai/respond"
    statuses = []
    with ThreadPoolExecutor(max_workers=6) as pool:
        for _ in range(10):  # until both workers have answered some of them
            statuses += pool.map(_post_status, [url] * 6)
            workers = {line.split()[0] for line in log.read_text().splitlines() if " POST " in line}
            if len(workers) == 2:
                break
    assert len(workers) == 2, "the requests did not reach both workers"
    # Counted per worker, each would let 4 through (8 in all): counted together, 4.
    assert len([s for s in statuses if s != 429]) == 4, statuses
    assert set(statuses) == {400, 429}


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, "consultation-sqlite://{instance}/rate-limits.sqlite"),
        ({"REDIS_URL": "redis://cache:6379/1"}, "redis://cache:6379/1"),
        (
            {"REDIS_URL": "redis://cache:6379/1", "RATELIMIT_STORAGE_URI": "redis://other:6379/0"},
            "redis://other:6379/0",
        ),
    ],
)
def test_the_default_storage_is_shared(tmp_path, settings, expected):
    """Redis when one is named; otherwise a file in the instance folder, never memory."""
    env = environment(drop=STORAGE_SETTINGS, **settings, INSTANCE_PATH=str(tmp_path))
    assert setting("RATELIMIT_STORAGE_URI", env) == expected.format(instance=tmp_path)


def test_per_process_limits_are_reported(app, caplog, monkeypatch):
    from config import Config

    class PerProcess(Config):
        SECRET_KEY = "x" * 32
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        SQLALCHEMY_ENGINE_OPTIONS = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        RATELIMIT_STORAGE_URI = "memory://"

    # Alembic's logging set-up (run by the migrations) disables the loggers existing then.
    monkeypatch.setattr(logging.getLogger("consultation"), "disabled", False)
    with caplog.at_level("WARNING"):
        per_process = create_app(PerProcess)
    assert "Rate limits are counted per process" in caplog.text
    assert per_process.test_client().get("/healthz").json["rate_limits"] == "process"
