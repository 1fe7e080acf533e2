"""Users with a role, and sign-in attempts (for slowing down and locking out guessing)."""

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock
from ..dbtypes import UTCDateTime
from ..extensions import db

#: scrypt is memory-hard; werkzeug's parameters follow current advice.
PASSWORD_METHOD = "scrypt"


class Role(enum.StrEnum):
    ADMIN = "admin"
    ANALYST = "analyst"


class User(UserMixin, db.Model):
    """An administrator (may change things) or an analyst (may only read)."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('admin', 'analyst')", name="role_known"),)

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

    def audit_ref(self):
        return ("user", self.id, self.email)

    def get_id(self) -> str:
        # The hash prefix ties the session to the password: changing it signs out everywhere.
        return f"{self.id}:{self.password_hash[-12:]}"


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
