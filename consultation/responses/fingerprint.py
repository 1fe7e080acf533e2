"""Fingerprints of free text, so identical contributions (campaigns) can be grouped in SQL.

Two texts share a fingerprint when they differ only in letter case, spacing or
punctuation. The fingerprint is stored with each answer at insert time; the
campaign report groups by it instead of comparing texts.
"""

import hashlib
import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalise_text(text: str | None) -> str:
    """The text casefolded, without punctuation or symbols, whitespace collapsed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold()
    kept = (
        " " if unicodedata.category(char)[0] in "PS" else char
        for char in text  # punctuation and symbols become spaces, so "a,b" is "a b"
    )
    return _SPACES.sub(" ", "".join(kept)).strip()


def text_fingerprint(text: str | None) -> str | None:
    """32 hex characters identifying the normalised text, or ``None`` for no text."""
    normal = normalise_text(text)
    if not normal:
        return None
    return hashlib.sha256(normal.encode()).hexdigest()[:32]


def fingerprint_default(context) -> str | None:
    """Column default: the fingerprint of the row's ``text_value``."""
    return text_fingerprint(context.get_current_parameters().get("text_value"))
