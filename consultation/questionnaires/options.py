"""Option lists that come from maintained sources rather than from YAML."""

import unicodedata
from functools import cache, lru_cache

import pycountry
from babel import Locale

#: The 27 member states, shown first in country lists.
EU_MEMBERS = (
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)

#: The 24 official languages of the European Union (ISO 639-1).
EU_LANGUAGES = "bg cs da de el en es et fi fr ga hr hu it lt lv mt nl pl pt ro sk sl sv".split()


@lru_cache(maxsize=32)
def _territory_names(locale: str) -> dict:
    """Babel's country names in ``locale``, parsed once: a questionnaire page shows all 249."""
    try:
        return dict(Locale.parse(locale).territories)
    except (ValueError, TypeError):
        return {}


def country_name(code: str, locale: str | None = None) -> str:
    """The country's name in ``locale`` (Babel), falling back to pycountry's English name."""
    name = _territory_names(str(locale or "en")).get(code)
    if name:
        return name
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


def sort_key(name: str) -> str:
    """Accents ignored, so Égypte sorts with the Es and Österreich with the Os."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@cache
def country_codes(locale: str | None = None) -> tuple[str, ...]:
    """ISO 3166 alpha-2 codes: EU members first, then every other country, by name in ``locale``."""

    def by_name(code):
        return sort_key(country_name(code, locale))

    others = sorted(
        (c.alpha_2 for c in pycountry.countries if c.alpha_2 not in EU_MEMBERS), key=by_name
    )
    return tuple(sorted(EU_MEMBERS, key=by_name)) + tuple(others)


def language_name(code: str, locale: str | None = None) -> str:
    """The language's name in ``locale``, in its own case conventions."""
    name = Locale.parse(locale or "en").languages.get(code, code)
    return name[:1].upper() + name[1:]


def _languages():
    return [
        {"key": code, "label": {lang: language_name(code, lang) for lang in ("en", "fr", "de")}}
        for code in EU_LANGUAGES
    ]


_GENERATORS = {"eu_languages": _languages}


@cache
def _generated(name):
    return tuple(_GENERATORS[name]())


def generated_options(name: str) -> list[dict]:
    """The options of a named list (``KeyError`` if there is none)."""
    return list(_generated(name))
