"""TOTP secrets kept encrypted at rest (Fernet: AES-128-CBC with an HMAC-SHA256 tag).

A copy of the database (a backup, a restored dump, a read-only replica) is not enough to
make someone's sign-in codes. The key is ``TOTP_ENCRYPTION_KEY`` when set, else one
derived from ``SECRET_KEY`` for this purpose only. Secrets encrypted under an earlier key
stay readable while that key is still configured (``SECRET_KEY`` once
``TOTP_ENCRYPTION_KEY`` is added, ``SECRET_KEY_FALLBACKS`` after a change), and are
encrypted again under the current one at the next sign-in with a code (``rotated``).
Migration 0023 derives the key the same way; change both together.
"""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

#: What the key derived from a setting is for: no other use of that setting gives it.
PURPOSE = b"consultation: TOTP secrets at rest, v1"


class Unreadable(Exception):
    """A stored secret that no configured key opens (the key was changed and not kept)."""


def fernet_key(secret: str) -> bytes:
    """The Fernet key derived from a setting's value (HMAC-SHA256 under the purpose)."""
    return base64.urlsafe_b64encode(hmac.new(secret.encode(), PURPOSE, hashlib.sha256).digest())


def _fernets(config=None) -> list[Fernet]:
    """One per configured key, the current one first."""
    config = config if config is not None else current_app.config
    values = [
        config.get("TOTP_ENCRYPTION_KEY"),
        config.get("SECRET_KEY"),
        *(config.get("SECRET_KEY_FALLBACKS") or ()),
    ]
    keys = list(dict.fromkeys(fernet_key(value) for value in values if value))
    if not keys:
        raise RuntimeError("SECRET_KEY (or TOTP_ENCRYPTION_KEY) is needed to keep TOTP secrets")
    return [Fernet(key) for key in keys]


def _fernet(config=None) -> MultiFernet:
    return MultiFernet(_fernets(config))


def encrypt(secret: str, config=None) -> str:
    """``secret`` encrypted under the current key, as text for the column."""
    return _fernet(config).encrypt(secret.encode()).decode()


def decrypt(stored: str, config=None) -> str:
    """The secret ``encrypt`` stored; ``Unreadable`` when no configured key opens it."""
    try:
        return _fernet(config).decrypt(stored.encode()).decode()
    except InvalidToken:
        raise Unreadable("no configured key opens this TOTP secret") from None


def rotated(stored: str, config=None) -> str:
    """``stored`` encrypted again under the current key (the same text if it already is)."""
    fernets = _fernets(config)
    try:
        fernets[0].decrypt(stored.encode())
        return stored
    except InvalidToken:
        return MultiFernet(fernets).rotate(stored.encode()).decode()
