"""Rate limits: a polite 429 that keeps the answers; limits per address."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from consultation import create_app

from .answers import valid_form_data
from .conftest import form_tokens

SLUG = "apply-ai"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def limited_app(app):
    class Limited(type("Base", (), {})):
        pass

    config = {**app.config}
    config.update(
        RATELIMIT_ENABLED=True,
        RATELIMIT_SUBMIT="2 per minute",
        RATELIMIT_SIGN_IN="3 per minute",
        RATELIMIT_STORAGE_URI="memory://",
    )
    for key, value in config.items():
        if key.isupper():
            setattr(Limited, key, value)
    limited = create_app(Limited)
    limited.test_client_class = app.test_client_class
    return limited


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
    env = {key: v for key, v in os.environ.items() if key != "RATELIMIT_ENABLED"}
    if value is not None:
        env["RATELIMIT_ENABLED"] = value
    shown = subprocess.run(
        [sys.executable, "-c", "import config; print(config.Config.RATELIMIT_ENABLED)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert shown == str(enabled)
