"""Accounts and sign-in: creating users, changing roles and passwords, sessions, throttling."""

import secrets
from datetime import timedelta
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from .. import clock
from ..audit.operations import Actor, Target, record
from ..errors import OperationRefused
from ..extensions import db
from ..responses.tokens import hash_token, new_private_token
from .models import RevokedBecause, Role, SignInAttempt, User, UserSession
from .passwords import check_password_strength

#: A session's last use is written at most this often (not on every page).
TOUCH_EVERY = timedelta(minutes=1)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, role: str, password: str, actor) -> User:
    """Create an account; refuses a duplicate e-mail, an unknown role or a short password."""
    email = normalise_email(email)
    if "@" not in email:
        raise OperationRefused(_("'%(email)s' is not an e-mail address.", email=email))
    if role not in set(Role):
        raise OperationRefused(_("The role must be one of: %(roles)s.", roles=", ".join(Role)))
    if user_by_email(email):
        raise OperationRefused(_("A user with the e-mail %(email)s already exists.", email=email))
    check_password_strength(password, email)
    user = User(email=email, role=role, active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(actor, "user.create", user, after={"email": email, "role": role, "active": True})
    return user


def _not_oneself(user: User, actor) -> None:
    # An admin who demoted or disabled themselves could lock everyone out of the admin area.
    if actor.user_id is not None and actor.user_id == user.id:
        raise OperationRefused(_("You cannot do this to your own account."))


def set_role(user: User, role: str, actor) -> None:
    """Change a user's role."""
    _not_oneself(user, actor)
    if role not in set(Role):
        raise OperationRefused(_("The role must be one of: %(roles)s.", roles=", ".join(Role)))
    if user.role == role:
        raise OperationRefused(
            _("%(email)s already has the role %(role)s.", email=user.email, role=role)
        )
    before = user.role
    user.role = role
    record(actor, "user.set_role", user, before={"role": before}, after={"role": role})
    revoke_sessions(user, RevokedBecause.ROLE)  # signs in again with the new rights


def disable_user(user: User, actor) -> None:
    """Stop a user from signing in; their open sessions end at once."""
    _not_oneself(user, actor)
    if not user.active:
        raise OperationRefused(_("%(email)s is already disabled.", email=user.email))
    user.active = False
    record(actor, "user.disable", user, before={"active": True}, after={"active": False})
    revoke_sessions(user, RevokedBecause.DISABLED)


def enable_user(user: User, actor) -> None:
    """Let a disabled user sign in again."""
    if user.active:
        raise OperationRefused(_("%(email)s is already active.", email=user.email))
    user.active = True
    record(actor, "user.enable", user, before={"active": False}, after={"active": True})
    db.session.flush()


def change_password(user: User, password: str, actor) -> None:
    """Give a user a new password; every open session of theirs ends (the record holds none)."""
    check_password_strength(password, user.email)
    user.set_password(password)
    user.must_set_password = False
    record(actor, "user.change_password", user)
    revoke_sessions(user, RevokedBecause.PASSWORD)


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


@cache
def _stand_in() -> User:
    """An account nobody has, whose password is checked when the e-mail is unknown."""
    user = User(email="", role=Role.ANALYST)
    user.set_password(random_password())
    return user


def authenticate(email: str, password: str, address: str) -> User | None:
    """The active user with these credentials, or ``None``; every try is recorded, a failure
    audited (a success is audited by ``complete_sign_in``, after any second factor).

    The password hash is computed whatever the account (unknown, disabled or active), so the
    time the answer takes tells nothing about it.
    """
    user = user_by_email(email)
    password_ok = (user or _stand_in()).check_password(password or "")
    ok = bool(user is not None and user.active and password_ok)
    tried = normalise_email(email)[:254]
    db.session.add(SignInAttempt(email=tried, address=address[:64], succeeded=ok))
    if not ok:
        why = "unknown account" if user is None else "disabled" if not user.active else "password"
        _record_failure(tried, address, why, user)
    db.session.flush()
    return user if ok else None


def complete_sign_in(user: User, address: str, second_factor: str | None = None) -> None:
    """Note a sign-in that passed every step (password, and the code if one is needed)."""
    user.last_sign_in_at = clock.now_utc()
    after = {"address": address[:64]}
    if second_factor:
        after["second_factor"] = second_factor
    record(Actor.of(user), "auth.sign_in", user, after=after)
    db.session.flush()


def wrong_code(user: User, address: str) -> None:
    """A wrong second-factor code: it counts towards the same lock as a wrong password."""
    db.session.add(SignInAttempt(email=user.email, address=address[:64], succeeded=False))
    _record_failure(user.email, address, "code", user)
    db.session.flush()


def refuse_sign_in(email: str, address: str) -> None:
    """Audit a sign-in refused without checking, because of too many failures."""
    tried = normalise_email(email)[:254]
    _record_failure(tried, address, "locked", user_by_email(tried))


def _record_failure(tried, address, why, user):
    # The e-mail as typed, never the password.
    target = user if user is not None else Target("account", "", tried)
    details = {"email": tried, "address": address[:64], "why": why}
    record(Actor(label=tried or "?"), "auth.sign_in_failed", target, after=details)


# -- sessions ---------------------------------------------------------------------------


def start_session(user: User, user_agent: str, address: str) -> str:
    """Record a new signed-in session of ``user``; return its random id, for the cookie only."""
    token = new_private_token()
    db.session.add(
        UserSession(
            user=user,
            token_hash=hash_token(token),
            user_agent=(user_agent or "")[:255],
            address=(address or "")[:64],
        )
    )
    db.session.flush()
    user.session_token = token
    return token


def touch_session(user_session: UserSession) -> bool:
    """Note that the session is in use (at most once a minute); whether anything changed."""
    now = clock.now_utc()
    if user_session.last_seen_at + TOUCH_EVERY > now:
        return False
    user_session.last_seen_at = now
    db.session.flush()
    return True


def end_session(user_session: UserSession, because: RevokedBecause) -> None:
    """End one session for good (signing out, or found expired)."""
    if user_session.revoked_at is None:
        user_session.revoked_at = clock.now_utc()
        user_session.revoked_reason = because
        db.session.flush()


def revoke_sessions(user: User, because: RevokedBecause) -> int:
    """End every open session of ``user``; how many there were."""
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=clock.now_utc(), revoked_reason=because)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return result.rowcount


def end_own_session(user_session: UserSession, actor) -> None:
    """End one of a person's sessions from their list (another browser, a lost laptop)."""
    end_session(user_session, RevokedBecause.SIGN_OUT)
    record(
        actor,
        "auth.end_session",
        user_session.user,
        after={"session": user_session.id, "address": user_session.address},
    )


def end_other_sessions(user: User, keep: UserSession, actor) -> int:
    """End every open session of ``user`` but ``keep`` (the one in use); how many ended."""
    result = db.session.execute(
        update(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.revoked_at.is_(None),
            UserSession.id != keep.id,
        )
        .values(revoked_at=clock.now_utc(), revoked_reason=RevokedBecause.SIGN_OUT)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        record(actor, "auth.end_other_sessions", user, after={"sessions": result.rowcount})
    db.session.flush()
    return result.rowcount
