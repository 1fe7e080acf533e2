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
