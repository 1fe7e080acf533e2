"""Texts in a definition are a string or a mapping of language code to string.

English is always there; French and German may be given inline; every other language
is looked up in the questionnaire catalogues (``catalogue.py``) by the English text.
"""

from .catalogue import translated, translated_plural

DEFAULT_LANGUAGE = "en"


def english(text) -> str | dict | None:
    """The English (source) form of a text, the msgid of its translations (for a unit with
    plural forms, its English forms: ``{one: day, other: days}``)."""
    if isinstance(text, str):
        return text
    if isinstance(text, dict):
        return text.get(DEFAULT_LANGUAGE)
    return None


def lookup(text, locale: str | None) -> str | None:
    """The text in ``locale`` if it exists there (inline or in a catalogue), else ``None``."""
    if text is None or not locale:
        return None
    if locale == DEFAULT_LANGUAGE:
        return english(text) or None
    if isinstance(text, dict) and text.get(locale):
        return text[locale]
    source = english(text)
    if isinstance(source, dict):  # a unit's plural forms: a plural entry of the catalogue
        return translated_plural(singular(source), source["other"], locale)
    return translated(source, locale) if source else None


def singular(forms: dict) -> str:
    """The msgid of a unit's plural entry: its English "one" form (else its only form)."""
    return forms.get("one") or forms["other"]


def tr(text, locale: str | None = None) -> str:
    """The text in ``locale``, falling back to English, then to any language, never to blank."""
    if text is None:
        return ""
    found = lookup(text, locale)
    if found:
        return found
    if isinstance(text, str):
        return text
    if text.get(DEFAULT_LANGUAGE):
        return text[DEFAULT_LANGUAGE]
    return next((value for value in text.values() if value), "")


def is_text(value) -> bool:
    """Whether ``value`` is a usable text: a non-empty string or a mapping of them."""
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, dict):
        return bool(value) and all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()
        )
    return False


#: The plural categories of CLDR (Babel's ``Locale.plural_form``); "other" is always there.
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")


def is_plural_forms(value) -> bool:
    """Whether ``value`` is a unit's plural forms in one language: ``{one: day, other: days}``
    (CLDR's categories, "other" required, each a non-empty text)."""
    return (
        isinstance(value, dict)
        and "other" in value
        and set(value) <= set(PLURAL_CATEGORIES)
        and all(isinstance(v, str) and v.strip() for v in value.values())
    )


def is_unit(value) -> bool:
    """Whether ``value`` is a usable unit: a text, or per language a text or its plural forms
    (``{one: day, other: days}``, the CLDR categories, "other" required)."""
    if is_text(value):
        return True
    if not isinstance(value, dict) or not value:
        return False
    return all(
        is_plural_forms(text) if isinstance(text, dict) else isinstance(text, str) and text.strip()
        for text in value.values()
    )
