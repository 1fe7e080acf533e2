"""Accounts and sign-in: creating users, changing roles, throttling password guessing."""

import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import clock
from ..audit.operations import record
from ..errors import OperationRefused
from ..extensions import db
from .models import Role, SignInAttempt, User

MIN_PASSWORD_LENGTH = 12


#: Checked when the e-mail is unknown, so both cases take as long.
_DUMMY_HASH = None


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise OperationRefused(
            _("The password must have at least %(num)d characters.", num=MIN_PASSWORD_LENGTH)
        )


def create_user(email: str, role: str, password: str, actor) -> User:
    """Create an account; refuses a duplicate e-mail, an unknown role or a short password."""
    email = normalise_email(email)
    if "@" not in email:
        raise OperationRefused(_("'%(email)s' is not an e-mail address.", email=email))
    if role not in set(Role):
        raise OperationRefused(_("The role must be one of: %(roles)s.", roles=", ".join(Role)))
    if user_by_email(email):
        raise OperationRefused(_("A user with the e-mail %(email)s already exists.", email=email))
    check_password_strength(password)
    user = User(email=email, role=role, active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(actor, "user.create", user, after={"email": email, "role": role, "active": True})
    return user


def set_role(user: User, role: str, actor) -> None:
    """Change a user's role."""
    if role not in set(Role):
        raise OperationRefused(_("The role must be one of: %(roles)s.", roles=", ".join(Role)))
    if user.role == role:
        raise OperationRefused(
            _("%(email)s already has the role %(role)s.", email=user.email, role=role)
        )
    before = user.role
    user.role = role
    record(actor, "user.set_role", user, before={"role": before}, after={"role": role})
    db.session.flush()


def disable_user(user: User, actor) -> None:
    """Stop a user from signing in; their open sessions end at the next request."""
    if not user.active:
        raise OperationRefused(_("%(email)s is already disabled.", email=user.email))
    user.active = False
    record(actor, "user.disable", user, before={"active": True}, after={"active": False})
    db.session.flush()


def random_password() -> str:
    return secrets.token_urlsafe(15)


# -- sign-in throttling --------------------------------------------------------------


def _failures_since(since, **where):
    query = select(func.count(), func.max(SignInAttempt.at)).where(
        SignInAttempt.succeeded.is_(False), SignInAttempt.at >= since
    )
    for column, value in where.items():
        query = query.where(getattr(SignInAttempt, column) == value)
    count, last = db.session.execute(query).one()
    return count, last


def sign_in_wait(email: str, address: str, config) -> timedelta | None:
    """How long this account and address must wait before trying again (``None``: go ahead).

    After two failures each further try must wait longer (2, 4, 8 s...); after
    ``SIGN_IN_MAX_FAILURES`` within ``SIGN_IN_WINDOW`` the pair is locked for the window,
    and so is an address that fails too often across accounts.
    """
    now = clock.now_utc()
    window = config["SIGN_IN_WINDOW"]
    since = now - window
    count, last = _failures_since(since, email=normalise_email(email), address=address)
    per_address, last_any = _failures_since(since, address=address)
    if count >= config["SIGN_IN_MAX_FAILURES"]:
        return (last + window) - now
    if per_address >= config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"]:
        return (last_any + window) - now
    if count >= 2:
        pause = timedelta(seconds=2 ** (count - 1))
        if last + pause > now:
            return (last + pause) - now
    return None


def authenticate(email: str, password: str, address: str) -> User | None:
    """The active user with these credentials, or ``None``; every try is recorded."""
    global _DUMMY_HASH
    user = user_by_email(email)
    if user is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = User(email="", role="analyst")
            _DUMMY_HASH.set_password(random_password())
        _DUMMY_HASH.check_password(password or "")
    ok = bool(user and user.active and user.check_password(password or ""))
    db.session.add(
        SignInAttempt(email=normalise_email(email)[:254], address=address[:64], succeeded=ok)
    )
    if ok:
        user.last_sign_in_at = clock.now_utc()
    db.session.flush()
    return user if ok else None
