"""Accounts and signed-in clients for the administration tests."""

import re

from consultation.audit.operations import Actor
from consultation.auth.operations import create_user
from consultation.extensions import db

PASSWORD = "correct horse battery staple"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def make_user(email, role):
    user = create_user(email, role, PASSWORD, Actor("tests"))
    db.session.commit()
    return user


def csrf_from(page) -> str:
    return CSRF_RE.search(page.get_data(as_text=True)).group(1)


def sign_in(client, email, password=PASSWORD, next_url=None):
    url = "/admin/sign-in" + (f"?next={next_url}" if next_url else "")
    token = csrf_from(client.get(url))
    return client.post(url, data={"email": email, "password": password, "csrf_token": token})


def signed_in_csrf(client) -> str:
    """A CSRF token of the signed-in session (from any admin page)."""
    return csrf_from(client.get("/admin/audit"))


def signed_in_client(app, email="admin@example.org", role="admin"):
    """A test client signed in as a new account with ``role``."""
    make_user(email, role)
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client
