"""Users with a role, their signed-in sessions, and sign-in attempts (to slow down guessing)."""

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock
from ..dbtypes import UTCDateTime
from ..extensions import db

#: scrypt is memory-hard; werkzeug's parameters follow current advice.
PASSWORD_METHOD = "scrypt"


class Role(enum.StrEnum):
    ADMIN = "admin"
    ANALYST = "analyst"
    #: Reads like an analyst; may also moderate contributions before they are published.
    MODERATOR = "moderator"


class User(UserMixin, db.Model):
    """An administrator (may change things) or an analyst (may only read)."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'analyst', 'moderator')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    #: A disabled user cannot sign in; existing sessions end at their next request.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return bool(self.active)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def may_moderate(self) -> bool:
        """Whether the person may approve, redact and withhold contributions."""
        return self.role in (Role.ADMIN, Role.MODERATOR)

    def audit_ref(self):
        return ("user", self.id, self.email)

    #: The random id of this request's session (the cookie's only secret); not a column.
    session_token = None
    #: This request's ``UserSession``, set when the session is loaded; not a column.
    current_session = None

    def get_id(self) -> str | None:
        # Flask-Login keeps this in the cookie: the session's random id, never the user's id.
        return self.session_token


class SignInAttempt(db.Model):
    """A failed (or successful) sign-in, to throttle guessing per account and per address."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (
        Index("ix_sign_in_attempts_email_at", "email", "at"),
        Index("ix_sign_in_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)


class RevokedBecause(enum.StrEnum):
    """Why a session ended before its time (shown to the person in their list of sessions)."""

    SIGN_OUT = "sign_out"
    PASSWORD = "password"
    ROLE = "role"
    DISABLED = "disabled"
    EXPIRED = "expired"


class UserSession(db.Model):
    """A signed-in session. The cookie holds only a random id; its SHA-256 is kept here,
    so a session ends for good when it is revoked, whatever copy of the cookie exists."""

    __tablename__ = "user_sessions"
    __table_args__ = (
        CheckConstraint(
            "revoked_reason IS NULL OR revoked_reason IN "
            "('sign_out', 'password', 'role', 'disabled', 'expired')",
            name="revoked_reason_known",
        ),
        CheckConstraint(
            "(revoked_at IS NULL) = (revoked_reason IS NULL)", name="revoked_with_reason"
        ),
        Index("ix_user_sessions_user_id_revoked_at", "user_id", "revoked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: SHA-256 (hex) of the random id in the cookie.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc)
    #: Updated at most once a minute; the idle limit counts from here.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc)
    #: The browser's User-Agent when signing in, cut to 255 characters.
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    #: The client address when signing in.
    address: Mapped[str] = mapped_column(String(64), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(16))

    user: Mapped[User] = relationship()
