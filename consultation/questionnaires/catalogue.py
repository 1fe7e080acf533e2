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
    return found if isinstance(found, str) and found else None


#: The context (msgctxt) of a unit's general form, the word beside an empty box ("days").
UNIT_CONTEXT = "unit, without a number"


class PluralForms:
    """A unit in a catalogue language: the forms it takes after a number (a gettext plural
    entry, msgid "day" and msgid_plural "days", chosen by the catalogue's ``Plural-Forms``
    rule) and its general form (an entry of context ``UNIT_CONTEXT``: "days", "dni")."""

    def __init__(self, forms, rule, general):
        self.forms, self.rule, self.general = forms, rule, general

    def form(self, count=None) -> str:
        """The form after ``count``; with no count, or a fraction (which gettext's rules do not
        cover), the general form."""
        if count is None or count != int(count):
            return self.general
        index = self.rule(abs(int(count)))
        return self.forms[min(index, len(self.forms) - 1)]


def translated_plural(singular: str, plural: str, locale: str) -> PluralForms | None:
    """The unit whose English forms are ``singular`` and ``plural`` in ``locale`` (its plural
    entry and its general form), or ``None`` if either is untranslated."""
    catalogue = _catalogue(locale)
    if catalogue is None:
        return None
    forms = []
    while (singular, len(forms)) in catalogue._catalog:
        forms.append(catalogue._catalog[(singular, len(forms))])
    general = catalogue._catalog.get(f"{UNIT_CONTEXT}\x04{plural}")
    if not forms or not all(forms) or not general:
        return None
    return PluralForms(forms, catalogue.plural, general)


def has_catalogue(locale: str) -> bool:
    """Whether a compiled questionnaire catalogue exists for ``locale``."""
    return _catalogue(locale) is not None


def forget():
    """Read the catalogues again (after ``make translations-compile`` in a test)."""
    _catalogue.cache_clear()
