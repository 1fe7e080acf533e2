"""Secrets a background job needs kept sealed in its row: a contribution's private links.

A job's parameters are in the database, which backups, copies and the people who can
read the jobs table see. What only the worker must read is sealed with a key derived
from ``SECRET_KEY`` for one purpose: a keystream of HMAC-SHA256 blocks over a random
nonce, then an HMAC-SHA256 tag over nonce and text (encrypt, then authenticate). A copy
of the database alone opens nothing, and a text changed by anyone is refused.

A new ``SECRET_KEY`` leaves the texts sealed with the old one unreadable, unless the old
one is kept in ``SECRET_KEY_FALLBACKS`` (as Flask does for sessions): the job that
needed them then fails, saying so.
"""

import base64
import binascii
import hashlib
import hmac
import json
import secrets

from flask import current_app

VERSION = "s1"
NONCE_BYTES = 16
TAG_BYTES = 32


class Unreadable(Exception):
    """A sealed text that cannot be opened: changed, cut, or sealed with another key."""


def seal(purpose: str, data: dict) -> str:
    """``data`` (JSON-able) as a text only this application's keys open, for ``purpose``."""
    encryption, authentication = _keys(current_app.config["SECRET_KEY"], purpose)
    nonce = secrets.token_bytes(NONCE_BYTES)
    plain = json.dumps(data, separators=(",", ":")).encode()
    sealed = nonce + _xor(plain, _keystream(encryption, nonce, len(plain)))
    tag = hmac.new(authentication, sealed, hashlib.sha256).digest()
    return f"{VERSION}.{base64.urlsafe_b64encode(sealed + tag).decode()}"


def unseal(purpose: str, text: str) -> dict:
    """What ``seal(purpose, ...)`` sealed in ``text``; ``Unreadable`` if it cannot be opened."""
    version, _, encoded = (text or "").partition(".")
    try:
        raw = base64.urlsafe_b64decode(encoded.encode())
    except (binascii.Error, ValueError):
        raise Unreadable("not a sealed text") from None
    if version != VERSION or len(raw) < NONCE_BYTES + TAG_BYTES:
        raise Unreadable("not a sealed text")
    sealed, tag = raw[:-TAG_BYTES], raw[-TAG_BYTES:]
    config = current_app.config
    for secret in [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or ())]:
        encryption, authentication = _keys(secret, purpose)
        expected = hmac.new(authentication, sealed, hashlib.sha256).digest()
        if hmac.compare_digest(tag, expected):
            nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
            return json.loads(_xor(body, _keystream(encryption, nonce, len(body))))
    raise Unreadable("sealed with another key, or changed")


def _keys(secret, purpose: str) -> tuple[bytes, bytes]:
    secret = secret.encode() if isinstance(secret, str) else bytes(secret)
    root = hmac.new(secret, f"consultation.sealing:{purpose}".encode(), hashlib.sha256).digest()
    return (
        hmac.new(root, b"encrypt", hashlib.sha256).digest(),
        hmac.new(root, b"authenticate", hashlib.sha256).digest(),
    )


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (
        hmac.new(key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest()
        for counter in range(-(-length // 32))
    )
    return b"".join(blocks)[:length]


def _xor(data: bytes, pad: bytes) -> bytes:
    if not data:
        return b""
    mixed = int.from_bytes(data, "big") ^ int.from_bytes(pad, "big")
    return mixed.to_bytes(len(data), "big")
