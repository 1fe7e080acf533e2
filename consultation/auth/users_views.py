"""The accounts, for admins only: invite, change roles, disable and enable, force a reset."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..admin.views import _actor, admins_only, bp
from ..errors import OperationRefused
from ..extensions import db
from ..jobs.queue import QueueUnavailable
from .forms import InviteForm, RoleForm
from .links import force_password_reset, invite_user, reinvite_user
from .models import User
from .operations import disable_user, enable_user, set_role
from .queries import all_users
from .two_factor import turn_off_two_factor


def _user(user_id) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.get("/users")
@admins_only
def users():
    """Every account: role, state, two-factor, last sign-in, and what can be done with it."""
    return render_template("admin/users.html", users=all_users(), role_form=RoleForm())


@bp.route("/users/invite", methods=["GET", "POST"])
@admins_only
def invite():
    """Invite a person by e-mail: they get a link to choose a password (72 hours, once)."""
    form = InviteForm()
    problem, status = None, 200
    if form.validate_on_submit():
        try:
            user = invite_user(form.email.data, form.role.data, _actor())
        except OperationRefused as refusal:
            db.session.rollback()
            form.email.errors = [str(refusal)]
            status = 400
        except QueueUnavailable:
            db.session.rollback()
            problem, status = _("E-mail cannot be sent just now. Try again later."), 503
        else:
            db.session.commit()
            flash(_("Invitation sent to %(email)s.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    elif form.is_submitted():
        status = 400
    return render_template("admin/invite.html", form=form, problem=problem), status


def _act(user_id, operation, done):
    user = _user(user_id)
    try:
        operation(user)
    except OperationRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    except QueueUnavailable:
        db.session.rollback()
        flash(_("E-mail cannot be sent just now. Try again later."), "error")
    else:
        db.session.commit()
        flash(done % {"email": user.email}, "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/role")
@admins_only
def user_role(user_id):
    """Give an account another role; its sessions end (it signs in again with the new rights)."""
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose a valid option."), "error")
        return redirect(url_for("admin.users"))
    return _act(
        user_id,
        lambda user: set_role(user, form.role.data, _actor()),
        _("The role of %(email)s is changed."),
    )


@bp.post("/users/<int:user_id>/disable")
@admins_only
def user_disable(user_id):
    """Stop an account from signing in; its sessions end at once."""
    return _act(user_id, lambda user: disable_user(user, _actor()), _("%(email)s is disabled."))


@bp.post("/users/<int:user_id>/enable")
@admins_only
def user_enable(user_id):
    """Let a disabled account sign in again."""
    return _act(user_id, lambda user: enable_user(user, _actor()), _("%(email)s is enabled."))


@bp.post("/users/<int:user_id>/reset-password")
@admins_only
def user_force_reset(user_id):
    """End the account's sessions; it must set a new password through an e-mailed link."""
    return _act(
        user_id,
        lambda user: force_password_reset(user, _actor()),
        _("%(email)s must set a new password; a link is on its way."),
    )


@bp.post("/users/<int:user_id>/reinvite")
@admins_only
def user_reinvite(user_id):
    """Send a new invitation link (the earlier one stops working)."""
    return _act(
        user_id,
        lambda user: reinvite_user(user, _actor()),
        _("A new invitation is on its way to %(email)s."),
    )


@bp.post("/users/<int:user_id>/reset-two-factor")
@admins_only
def user_reset_two_factor(user_id):
    """For a person who lost their phone and codes: they set up two-factor again."""
    return _act(
        user_id,
        lambda user: turn_off_two_factor(user, _actor()),
        _("Two-factor sign-in of %(email)s is reset; they set it up at their next sign-in."),
    )
