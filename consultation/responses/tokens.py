"""Secrets of private links (resume a draft, edit a contribution); only their hash is stored."""

import hashlib
import secrets


def new_private_token() -> str:
    """The secret of a private link: 256 random bits, safe in a URL."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What is stored of a private link: its SHA-256, so a copy of the database opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()
