"""Users with a role, their signed-in sessions, and sign-in attempts (to slow down guessing)."""

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock
from ..dbtypes import UTCDateTime
from ..extensions import db
from . import sealed_secrets

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
    #: An invitation or a forced reset: signing in waits for a new password set through the
    #: link e-mailed to the person (``AccountLink``).
    must_set_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: The TOTP secret, encrypted (``sealed_secrets``; read and set it as ``totp_secret``).
    #: Kept while enrolment is unfinished, so the QR code shown stays valid on reload;
    #: two-factor sign-in is on only once ``two_factor_since`` is set.
    totp_secret_sealed: Mapped[str | None] = mapped_column("totp_secret", String(255))
    two_factor_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The TOTP time step (30 s) of the last code accepted: that code, or an older one, is
    #: refused afterwards, so a code seen over someone's shoulder cannot be used again.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    @property
    def totp_secret(self) -> str | None:
        """The TOTP secret (base32) in clear, for the codes and the QR code; never stored so."""
        stored = self.totp_secret_sealed
        return sealed_secrets.decrypt(stored) if stored else None

    @totp_secret.setter
    def totp_secret(self, secret: str | None) -> None:
        self.totp_secret_sealed = sealed_secrets.encrypt(secret) if secret else None

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return bool(self.active)

    @property
    def has_password(self) -> bool:
        """False for an invited person who has not yet set one."""
        return bool(self.password_hash)

    @property
    def two_factor_enabled(self) -> bool:
        return self.two_factor_since is not None

    def two_factor_required(self, config) -> bool:
        """Admins always sign in with a second factor; every role when the setting says so."""
        return self.role == Role.ADMIN or bool(config.get("REQUIRE_TWO_FACTOR_FOR_ALL"))

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


class LinkPurpose(enum.StrEnum):
    """What an e-mailed account link is for."""

    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"


class AccountLink(db.Model):
    """A one-time link to set a password (an invitation, or a forced reset). Only the
    SHA-256 of its random part is kept; it is used once, and expires."""

    __tablename__ = "account_links"
    __table_args__ = (
        CheckConstraint("purpose IN ('invitation', 'password_reset')", name="purpose_known"),
        Index("ix_account_links_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(16))
    #: SHA-256 (hex) of the random part of the link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc)
    #: A newer link of the same person moves this to the moment it was sent.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def state(self) -> str:
        """``usable``, ``used`` or ``expired``, at the clock's now."""
        if self.used_at is not None:
            return "used"
        if self.expires_at <= clock.now_utc():
            return "expired"
        return "usable"


class RecoveryCode(db.Model):
    """A one-time code that replaces the authenticator app once (its SHA-256 is kept)."""

    __tablename__ = "recovery_codes"
    __table_args__ = (Index("ix_recovery_codes_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
