"""Accounts and signed-in clients for the administration tests."""

import re

import pyotp
from flask import current_app
from sqlalchemy import update

from consultation import clock
from consultation.audit.operations import Actor
from consultation.auth.models import User
from consultation.auth.operations import create_user, user_by_email
from consultation.auth.two_factor import STEP_SECONDS, current_step
from consultation.extensions import db

PASSWORD = "correct horse battery staple"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CODE_STEP = "/admin/sign-in/code"


def make_user(email, role, two_factor=None):
    """An account; one that must use two-factor sign-in has it set up already (an app whose
    secret the tests know), unless ``two_factor=False``."""
    user = create_user(email, role, PASSWORD, Actor("tests"))
    if two_factor is None:
        two_factor = user.two_factor_required(current_app.config)
    if two_factor:
        user.totp_secret = pyotp.random_base32()
        user.two_factor_since = clock.now_utc()
    db.session.commit()
    return user


def totp_code(email, step=None) -> str:
    """The code the person's authenticator app shows (at ``step``, by default now)."""
    db.session.expire_all()
    user = user_by_email(email)
    step = current_step() if step is None else step
    return pyotp.TOTP(user.totp_secret).at(step * STEP_SECONDS)


def csrf_from(page) -> str:
    return CSRF_RE.search(page.get_data(as_text=True)).group(1)


def sign_in(client, email, password=PASSWORD, next_url=None):
    """Sign in; with two-factor on, the code step too (the final answer is returned)."""
    url = "/admin/sign-in" + (f"?next={next_url}" if next_url else "")
    token = csrf_from(client.get(url))
    result = client.post(url, data={"email": email, "password": password, "csrf_token": token})
    if result.status_code == 302 and result.headers["Location"] == CODE_STEP:
        # The clock is frozen: a test signing in twice would give the same code again, which
        # is refused as a replay (tests/test_two_factor.py). Forget the last step it used.
        db.session.execute(
            update(User).where(User.email == email.strip().lower()).values(totp_last_step=None)
        )
        db.session.commit()
        token = csrf_from(client.get(CODE_STEP))
        result = client.post(CODE_STEP, data={"code": totp_code(email), "csrf_token": token})
    return result


def signed_in_csrf(client) -> str:
    """A CSRF token of the signed-in session (from any admin page)."""
    return csrf_from(client.get("/admin/audit"))


def signed_in_client(app, email="admin@example.org", role="admin"):
    """A test client signed in as a new account with ``role``."""
    make_user(email, role)
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client
