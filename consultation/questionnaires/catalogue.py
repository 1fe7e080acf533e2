"""Questionnaire texts in the languages the YAML files do not carry inline.

English is the source in the YAML (French and German may stay inline). Every other
language comes from a gettext catalogue of the domain ``questionnaires``
(``translations/<lang>/LC_MESSAGES/questionnaires.po``) whose msgids are the English
texts, written by ``flask translations extract-questionnaires``.
"""

from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

DOMAIN = "questionnaires"
#: The catalogues live beside the interface's (``translations/``, at the project's root).
TRANSLATIONS_DIR = Path(__file__).resolve().parents[2] / "translations"


@lru_cache(maxsize=32)
def _catalogue(locale: str):
    """The compiled catalogue of ``locale``, or ``None`` when there is none."""
    found = Translations.load(str(TRANSLATIONS_DIR), [locale], domain=DOMAIN)
    if type(found) is NullTranslations:  # no .mo for this language
        return None
    return found


def translated(english: str, locale: str) -> str | None:
    """``english`` in ``locale`` from its catalogue, or ``None`` if it is not translated."""
    catalogue = _catalogue(locale)
    if catalogue is None:
        return None
    # Only translated, non-fuzzy entries are compiled; a missing one is simply absent.
    found = catalogue._catalog.get(english)
    return found or None


def has_catalogue(locale: str) -> bool:
    """Whether a compiled questionnaire catalogue exists for ``locale``."""
    return _catalogue(locale) is not None


def forget():
    """Read the catalogues again (after ``make translations-compile`` in a test)."""
    _catalogue.cache_clear()
