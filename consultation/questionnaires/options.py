"""Option lists that come from maintained sources rather than from YAML."""

import re
import unicodedata
from functools import cache, lru_cache

import pycountry
from babel import Locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..i18n import current_locale

#: The 27 member states, shown first in country lists.
EU_MEMBERS = (
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)

#: The 24 official languages of the European Union (ISO 639-1).
EU_LANGUAGES = "bg cs da de el en es et fi fr ga hr hu it lt lv mt nl pl pt ro sk sl sv".split()


#: Countries and territories the EU lists that ISO 3166 (pycountry) has not assigned.
EXTRA_COUNTRIES = ("XK",)

#: The EU's short names (Interinstitutional Style Guide) where Babel's (CLDR) differ: CLDR
#: has informal forms ("Congo - Brazzaville", "St. Kitts & Nevis") and lacks the asterisk
#: of the designations that carry a footnote, and writes special administrative regions
#: in full. Other names come from CLDR as it is.
OFFICIAL_NAMES = {
    "en": {
        "AG": "Antigua and Barbuda",
        "BA": "Bosnia and Herzegovina",
        "BL": "Saint Barthélemy",
        "BQ": "Bonaire, Sint Eustatius and Saba",
        "CD": "Democratic Republic of the Congo",
        "CG": "Republic of the Congo",
        "CV": "Cabo Verde",
        "GS": "South Georgia and the South Sandwich Islands",
        "HK": "Hong Kong",
        "HM": "Heard Island and McDonald Islands",
        "KN": "Saint Kitts and Nevis",
        "LC": "Saint Lucia",
        "MF": "Saint Martin",
        "MM": "Myanmar/Burma",
        "MO": "Macao",
        "PM": "Saint Pierre and Miquelon",
        "PS": "Palestine*",
        "SH": "Saint Helena, Ascension and Tristan da Cunha",
        "SJ": "Svalbard and Jan Mayen",
        "ST": "São Tomé and Príncipe",
        "TC": "Turks and Caicos Islands",
        "TT": "Trinidad and Tobago",
        "UM": "United States Minor Outlying Islands",
        "VA": "Holy See",
        "VC": "Saint Vincent and the Grenadines",
        "VI": "United States Virgin Islands",
        "WF": "Wallis and Futuna",
        "XK": "Kosovo*",
    },
    "fr": {
        "BQ": "Bonaire, Saint-Eustache et Saba",
        "CD": "République démocratique du Congo",
        "CG": "République du Congo",
        "HK": "Hong Kong",
        "MM": "Myanmar/Birmanie",
        "MO": "Macao",
        "PS": "Palestine*",
        "VA": "Saint-Siège",
        "XK": "Kosovo*",
    },
    "de": {
        "BQ": "Bonaire, St. Eustatius und Saba",
        "CD": "Demokratische Republik Kongo",
        "CG": "Republik Kongo",
        "HK": "Hongkong",
        "MM": "Myanmar/Birma",
        "MO": "Macau",
        "PS": "Palästina*",
        "VA": "Heiliger Stuhl",
        "XK": "Kosovo*",
    },
    "es": {
        "CD": "República Democrática del Congo",
        "CG": "Congo",
        "HK": "Hong Kong",
        "MM": "Myanmar/Birmania",
        "MO": "Macao",
        "PS": "Palestina*",
        "VA": "Santa Sede",
    },
    "it": {
        "CD": "Repubblica democratica del Congo",
        "CG": "Congo",
        "MM": "Myanmar/Birmania",
        "PS": "Palestina*",
        "VA": "Santa Sede",
    },
    "pt": {
        "CD": "República Democrática do Congo",
        "CG": "Congo",
        "HK": "Hong Kong",
        "MM": "Mianmar/Birmânia",
        "MO": "Macau",
        "PS": "Palestina*",
        "VA": "Santa Sé",
    },
    "nl": {
        "CD": "Democratische Republiek Congo",
        "CG": "Congo",
        "HK": "Hongkong",
        "MM": "Myanmar/Birma",
        "MO": "Macau",
        "PS": "Palestina*",
        "VA": "Heilige Stoel",
    },
    "sv": {
        "CD": "Demokratiska republiken Kongo",
        "CG": "Kongo",
        "HK": "Hongkong",
        "MM": "Myanmar/Burma",
        "MO": "Macao",
        "PS": "Palestina*",
        "VA": "Heliga stolen",
    },
    "da": {
        "CD": "Den Demokratiske Republik Congo",
        "CG": "Congo",
        "HK": "Hongkong",
        "MM": "Myanmar/Burma",
        "MO": "Macao",
        "PS": "Palæstina*",
        "VA": "Pavestolen",
    },
    "ro": {
        "CD": "Republica Democratică Congo",
        "CG": "Congo",
        "HK": "Hong Kong",
        "MM": "Myanmar/Birmania",
        "MO": "Macao",
        "PS": "Palestina*",
        "VA": "Sfântul Scaun",
    },
    "pl": {
        "MM": "Mjanma/Birma",
        "PS": "Palestyna*",
        "VA": "Stolica Apostolska",
    },
    "el": {
        "BA": "Βοσνία-Ερζεγοβίνη",
        "CD": "Λαϊκή Δημοκρατία του Κονγκό",
        "CG": "Κονγκό",
        "HK": "Χονγκ Κονγκ",
        "MM": "Μιανμάρ/Βιρμανία",
        "MO": "Μακάο",
        "PS": "Παλαιστίνη*",
        "VA": "Αγία Έδρα",
        "XK": "Κοσσυφοπέδιο*",
    },
    "bg": {
        "CD": "Демократична република Конго",
        "CG": "Република Конго",
        "HK": "Хонконг",
        "MM": "Мианмар/Бирма",
        "MO": "Макао",
        "PS": "Палестина*",
        "VA": "Светият престол",
        "XK": "Косово*",
    },
    "fi": {
        "HK": "Hongkong",
        "MM": "Myanmar/Burma",
        "MO": "Macao",
        "PS": "Palestiina*",
        "VA": "Pyhä istuin",
        "XK": "Kosovo*",
    },
    "mt": {
        "CG": "ir-Repubblika tal-Kongo",
        "CZ": "iċ-Ċekja",
        "HK": "Hong Kong",
        "MO": "Macao",
        "PS": "il-Palestina*",
        "VA": "is-Santa Sede",
        "XK": "il-Kosovo*",
    },
    "ga": {
        "CG": "Poblacht an Chongó",
        "HK": "Hong Cong",
        "MO": "Macao",
        "PS": "an Phalaistín*",
        "VA": "an Suí Naofa",
        "XK": "an Chosaiv*",
    },
    "hu": {
        "BQ": "Bonaire, Sint Eustatius és Saba",
        "CD": "Kongói Demokratikus Köztársaság",
        "CG": "Kongó",
        "CV": "Cabo Verde",
        "HK": "Hongkong",
        "MM": "Mianmar/Burma",
        "MO": "Makaó",
        "PS": "Palesztina*",
        "VA": "Szentszék",
        "XK": "Koszovó*",
    },
    "cs": {
        "BQ": "Bonaire, Svatý Eustach a Saba",
        "CD": "Demokratická republika Kongo",
        "CG": "Kongo",
        "HK": "Hongkong",
        "MM": "Myanmar/Barma",
        "MO": "Macao",
        "PS": "Palestina*",
        "VA": "Svatý stolec",
        "XK": "Kosovo*",
    },
    "sk": {
        "BQ": "Bonaire, Svätý Eustach a Saba",
        "CG": "Kongo",
        "HK": "Hongkong",
        "MM": "Mjanmarsko/Barma",
        "MO": "Macao",
        "PS": "Palestína*",
        "SH": "Svätá Helena, Ascension a Tristan da Cunha",
        "VA": "Svätá stolica",
        "XK": "Kosovo*",
    },
    "hr": {
        "BQ": "Bonaire, Sveti Eustazije i Saba",
        "CD": "Demokratska Republika Kongo",
        "CG": "Kongo",
        "HK": "Hong Kong",
        "MM": "Mjanmar/Burma",
        "MO": "Makao",
        "PS": "Palestina*",
        "VA": "Sveta Stolica",
        "XK": "Kosovo*",
    },
    "et": {
        "BQ": "Bonaire, Sint Eustatius ja Saba",
        "CD": "Kongo Demokraatlik Vabariik",
        "CG": "Kongo",
        "CV": "Cabo Verde",
        "HK": "Hongkong",
        "MM": "Myanmar/Birma",
        "MO": "Macau",
        "PS": "Palestiina*",
        "VA": "Püha Tool",
        "XK": "Kosovo*",
    },
    "lt": {
        "CD": "Kongo Demokratinė Respublika",
        "CG": "Kongas",
        "HK": "Honkongas",
        "MM": "Mianmaras/Birma",
        "MO": "Makao",
        "PS": "Palestina*",
        "VA": "Šventasis Sostas",
        "VC": "Sent Vinsentas ir Grenadinai",
        "XK": "Kosovas*",
    },
    "sl": {
        "BQ": "Bonaire, Sint Eustatius in Saba",
        "CG": "Kongo",
        "HK": "Hongkong",
        "MM": "Mjanmar/Burma",
        "MO": "Macao",
        "PM": "Saint-Pierre in Miquelon",
        "PS": "Palestina*",
        "VA": "Sveti sedež",
        "XK": "Kosovo*",
    },
    "lv": {
        "BQ": "Bonaire, Sintēstatiusa un Saba",
        "CD": "Kongo Demokrātiskā Republika",
        "CG": "Kongo",
        "HK": "Honkonga",
        "MM": "Mjanma/Birma",
        "MO": "Makao",
        "PS": "Palestīna*",
        "VA": "Svētais Krēsls",
        "XK": "Kosova*",
    },
}

#: The footnotes the EU puts to these designations (their names end with an asterisk).
FOOTNOTES = {
    "XK": _l(
        "This designation is without prejudice to positions on status, and is in line with "
        "UNSCR 1244/1999 and the ICJ Opinion on the Kosovo declaration of independence."
    ),
    "PS": _l(
        "This designation shall not be construed as recognition of a State of Palestine and "
        "is without prejudice to the individual positions of the Member States on this issue."
    ),
}


@lru_cache(maxsize=32)
def _territory_names(locale: str) -> dict:
    """Babel's country names in ``locale``, parsed once: a questionnaire page shows all 249."""
    try:
        return dict(Locale.parse(locale).territories)
    except (ValueError, TypeError):
        return {}


def country_name(code: str, locale: str | None = None) -> str:
    """The country's short name in ``locale``: the EU's where it has one, else Babel's, else
    pycountry's English name."""
    locale = str(locale or "en")
    name = OFFICIAL_NAMES.get(locale.split("_")[0], {}).get(code)
    name = name or _territory_names(locale).get(code)
    if name and code in FOOTNOTES and not name.endswith("*"):
        name += "*"  # the designations with a footnote carry its asterisk in every language
    if name:
        return name
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


#: The articles Maltese (il-Belġju, l-Awstrija, ix-Xipru) and Irish (an Bheilg, na
#: Stáit Aontaithe, an tSeicia) put before a country's name: lists sort by the name itself.
ARTICLES = re.compile(r"^(?:i[lrstxżdnċz]-|l-|(?:an|na) (?:t(?=[A-ZÁÉÍÓÚ])|h(?=[AEIOUÁÉÍÓÚ]))?)")


def sort_key(name: str) -> str:
    """Accents ignored, so Égypte sorts with the Es and Österreich with the Os; a Maltese
    or Irish article too, so il-Belġju sorts with the Bs."""
    decomposed = unicodedata.normalize("NFKD", ARTICLES.sub("", name))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@cache
def country_codes(locale: str | None = None) -> tuple[str, ...]:
    """ISO 3166 alpha-2 codes: EU members first, then every other country, by name in ``locale``."""

    def by_name(code):
        return sort_key(country_name(code, locale))

    codes = [c.alpha_2 for c in pycountry.countries] + list(EXTRA_COUNTRIES)
    others = sorted((code for code in codes if code not in EU_MEMBERS), key=by_name)
    return tuple(sorted(EU_MEMBERS, key=by_name)) + tuple(others)


def country_footnote(code: str | None) -> str:
    """The footnote of a designation whose name carries an asterisk, in the current language,
    as it is written under the text: "* Kosovo: This designation is ..."."""
    note = FOOTNOTES.get(code or "")
    if note is None:
        return ""
    name = country_name(code, current_locale()).rstrip("*")
    return _("* %(country)s: %(note)s", country=name, note=note)


def country_footnotes(codes) -> list[str]:
    """The footnotes of the designations among ``codes``, in list order, once each."""
    return [country_footnote(code) for code in FOOTNOTES if code in set(codes)]


def language_name(code: str, locale: str | None = None) -> str:
    """The language's name in ``locale``, in its own case conventions."""
    name = Locale.parse(locale or "en").languages.get(code, code)
    return name[:1].upper() + name[1:]


def _languages():
    return [
        {"key": code, "label": {lang: language_name(code, lang) for lang in EU_LANGUAGES}}
        for code in EU_LANGUAGES
    ]


_GENERATORS = {"eu_languages": _languages}


@cache
def _generated(name):
    return tuple(_GENERATORS[name]())


def generated_options(name: str) -> list[dict]:
    """The options of a named list (``KeyError`` if there is none)."""
    return list(_generated(name))
