"""Which languages a questionnaire's texts exist in, and which of its texts are missing.

Every text of a definition is a mapping with an English entry (``{"en": ..., "fr": ...}``);
a language has it inline or in the questionnaire catalogue (``catalogue.py``).
"""

from collections.abc import Iterator

from .text import DEFAULT_LANGUAGE, english, is_plural_forms, lookup, singular


def _is_text_mapping(value) -> bool:
    """A text per language (``{en: ..., fr: ...}``), or a unit's plural forms per language
    (``{en: {one: day, other: days}, fr: jours}``): either is translated as a whole."""
    if not isinstance(value, dict):
        return False
    source = value.get(DEFAULT_LANGUAGE)
    if not (isinstance(source, str) or is_plural_forms(source)):
        return False
    return all(
        isinstance(k, str) and len(k) == 2 and (isinstance(v, str) or is_plural_forms(v))
        for k, v in value.items()
    )


def source_text(text) -> str:
    """A text's English as a translator reads it (a unit's plural forms: "day / days")."""
    source = english(text)
    if isinstance(source, dict):
        return " / ".join(dict.fromkeys((singular(source), source["other"])))
    return source


def texts(definition: dict) -> Iterator[tuple[str, dict]]:
    """Every text of a definition with where it is: a question's key, a section's key or
    the name of a top-level setting (``title``, ``privacy_notice``...)."""

    def walk(value, where):
        if _is_text_mapping(value):
            yield where, value
        elif isinstance(value, dict):
            inner = value.get("key") if "type" in value and "key" in value else None
            for item in value.values():
                yield from walk(item, f"question '{inner}'" if inner else where)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item, where)

    for name, value in definition.items():
        if name == "sections":
            for section in value:
                for item in section.values():
                    yield from walk(item, f"section '{section['key']}'")
        else:
            yield from walk(value, f"'{name}'")


def missing_texts(definition: dict, locale: str) -> list[tuple[str, str]]:
    """The texts with no ``locale`` version, as (where, English text), in definition order."""
    if locale == DEFAULT_LANGUAGE:
        return []
    return [
        (where, source_text(text)) for where, text in texts(definition) if not lookup(text, locale)
    ]


def complete_in(definition: dict, locale: str) -> bool:
    """Whether every text of the definition exists in ``locale``."""
    return not missing_texts(definition, locale)
