"""Reading accounts' sessions: the one a cookie names, and a person's active ones."""

from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..responses.tokens import hash_token
from .models import User, UserSession


def session_by_token(token: str) -> UserSession | None:
    """The session whose random id is ``token``, revoked or not (``None`` if unknown)."""
    if not token or len(token) > 128:
        return None
    return db.session.scalar(select(UserSession).where(UserSession.token_hash == hash_token(token)))


def session_ended(user_session: UserSession, config) -> bool:
    """Whether the session is over: revoked, idle too long, too old, or its account disabled."""
    now = clock.now_utc()
    return (
        user_session.revoked_at is not None
        or user_session.last_seen_at + config["PERMANENT_SESSION_LIFETIME"] <= now
        or user_session.created_at + config["SESSION_MAX_AGE"] <= now
        or not user_session.user.active
    )


def active_sessions(user: User) -> list[UserSession]:
    """The person's sessions that are not revoked, most recently used first (idle ones too)."""
    query = (
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .order_by(UserSession.last_seen_at.desc())
    )
    return list(db.session.scalars(query))


def all_users() -> list[User]:
    """Every account, by e-mail."""
    return list(db.session.scalars(select(User).order_by(User.email)))
