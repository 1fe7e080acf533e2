"""Texts in a definition are a string or a mapping of language code to string."""

DEFAULT_LANGUAGE = "en"


def tr(text, locale: str | None = None) -> str:
    """The text in ``locale``, falling back to English, then to any language, never to blank."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    for lang in (locale, DEFAULT_LANGUAGE):
        if lang and text.get(lang):
            return text[lang]
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


def is_unit(value) -> bool:
    """Whether ``value`` is a usable unit: a text, or per language a text or its plural forms
    (``{one: day, other: days}``, the CLDR categories, "other" required)."""
    if is_text(value):
        return True
    if not isinstance(value, dict) or not value:
        return False
    for text in value.values():
        if isinstance(text, dict):
            if "other" not in text or not set(text) <= set(PLURAL_CATEGORIES):
                return False
            if not all(isinstance(v, str) and v.strip() for v in text.values()):
                return False
        elif not (isinstance(text, str) and text.strip()):
            return False
    return True
