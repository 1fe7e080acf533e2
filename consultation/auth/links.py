"""Invitations and forced password resets: one-time links, e-mailed, to set a password."""

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from .. import clock
from ..audit.operations import Actor, record
from ..errors import OperationRefused
from ..extensions import db
from ..formatting import role_label
from ..mail import enqueue_mail
from ..responses.tokens import hash_token, new_private_token
from ..urls import external_url
from .models import AccountLink, LinkPurpose, RevokedBecause, Role, User
from .operations import normalise_email, revoke_sessions, user_by_email
from .passwords import check_password_strength


def link_lifetime() -> timedelta:
    return timedelta(hours=current_app.config["ACCOUNT_LINK_HOURS"])


def _issue_link(user: User, purpose: LinkPurpose) -> str:
    """A new link for ``user``; any earlier link of theirs stops working."""
    now = clock.now_utc()
    db.session.execute(
        update(AccountLink)
        .where(
            AccountLink.user_id == user.id,
            AccountLink.used_at.is_(None),
            AccountLink.expires_at > now,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    token = new_private_token()
    db.session.add(
        AccountLink(
            user_id=user.id,
            purpose=purpose,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + link_lifetime(),
        )
    )
    db.session.flush()
    return token


def _mail_link(user: User, purpose: LinkPurpose, token: str, actor) -> None:
    url = external_url("auth.set_password", token=token)
    hours = current_app.config["ACCOUNT_LINK_HOURS"]
    if purpose == LinkPurpose.INVITATION:
        subject = _("You are invited to the consultation administration")
        opening = _(
            "You have been given an account (%(role)s) in the administration area of the "
            "consultation site. Choose your password here:",
            role=role_label(user.role),
        )
    else:
        subject = _("Set a new password for the consultation administration")
        opening = _("A new password is needed for your account. Choose it here:")
    closing = _(
        "The link works once, for %(hours)d hours. If you did not expect this e-mail, you can "
        "ignore it.",
        hours=hours,
    )
    enqueue_mail(user.email, subject, f"{opening}\n\n{url}\n\n{closing}\n", actor=actor)


def _send(user: User, purpose: LinkPurpose, actor) -> None:
    _mail_link(user, purpose, _issue_link(user, purpose), actor)


def invite_user(email: str, role: str, actor) -> User:
    """Create an account without a password and e-mail its invitation link."""
    email = normalise_email(email)
    if "@" not in email:
        raise OperationRefused(_("'%(email)s' is not an e-mail address.", email=email))
    if role not in set(Role):
        raise OperationRefused(_("The role must be one of: %(roles)s.", roles=", ".join(Role)))
    if user_by_email(email):
        raise OperationRefused(_("A user with the e-mail %(email)s already exists.", email=email))
    user = User(email=email, role=role, active=True, password_hash="", must_set_password=True)
    db.session.add(user)
    db.session.flush()
    record(actor, "user.invite", user, after={"email": email, "role": role, "active": True})
    _send(user, LinkPurpose.INVITATION, actor)
    return user


def reinvite_user(user: User, actor) -> None:
    """A new invitation link for someone who has not set a password yet (the old one ends)."""
    if user.has_password:
        raise OperationRefused(
            _("%(email)s has already accepted the invitation.", email=user.email)
        )
    record(actor, "user.reinvite", user, after={"email": user.email})
    _send(user, LinkPurpose.INVITATION, actor)


def force_password_reset(user: User, actor) -> None:
    """End the person's sessions; they sign in again only after setting a new password."""
    if not user.has_password:
        raise OperationRefused(_("%(email)s has not set a password yet.", email=user.email))
    before = user.must_set_password
    user.must_set_password = True
    record(
        actor,
        "user.force_password_reset",
        user,
        before={"must_set_password": before},
        after={"must_set_password": True},
    )
    revoke_sessions(user, RevokedBecause.PASSWORD)
    _mail_link(
        user, LinkPurpose.PASSWORD_RESET, _issue_link(user, LinkPurpose.PASSWORD_RESET), actor
    )


def send_reset_link(user: User) -> None:
    """At sign-in with the right (old) password: a fresh link, in case the first has expired."""
    actor = Actor.of(user)
    record(actor, "user.reset_link_sent", user)
    _mail_link(
        user, LinkPurpose.PASSWORD_RESET, _issue_link(user, LinkPurpose.PASSWORD_RESET), actor
    )


def link_by_token(token: str) -> AccountLink | None:
    if not token or len(token) > 128:
        return None
    return db.session.scalar(select(AccountLink).where(AccountLink.token_hash == hash_token(token)))


def set_password_by_link(link: AccountLink, password: str) -> User:
    """Set the password through a usable link; the link is used up and other sessions end."""
    if link.state() != "usable":
        raise OperationRefused(_("This link can no longer be used."))
    user = link.user
    if not user.active:
        raise OperationRefused(_("This account is disabled."))
    check_password_strength(password, user.email)
    user.set_password(password)
    user.must_set_password = False
    link.used_at = clock.now_utc()
    revoke_sessions(user, RevokedBecause.PASSWORD)
    record(Actor.of(user), "user.set_password", user, after={"through": link.purpose})
    db.session.flush()
    return user
