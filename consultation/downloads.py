"""``Content-Disposition`` for every file the site sends, safe whatever the name holds.

A name may come from a respondent (an uploaded file) or from a filter in the URL
(a report's name): quotes, semicolons, line breaks or direction overrides in it must
not change the header nor fool the person saving the file. The header carries an
ASCII ``filename`` for old clients and the exact name as RFC 6266 / RFC 8187
``filename*`` (UTF-8, percent-encoded).
"""

import re
import unicodedata
from pathlib import PurePath
from urllib.parse import quote

#: Characters file systems refuse (Windows' set, which includes the path separators).
UNSAFE_IN_NAMES = re.compile(r'[<>:"/\\|?*]')
#: What may stand in the quoted ASCII fallback: letters, digits and a few separators.
NOT_PLAIN_ASCII = re.compile(r"[^A-Za-z0-9._()+ -]")
EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}")
#: RFC 8187 attr-char, besides letters and digits: left as they are in ``filename*``.
ATTR_CHAR = "!#$&+-.^_`|~"
MAX_NAME = 150
#: Unicode categories never kept in a name: controls, format characters (bidi overrides
#: such as U+202E, which make "fdp.exe" read as "exe.pdf"), line and paragraph separators.
INVISIBLE = {"Cc", "Cf", "Zl", "Zp"}


def safe_filename(name: str, default: str = "download") -> str:
    """``name`` without control or format characters (bidi overrides too) and unsafe signs."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = "".join(" " if unicodedata.category(ch) in INVISIBLE else ch for ch in name)
    name = " ".join(UNSAFE_IN_NAMES.sub("_", name).split()).strip(" .")
    if not any(ch.isalnum() for ch in name):
        return default
    if len(name) > MAX_NAME:
        suffix = PurePath(name).suffix[:16]
        name = name[: MAX_NAME - len(suffix)].rstrip(" .") + suffix
    return name


def ascii_filename(name: str) -> str:
    """The same name in plain ASCII, accents dropped, anything else as ``_``."""
    suffix = PurePath(name).suffix
    if not EXTENSION.fullmatch(suffix):
        suffix = ""
    stem = name.removesuffix(suffix)
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    stem = " ".join(NOT_PLAIN_ASCII.sub("_", stem).split()).strip(" ._")
    return (stem or "download") + suffix


def attachment(filename: str) -> dict[str, str]:
    """The headers that offer a file as a download named ``filename`` (safely encoded)."""
    name = safe_filename(filename)
    fallback = ascii_filename(name)
    exact = quote(name, safe=ATTR_CHAR)
    return {"Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{exact}"}
