"""Stop words by language, shipped as files: ``stopwords/<language>.txt``, one word a line.

A language is added by adding its file (lines starting with ``#`` are comments);
``THEME_STOPWORDS_FOLDER`` names a folder of further files, which take precedence.
"""

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
