"""Stop words by language, shipped as files: ``stopwords/<language>.txt``, one word a line.

A language is added by adding its file (lines starting with ``#`` are comments);
``THEME_STOPWORDS_FOLDER`` names a folder of further files, which take precedence.
"""

import re
from functools import cache
from pathlib import Path

from flask import current_app

SHIPPED = Path(__file__).resolve().parent / "stopwords"


def _folders() -> list[Path]:
    extra = current_app.config.get("THEME_STOPWORDS_FOLDER")
    return [Path(extra), SHIPPED] if extra else [SHIPPED]


@cache
def _read(path: Path) -> frozenset:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")
    )


def languages() -> list[str]:
    """The languages that have a stop-word list."""
    return sorted({path.stem for folder in _folders() for path in folder.glob("*.txt")})


def stop_words(language: str | None) -> frozenset:
    """The stop words of ``language``; None: those of every language with a list."""
    if language is None:
        words = frozenset()
        for code in languages():
            words |= stop_words(code)
        return words
    for folder in _folders():
        path = folder / f"{language}.txt"
        if path.is_file():
            return _read(path)
    return frozenset()


_WORDS = re.compile(r"[^\W\d_]+")


def guess_language(text: str, declared: str | None) -> str | None:
    """The language ``text`` is written in, by the stop words it uses; ``declared`` (the
    contribution's language) unless another list's words are clearly more frequent in it.

    People often write in another language than the one their form was in.
    """
    words = [word.casefold() for word in _WORDS.findall(text)]
    if not words:
        return declared
    hits = {code: sum(word in stop_words(code) for word in words) for code in languages()}
    best = max(sorted(hits), key=lambda code: hits[code])
    if hits[best] >= 2 and hits[best] > hits.get(declared, 0) * 1.5:
        return best
    return declared
