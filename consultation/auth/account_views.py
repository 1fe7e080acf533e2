"""A person's own account, whatever their role: their sessions, and two-factor sign-in."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..admin.views import _actor, bp, own_account
from ..errors import OperationRefused
from ..extensions import db
from .forms import CodeForm
from .operations import end_other_sessions, end_own_session
from .queries import active_sessions, session_ended
from .two_factor import (
    begin_enrolment,
    confirm_enrolment,
    grouped_secret,
    provisioning_uri,
    qr_svg,
    regenerate_recovery_codes,
    unused_recovery_codes,
)

#: (what the User-Agent contains, the name shown); the first that matches wins.
BROWSERS = [
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
]
SYSTEMS = [
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
]


def browser_label(user_agent: str) -> str:
    """“Firefox on Linux”, or the User-Agent itself when neither is recognised."""
    user_agent = user_agent or ""
    browser = next((name for key, name in BROWSERS if key in user_agent), None)
    system = next((name for key, name in SYSTEMS if key in user_agent), None)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or user_agent[:80] or _("Unknown browser")


def enrolment_view(view):
    """A page an admin without two-factor sign-in may reach (enrolment itself)."""
    view.during_enrolment = True
    return view


@bp.get("/account/sessions")
@own_account
def sessions():
    """The person's open sessions: where and when, which one is this, and how to end them."""
    config = current_app.config
    open_ones = [s for s in active_sessions(current_user) if not session_ended(s, config)]
    return render_template(
        "admin/sessions.html",
        sessions=open_ones,
        current_id=current_user.current_session.id,
        browser_label=browser_label,
    )


@bp.post("/account/sessions/<int:session_id>/end")
@own_account
def end_session(session_id):
    """End one of the person's own sessions (never another person's)."""
    found = next((s for s in active_sessions(current_user) if s.id == session_id), None)
    if found is None:
        abort(404)
    end_own_session(found, _actor())
    db.session.commit()
    if found.id == current_user.current_session.id:
        flash(_("You have signed out."), "success")
        return redirect(url_for("auth.sign_in"))
    flash(_("The session has ended."), "success")
    return redirect(url_for("admin.sessions"))


@bp.post("/account/sessions/end-others")
@own_account
def end_other_sessions_view():
    """End every session of the person but this one."""
    count = end_other_sessions(current_user, current_user.current_session, _actor())
    db.session.commit()
    flash(_("Sessions ended: %(num)d.", num=count), "success")
    return redirect(url_for("admin.sessions"))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@own_account
@enrolment_view
def two_factor():
    """Set up the authenticator app (QR code, then a code from it), or see that it is on."""
    user = current_user._get_current_object()
    if user.two_factor_enabled:
        return render_template(
            "admin/two_factor.html", user=user, unused=unused_recovery_codes(user)
        )
    form = CodeForm()
    begin_enrolment(user)
    db.session.commit()  # the secret stays the same on reload, until it is confirmed
    status = 200
    if form.validate_on_submit():
        try:
            codes = confirm_enrolment(user, form.code.data, _actor())
        except OperationRefused as refusal:
            db.session.rollback()
            form.code.errors = [str(refusal)]
            status = 400
        else:
            db.session.commit()
            return render_template("admin/recovery_codes.html", codes=codes, first=True)
    elif form.is_submitted():
        status = 400
    uri = provisioning_uri(user, current_app.config.get("TWO_FACTOR_ISSUER", "Consultations"))
    return render_template(
        "admin/two_factor_setup.html",
        form=form,
        qr=qr_svg(uri, _("QR code to scan with your authenticator app")),
        secret=grouped_secret(user.totp_secret),
        required=user.two_factor_required(current_app.config),
    ), status


@bp.post("/account/two-factor/recovery-codes")
@own_account
def new_recovery_codes():
    """Ten new recovery codes, shown once; the earlier ones stop working."""
    try:
        codes = regenerate_recovery_codes(current_user._get_current_object(), _actor())
    except OperationRefused as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("admin.two_factor"))
    db.session.commit()
    return render_template("admin/recovery_codes.html", codes=codes, first=False)
