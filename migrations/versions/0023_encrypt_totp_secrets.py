"""TOTP secrets encrypted at rest

Revision ID: 0023
Revises: 0022

``users.totp_secret`` held each authenticator secret in clear: a copy of the database was
enough to make anyone's sign-in codes. It now holds the secret encrypted with Fernet
(``consultation.auth.sealed_secrets``), under ``TOTP_ENCRYPTION_KEY`` when set, else a key
derived from ``SECRET_KEY``: so the column widens to 255 characters (a token of a 32
character secret is 140), and every secret already there is encrypted here, in place.
SQLite changes a column only by rebuilding the table, and dropping the old ``users``
would break the rows that refer to it: so there the rebuild runs with foreign keys off
(which SQLite allows only outside a transaction: so before any row is rewritten, in both
directions, as SQLite does not enforce a VARCHAR's length), and is checked after.
The key is derived as the application derives it (kept here, so that this revision does
what it did whatever the application later becomes). Downgrading decrypts them again.
"""

import base64
import hashlib
import hmac
import re

import sqlalchemy as sa
from alembic import op
from cryptography.fernet import Fernet, MultiFernet
from flask import current_app

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

PURPOSE = b"consultation: TOTP secrets at rest, v1"
#: A secret in clear: base32, as pyotp makes them (32 characters; 16 in older apps).
CLEAR = re.compile(r"[A-Z2-7]{16,64}=*")
users = sa.table("users", sa.column("id", sa.Integer), sa.column("totp_secret", sa.String))


def _fernet() -> MultiFernet:
    config = current_app.config
    values = [
        config.get("TOTP_ENCRYPTION_KEY"),
        config.get("SECRET_KEY"),
        *(config.get("SECRET_KEY_FALLBACKS") or ()),
    ]
    keys = [
        base64.urlsafe_b64encode(hmac.new(v.encode(), PURPOSE, hashlib.sha256).digest())
        for v in dict.fromkeys(value for value in values if value)
    ]
    if not keys:
        raise RuntimeError("SECRET_KEY (or TOTP_ENCRYPTION_KEY) is needed to encrypt them")
    return MultiFernet([Fernet(key) for key in keys])


def _rewrite(change) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(users.c.id, users.c.totp_secret).where(users.c.totp_secret.is_not(None))
    ).all()
    for user_id, stored in rows:
        value = change(stored)
        if value != stored:
            connection.execute(
                users.update().where(users.c.id == user_id).values(totp_secret=value)
            )


def _resize(before: int, after: int) -> None:
    changes = {"existing_type": sa.String(length=before), "type_": sa.String(length=after)}
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        op.alter_column("users", "totp_secret", **changes)
        return
    # Turned on again by migrations/env.py once the migration's transaction has ended.
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    if connection.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("SQLite could not turn foreign keys off: a transaction is open")
    with op.batch_alter_table("users") as batch:
        batch.alter_column("totp_secret", **changes)
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"rebuilding users broke {len(broken)} references to it")


def upgrade():
    _resize(64, 255)
    fernet = _fernet()
    _rewrite(
        lambda stored: (
            fernet.encrypt(stored.encode()).decode() if CLEAR.fullmatch(stored) else stored
        )
    )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        _resize(255, 64)
    fernet = _fernet()
    _rewrite(
        lambda stored: (
            stored if CLEAR.fullmatch(stored) else fernet.decrypt(stored.encode()).decode()
        )
    )
    if op.get_bind().dialect.name != "sqlite":
        _resize(255, 64)
