"""Sign-in: generic errors, slowing down and locking guessing, safe redirects, sessions."""

import time
from datetime import timedelta

import pytest

from consultation import clock
from consultation.auth.models import User
from consultation.extensions import db

from .admin_helpers import PASSWORD, make_user, sign_in


@pytest.fixture
def admin():
    return make_user("admin@example.org", "admin")


def advance(seconds):
    clock.freeze(clock.now_utc() + timedelta(seconds=seconds))


def test_password_is_hashed_with_scrypt(admin):
    assert admin.password_hash.startswith("scrypt:")
    assert PASSWORD not in admin.password_hash


def test_sign_in_and_out(client, admin):
    result = sign_in(client, "Admin@Example.org ")
    assert result.status_code == 302 and result.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    page = client.get("/admin/audit").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/admin/sign-out", data={"csrf_token": token})
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize(
    "email, password", [("admin@example.org", "wrong"), ("nobody@x.org", PASSWORD)]
)
def test_wrong_credentials_get_one_generic_message(client, admin, email, password):
    result = sign_in(client, email, password)
    assert result.status_code == 401
    assert "The e-mail address or the password is wrong." in result.get_data(as_text=True)


def test_disabled_user_cannot_sign_in(client, admin):
    admin.active = False
    db.session.commit()
    assert sign_in(client, "admin@example.org").status_code == 401


def test_repeated_failures_slow_down_then_lock(client, admin):
    for _ in range(2):
        assert sign_in(client, "admin@example.org", "wrong").status_code == 401
    slowed = sign_in(client, "admin@example.org", PASSWORD)
    assert slowed.status_code == 429 and "Wait" in slowed.get_data(as_text=True)
    for _ in range(3):
        advance(30)
        assert sign_in(client, "admin@example.org", "wrong").status_code == 401
    advance(60)
    locked = sign_in(client, "admin@example.org", PASSWORD)
    assert locked.status_code == 429
    assert "locked" in locked.get_data(as_text=True)
    advance(15 * 60)
    assert sign_in(client, "admin@example.org", PASSWORD).status_code == 302


def test_lock_is_per_account_and_address(app, admin):
    make_user("other@example.org", "analyst")
    attacker = app.test_client()
    for _ in range(5):
        attacker.environ_base["REMOTE_ADDR"] = "203.0.113.9"
        sign_in(attacker, "admin@example.org", "wrong")
        advance(40)
    assert sign_in(attacker, "admin@example.org", PASSWORD).status_code == 429
    colleague = app.test_client()
    colleague.environ_base["REMOTE_ADDR"] = "198.51.100.4"
    assert sign_in(colleague, "admin@example.org", PASSWORD).status_code == 302
    assert sign_in(attacker, "other@example.org", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "http:/evil", "javascript:x"],
)
def test_next_never_leaves_the_site(client, admin, target):
    result = sign_in(client, "admin@example.org", next_url=target)
    assert result.headers["Location"] == "/admin/"


def test_next_inside_the_site_is_followed(client, admin):
    result = sign_in(client, "admin@example.org", next_url="/admin/audit")
    assert result.headers["Location"] == "/admin/audit"


@pytest.mark.parametrize("email", ["\x00", "ada\x00@example.org", "ada@example.org\n"])
def test_control_characters_in_the_address_are_refused_not_looked_up(client, admin, email):
    """PostgreSQL cannot compare text holding NUL: the form refuses it before any query."""
    result = sign_in(client, email, "whatever it is")
    assert result.status_code == 400
    assert "Enter an e-mail address in the form name@example.org." in result.get_data(as_text=True)


def test_sign_in_without_csrf_is_refused(client, admin):
    result = client.post(
        "/admin/sign-in", data={"email": "admin@example.org", "password": PASSWORD}
    )
    assert result.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_session_cookie_flags(client, admin):
    result = sign_in(client, "admin@example.org")
    cookie = result.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    from config import Config

    assert Config.SESSION_COOKIE_SECURE is True


def test_session_ends_after_inactivity(app, client, admin):
    original = app.permanent_session_lifetime
    app.permanent_session_lifetime = timedelta(seconds=1)
    try:
        sign_in(client, "admin@example.org")
        assert client.get("/admin/").status_code == 200
        time.sleep(2.1)
        assert client.get("/admin/").status_code == 302
    finally:
        app.permanent_session_lifetime = original


def test_changing_the_password_ends_other_sessions(client, admin):
    sign_in(client, "admin@example.org")
    user = db.session.get(User, admin.id)
    user.set_password("a brand new long password")
    db.session.commit()
    assert client.get("/admin/").status_code == 302
