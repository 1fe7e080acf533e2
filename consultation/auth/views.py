"""Signing in and out of the administration area: password, then a code when two-factor
sign-in is on; and the e-mailed links that set a password."""

from datetime import datetime, timedelta
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

from .. import clock
from ..audit.operations import Actor, record
from ..errors import OperationRefused
from ..extensions import db, login_manager
from ..jobs.queue import QueueUnavailable
from .forms import CodeForm, SetPasswordForm, SignInForm
from .links import link_by_token, send_reset_link, set_password_by_link
from .models import LinkPurpose, RevokedBecause, User
from .operations import (
    authenticate,
    complete_sign_in,
    end_session,
    refuse_sign_in,
    sign_in_wait,
    start_session,
    touch_session,
    wrong_code,
)
from .queries import session_by_token, session_ended
from .two_factor import check_second_factor

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


def _wait_message(wait: timedelta) -> str:
    minutes = max(1, round(wait.total_seconds() / 60))
    seconds = max(1, int(wait.total_seconds()))
    if seconds < 60:
        return ngettext(
            "Too many failed attempts. Wait %(num)d second and try again.",
            "Too many failed attempts. Wait %(num)d seconds and try again.",
            seconds,
        )
    return ngettext(
        "Too many failed attempts. Sign-in is locked for about %(num)d minute.",
        "Too many failed attempts. Sign-in is locked for about %(num)d minutes.",
        minutes,
    )


def _signed_in(user: User, second_factor: str | None, target: str):
    """Open the session of a person who passed every step."""
    complete_sign_in(user, client_address(), second_factor)
    start_session(user, request.user_agent.string, client_address())
    db.session.commit()
    session.clear()
    session.permanent = True  # ends after PERMANENT_SESSION_LIFETIME of inactivity
    login_user(user)
    if user.two_factor_required(current_app.config) and not user.two_factor_enabled:
        return redirect(url_for("admin.two_factor"))
    return redirect(target)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Sign in with e-mail and password; repeated failures are slowed down, then locked."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = SignInForm()
    error = notice = None
    status = 200
    if form.validate_on_submit():
        wait = sign_in_wait(form.email.data, client_address(), current_app.config)
        if wait is not None:
            refuse_sign_in(form.email.data, client_address())
            db.session.commit()
            error, status = _wait_message(wait), 429
        else:
            user = authenticate(form.email.data, form.password.data, client_address())
            if user is not None and user.must_set_password:
                try:
                    send_reset_link(user)
                except QueueUnavailable:
                    db.session.rollback()
                    error, status = _("E-mail cannot be sent just now. Try again later."), 503
                else:
                    db.session.commit()
                    notice, status = _new_password_notice(), 403
            elif user is not None and user.two_factor_enabled:
                db.session.commit()
                session.clear()
                session["two_factor"] = {
                    "user": user.id,
                    "at": clock.now_utc().isoformat(),
                    "next": safe_next(request.args.get("next")),
                }
                return redirect(url_for("auth.two_factor_code"))
            elif user is not None:
                return _signed_in(user, None, safe_next(request.args.get("next")))
            else:
                db.session.commit()
                error, status = WRONG, 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/sign_in.html", form=form, error=error, notice=notice), status


def _new_password_notice() -> str:
    return _(
        "You need to set a new password before you can sign in. We have sent you an e-mail "
        "with a link to do it; the link works for %(hours)d hours.",
        hours=current_app.config["ACCOUNT_LINK_HOURS"],
    )


def _pending_user() -> tuple[User | None, str]:
    """The person who gave the right password moments ago, and where they were going."""
    pending = session.get("two_factor") or {}
    try:
        at = datetime.fromisoformat(pending["at"])
        user = db.session.get(User, int(pending["user"]))
    except (KeyError, TypeError, ValueError):
        return None, ""
    limit = timedelta(minutes=current_app.config["TWO_FACTOR_STEP_MINUTES"])
    if (
        user is None
        or not user.active
        or not user.two_factor_enabled
        or at + limit < clock.now_utc()
    ):
        return None, ""
    return user, pending.get("next") or safe_next(None)


@bp.route("/sign-in/code", methods=["GET", "POST"])
def two_factor_code():
    """The second step: a code of the authenticator app, or one of the recovery codes."""
    user, target = _pending_user()
    if user is None:
        session.pop("two_factor", None)
        flash(_("Sign in again: the time to enter the code ran out."), "error")
        return redirect(url_for("auth.sign_in"))
    form = CodeForm()
    error, status = None, 200
    if form.validate_on_submit():
        wait = sign_in_wait(user.email, client_address(), current_app.config)
        if wait is not None:
            refuse_sign_in(user.email, client_address())
            db.session.commit()
            error, status = _wait_message(wait), 429
        else:
            factor = check_second_factor(user, form.code.data)
            if factor is not None:
                return _signed_in(user, factor, target)
            wrong_code(user, client_address())
            db.session.commit()
            form.code.errors = [_("That code is not right. Try the code your app shows now.")]
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/code.html", form=form, error=error), status


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token):
    """Choose a password through the one-time link of an invitation or a reset."""
    link = link_by_token(token)
    state = link.state() if link is not None else "unknown"
    if state != "usable" or not link.user.active:
        purpose = link.purpose if link is not None else None
        return render_template(
            "auth/link_unusable.html", state=state, invitation=purpose == LinkPurpose.INVITATION
        ), 410 if link is not None else 404
    form = SetPasswordForm(email=link.user.email)
    status = 200
    if form.validate_on_submit():
        try:
            set_password_by_link(link, form.password.data)
        except OperationRefused as refusal:
            db.session.rollback()
            form.password.errors = [str(refusal)]
            status = 400
        else:
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            flash(_("Your password is set. Sign in with it now."), "success")
            return redirect(url_for("auth.sign_in"))
    elif request.method == "POST":
        status = 400
    return render_template(
        "auth/set_password.html",
        form=form,
        email=link.user.email,
        invitation=link.purpose == LinkPurpose.INVITATION,
    ), status


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
