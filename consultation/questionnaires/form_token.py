"""The questionnaire's own protection against forged posts, valid for a day, not for a session.

The Flask session, and the CSRF token Flask-WTF keeps in it, ends after
``SESSION_IDLE_MINUTES`` of inactivity: right for an administrator, wrong for a
person who spends an afternoon on a long questionnaire. The questionnaire's token
is signed with a time limit of its own (``QUESTIONNAIRE_TOKEN_HOURS``, on the
application's clock) and bound to

- this browser: a random key kept in a cookie of its own, which another site can
  neither read nor set, so a page on another site cannot post a valid form; and
- the form served: its submission token.

A refused token loses nothing: the questionnaire comes back with every answer and
the chosen files, and a fresh token.
"""

import hashlib
import hmac
import re
import secrets

from flask import current_app, g, request
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from markupsafe import Markup, escape

from .. import clock

#: The form field that carries the token (the name every form of the site uses for it).
FIELD = "csrf_token"
COOKIE = "form_key"
_KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


class _ClockSigner(TimestampSigner):
    """Timestamps from the one clock, so that a time limit means the same in tests."""

    def get_timestamp(self) -> int:
        return int(clock.now_utc().timestamp())


def _serializer():
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt="questionnaire-form", signer=_ClockSigner
    )


def _max_age() -> int:
    return int(current_app.config["QUESTIONNAIRE_TOKEN_HOURS"] * 3600)


def _digest(text: str) -> str:
    # The page carries digests only: the cookie's key never appears in the HTML.
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _browser_key() -> str:
    """This browser's key: from its cookie, or a new one sent with this response."""
    key = g.get("form_key") or request.cookies.get(COOKIE, "")
    if not _KEY_SHAPE.fullmatch(key):
        key = secrets.token_urlsafe(32)
    g.form_key = key  # (re)sent by ``refresh_cookie``, so it lasts as long as the token
    return key


def form_token(submission_token: str | None) -> str:
    """A token for the form carrying ``submission_token``, valid in this browser only."""
    payload = {"b": _digest(_browser_key()), "s": _digest(submission_token or "")}
    return _serializer().dumps(payload)


def token_field(form) -> Markup:
    """The hidden field with the token of ``form`` (its submission token must be set)."""
    token = form_token(form.submission_token.data)
    return Markup(f'<input type="hidden" name="{FIELD}" value="{escape(token)}">')


def form_token_ok(token: str | None, submission_token: str | None) -> bool:
    """Whether ``token`` was issued to this browser, for this form, within the time limit."""
    key = request.cookies.get(COOKIE, "")
    if not token or not _KEY_SHAPE.fullmatch(key):
        return False
    try:
        payload = _serializer().loads(token, max_age=_max_age())
    except BadSignature:  # also an expired one (SignatureExpired)
        return False
    if not isinstance(payload, dict):
        return False
    return hmac.compare_digest(str(payload.get("b")), _digest(key)) and hmac.compare_digest(
        str(payload.get("s")), _digest(submission_token or "")
    )


def action_token_field(action: str, key: str) -> Markup:
    """The hidden field of a small form acting on something private (a draft, by its link's
    ``key``): the questionnaire's token, bound to the action and the key instead of a form,
    so it lasts as long as the questionnaire's, whatever the session."""
    token = form_token(f"{action}:{key}")
    return Markup(f'<input type="hidden" name="{FIELD}" value="{escape(token)}">')


def action_token_ok(action: str, key: str) -> bool:
    """Whether the request carries a valid ``action_token_field`` for ``action`` on ``key``."""
    return form_token_ok(request.form.get(FIELD), f"{action}:{key}")


def refresh_cookie(response):
    """Send the browser key with every page that issued a token, for as long as the token."""
    key = g.get("form_key")
    if key:
        response.set_cookie(
            COOKIE,
            key,
            max_age=_max_age(),
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    return response


def init_app(app):
    app.after_request(refresh_cookie)
    app.jinja_env.globals["form_token_field"] = token_field
    app.jinja_env.globals["action_token_field"] = action_token_field
