"""PostgreSQL goes away and comes back: submissions get a 503 that keeps the answers, and
the application recovers by itself."""

import os

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from config import TestingConfig
from consultation import create_app
from consultation.extensions import db
from consultation.responses.models import Response

from .answers import valid_form_data
from .conftest import form_tokens
from .tcp_proxy import TcpProxy

SLUG = "apply-ai"


@pytest.fixture
def proxied_app(app):
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL); SQLite failures: test_resilience.py")
    url = make_url(os.environ["TEST_DATABASE_URL"])
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.start()

    class Proxied(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url.set(host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False
        )
        SQLALCHEMY_ENGINE_OPTIONS = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "pool_pre_ping": True,
        }
        UPLOAD_FOLDER = app.config["UPLOAD_FOLDER"]

    proxied = create_app(Proxied)
    proxied.test_client_class = app.test_client_class
    yield proxied, proxy
    proxy.stop()
    with proxied.app_context():
        db.engine.dispose()


def count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def test_database_stops_and_returns(proxied_app, consultations):
    app, proxy = proxied_app
    client = app.test_client()
    questionnaire = consultations[SLUG].questionnaire

    first = {**form_tokens(client, SLUG), **valid_form_data(questionnaire)}
    assert client.post(f"/consultations/{SLUG}/respond", data=first).status_code == 303

    second = {**form_tokens(client, SLUG), **valid_form_data(questionnaire)}
    second.pop("q_position_paper")
    second["q_final_comments"] = "Sent while the database was down"
    proxy.stop()
    down = client.post(f"/consultations/{SLUG}/respond", data=second)
    assert down.status_code == 503
    assert "Sent while the database was down" in down.get_data(as_text=True)
    assert client.get("/healthz").status_code == 503

    proxy.start()
    assert client.get("/healthz").status_code == 200
    retry = client.post(f"/consultations/{SLUG}/respond", data=second)
    assert retry.status_code == 303
    assert count(app) == 2
