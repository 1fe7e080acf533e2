"""Telling blind form-filling bots from people, without a captcha that locks people out.

Two signs: a honeypot field that people never see (hidden by the style sheet, so a
bot reading the HTML fills it), and a form sent back faster than a person could
read it (the time it was served is signed into the form). Either leads to a polite
page that keeps the answers and lets a person send them again. The timer is for
contributions only: "Save and continue later" stores a draft at once, however soon
it is pressed (a draft is not counted anywhere, and saving early is what it is for).
"""

from flask import current_app, request
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from .. import clock
from .unavailable import answers_kept

HONEYPOT = "website"
SERVED = "form_served"
#: Endpoints whose POSTs are checked.
CHECKED = {"responses.respond", "drafts.resume"}


class LooksAutomated(HTTPException):
    """A form that looks sent by a program; ``reason`` is "honeypot" or "too_fast"."""

    code = 422

    def __init__(self, reason):
        super().__init__()
        self.reason = reason


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="form-served")


def served_token() -> str:
    """The serving time on the application's clock, signed."""
    return _serializer().dumps(clock.now_utc().timestamp())


def hidden_fields() -> Markup:
    """The honeypot and the signed serving time, for the questionnaire form."""
    label = escape(_("Leave this field empty"))
    return Markup(
        f'<div class="hp"><label for="{HONEYPOT}">{label}</label>'
        f'<input type="text" id="{HONEYPOT}" name="{HONEYPOT}" value="" tabindex="-1" '
        f'autocomplete="off"></div>'
        f'<input type="hidden" name="{SERVED}" value="{served_token()}">'
    )


def check_request():
    """Refuse a checked POST that filled the honeypot or came back too fast."""
    if request.method != "POST" or request.endpoint not in CHECKED:
        return
    if request.form.get("switch_language"):
        return  # showing the form in another language stores nothing
    if request.form.get(HONEYPOT):
        raise LooksAutomated("honeypot")
    minimum = current_app.config.get("MIN_FORM_SECONDS", 0)
    if not minimum or saving_a_draft():
        return  # the timer is for contributions: a person may save at once, and often
    try:
        served_at = float(_serializer().loads(request.form.get(SERVED, "")))
    except (BadSignature, TypeError, ValueError):
        raise LooksAutomated("too_fast") from None
    if clock.now_utc().timestamp() - served_at < minimum:
        raise LooksAutomated("too_fast")


def saving_a_draft() -> bool:
    """Whether this POST is "Save and continue later" (stored at once, never counted)."""
    return request.form.get("action") == "save_draft"


def looks_automated(error):
    """A polite refusal: what happened, what to do, and the answers kept for a resend."""
    return answers_kept(
        "errors/looks_automated.html",
        422,
        retry_after=current_app.config.get("MIN_FORM_SECONDS", 0),
        reason=error.reason,
        draft=saving_a_draft(),
    )


def init_app(app):
    app.before_request(check_request)
    app.register_error_handler(LooksAutomated, looks_automated)
    app.jinja_env.globals["bot_fields"] = hidden_fields
