"""Signing in and out of the administration area."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user

from ..audit.operations import Actor, record
from ..extensions import db, login_manager
from .forms import SignInForm
from .models import RevokedBecause
from .operations import (
    authenticate,
    end_session,
    refuse_sign_in,
    sign_in_wait,
    start_session,
    touch_session,
)
from .queries import session_by_token, session_ended

bp = Blueprint("auth", __name__, url_prefix="/admin")

WRONG = _l("The e-mail address or the password is wrong.")


@login_manager.user_loader
def load_user(session_id: str):
    """The user of the session the cookie names, if that session is still open."""
    user_session = session_by_token(session_id)
    if user_session is None:
        return None
    if session_ended(user_session, current_app.config):
        if user_session.revoked_at is None:
            end_session(user_session, RevokedBecause.EXPIRED)
            db.session.commit()
        return None
    if touch_session(user_session):
        db.session.commit()  # nothing else is pending this early in the request
    user = user_session.user
    user.session_token, user.current_session = session_id, user_session
    return user


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only a path on this site, never another host."""
    fallback = url_for("admin.dashboard")
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return fallback
    return target


def client_address() -> str:
    return request.remote_addr or "unknown"


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Sign in with e-mail and password; repeated failures are slowed down, then locked."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = SignInForm()
    error = None
    status = 200
    if form.validate_on_submit():
        wait = sign_in_wait(form.email.data, client_address(), current_app.config)
        if wait is not None:
            refuse_sign_in(form.email.data, client_address())
            db.session.commit()
            minutes = max(1, round(wait.total_seconds() / 60))
            seconds = max(1, int(wait.total_seconds()))
            error = (
                ngettext(
                    "Too many failed attempts. Wait %(num)d second and try again.",
                    "Too many failed attempts. Wait %(num)d seconds and try again.",
                    seconds,
                )
                if seconds < 60
                else ngettext(
                    "Too many failed attempts. Sign-in is locked for about %(num)d minute.",
                    "Too many failed attempts. Sign-in is locked for about %(num)d minutes.",
                    minutes,
                )
            )
            status = 429
        else:
            user = authenticate(form.email.data, form.password.data, client_address())
            if user is not None:
                start_session(user, request.user_agent.string, client_address())
                db.session.commit()
                session.clear()
                session.permanent = True  # ends after PERMANENT_SESSION_LIFETIME of inactivity
                login_user(user)
                return redirect(safe_next(request.args.get("next")))
            db.session.commit()
            error = WRONG
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/sign_in.html", form=form, error=error), status


@bp.post("/sign-out")
def sign_out():
    """Sign out: the session ends for good (a copy of the cookie opens nothing)."""
    if current_user.is_authenticated:
        end_session(current_user.current_session, RevokedBecause.SIGN_OUT)
        record(Actor.of(current_user), "auth.sign_out", current_user._get_current_object())
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."))
    return redirect(url_for("auth.sign_in"))
