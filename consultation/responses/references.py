"""Contribution references: short, readable labels to quote, which open nothing.

A reference is printed on the receipt and the PDF copy, quoted in letters and
e-mails, and typed back by staff: so it is short, grouped, and written with
letters and digits nobody confuses (no 0/O, 1/I/L, nor U). It is not a secret:
the private receipt and edit links are (``tokens``). Responses stored before
references became public labels keep their longer reference (six groups of
RFC 4648 base32); both forms are found the same way.
"""

import re
import secrets

#: 30 symbols, none easily mistaken for another (Crockford's choice, without U).
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
#: 12 symbols of 30: about 59 bits, so the unique constraint practically never refuses one.
LENGTH = 12
GROUP = 4
#: References made before they became public labels: 24 symbols of base32.
OLD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
OLD_LENGTH = 24
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.]+")


def new_reference() -> str:
    """A new reference: 12 random symbols in three groups of four, such as 7KQ2-MZ9D-XH4T."""
    return "-".join(
        "".join(secrets.choice(ALPHABET) for _ in range(GROUP)) for _ in range(LENGTH // GROUP)
    )


#: Public IDs: lower case (they sit in addresses), the same unmistakable symbols.
PUBLIC_ALPHABET = ALPHABET.lower()
#: 10 symbols of 30: about 49 bits. Public, so no secret; long enough that nobody finds
#: contributions by counting, short enough to read aloud.
PUBLIC_LENGTH = 10


def new_public_id() -> str:
    """A new public ID, such as ``k7m2q9xh4t``: random, and unrelated to the reference."""
    return "".join(secrets.choice(PUBLIC_ALPHABET) for _ in range(PUBLIC_LENGTH))


def groups(reference: str) -> list[str]:
    """The groups of a reference, to show it without breaking a group across lines."""
    return reference.split("-")


def canonical_reference(text: str | None) -> str | None:
    """``text`` as the reference it stands for (any case, with or without dashes), or ``None``.

    "7kq2 mz9d xh4t", "7KQ2MZ9DXH4T" and "7KQ2-MZ9D-XH4T" are one reference.
    """
    symbols = _SEPARATORS.sub("", text or "").upper()
    known = (len(symbols) == LENGTH and set(symbols) <= set(ALPHABET)) or (
        len(symbols) == OLD_LENGTH and set(symbols) <= set(OLD_ALPHABET)
    )
    if not known:
        return None
    return "-".join(symbols[i : i + GROUP] for i in range(0, len(symbols), GROUP))
