"""Security headers, health checks, start-up checks, and a database that fails mid-submission."""

import contextlib

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from consultation.extensions import db
from consultation.responses.models import Response
from consultation.startup import check_ready

from .answers import valid_form_data
from .conftest import form_tokens

SLUG = "apply-ai"


@contextlib.contextmanager
def database_down():
    """Every statement fails as if the server had gone away, until the block ends."""

    def fail(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    event.listen(db.engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", fail)


def test_security_headers_on_every_page(client, consultations):
    for url in ("/", f"/consultations/{SLUG}", f"/consultations/{SLUG}/respond", "/nope"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] in ("same-origin", "no-referrer")
        assert "Strict-Transport-Security" not in headers  # testing profile: no HTTPS


def test_hsts_outside_development(app):
    from config import Config
    from consultation import create_app

    class Production(Config):
        SECRET_KEY = "x" * 32
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    production = create_app(Production)
    headers = production.test_client().get("/static/app.css").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_inline_script_in_pages(client, consultations):
    page = client.get(f"/consultations/{SLUG}/respond").get_data(as_text=True)
    assert "<script>" not in page and " onclick=" not in page and "style=" not in page


def test_healthz(client):
    result = client.get("/healthz")
    assert result.status_code == 200 and result.json["status"] == "ok"
    with database_down():
        down = client.get("/healthz")
    assert down.status_code == 503 and down.json["database"] == "unreachable"
    assert client.get("/healthz").status_code == 200


def test_database_failure_during_submission_keeps_the_answers(client, consultations):
    data = {**form_tokens(client, SLUG), **valid_form_data(consultations[SLUG].questionnaire)}
    data["q_final_comments"] = "Words I do not want to lose"
    with database_down():
        result = client.post(f"/consultations/{SLUG}/respond", data=data)
    page = result.get_data(as_text=True)
    assert result.status_code == 503
    assert result.headers["Retry-After"] == "30"
    assert "We could not save your contribution just now" in page
    assert "Words I do not want to lose" in page
    assert 'href="data:text/plain;charset=utf-8,' in page and "Words%20I%20do%20not" in page
    assert 'name="submission_token"' in page  # the retry button resends the same form

    # the database is back: the same form, sent again, is stored once
    retry = {k: v for k, v in data.items() if k != "q_position_paper"}
    again = client.post(f"/consultations/{SLUG}/respond", data=retry)
    assert again.status_code == 303
    assert client.post(f"/consultations/{SLUG}/respond", data=retry).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_startup_checks_pass_on_a_migrated_database(app):
    assert check_ready(app) == []


def test_startup_checks_explain_what_is_wrong(tmp_path):
    from config import Config
    from consultation import create_app

    class Broken(Config):
        SECRET_KEY = "short"
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'empty.sqlite'}"
        UPLOAD_FOLDER = "/proc/not-writable"

    problems = check_ready(create_app(Broken))
    text = "\n".join(problems)
    assert "SECRET_KEY is too short" in text
    assert "/proc/not-writable is not writable" in text
    assert "Run: flask db upgrade" in text


def test_wsgi_refuses_to_start_when_not_ready(tmp_path, monkeypatch, capsys):
    import importlib
    import sys

    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    monkeypatch.setenv("UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.delitem(sys.modules, "wsgi", raising=False)
    import config

    importlib.reload(config)
    try:
        with pytest.raises(SystemExit) as stopped:
            importlib.import_module("wsgi")
        assert stopped.value.code == 4  # gunicorn stops instead of starting workers again
        assert "Run: flask db upgrade" in capsys.readouterr().err
    finally:
        monkeypatch.undo()
        importlib.reload(config)
        sys.modules.pop("wsgi", None)


def test_oversized_request_gets_a_clear_413_page(client, consultations):
    data = {**form_tokens(client, SLUG), "q_final_comments": "x" * (6 * 1024 * 1024)}
    result = client.post(f"/consultations/{SLUG}/respond", data=data)
    assert result.status_code == 413
    assert "What you sent is too large" in result.get_data(as_text=True)


def test_no_debug_pages_outside_development(tmp_path):
    from config import Config
    from consultation import create_app

    class Production(Config):
        SECRET_KEY = "x" * 32
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'p.sqlite'}"
        UPLOAD_FOLDER = str(tmp_path)

    production = create_app(Production)
    assert not production.debug and not production.testing

    @production.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    result = production.test_client().get("/boom")
    page = result.get_data(as_text=True)
    assert result.status_code == 500
    assert "Something went wrong on our side" in page
    assert "secret internals" not in page and "Traceback" not in page
