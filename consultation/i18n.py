"""The interface language: chosen by the person, else by the browser, else English.

The choice is kept in a long-lived cookie so it survives closing the browser, and
works the same whether or not the person has a session.
"""

from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlsplit

from babel import Locale
from babel.numbers import format_decimal, format_percent
from flask import (
    Blueprint,
    abort,
    current_app,
    has_app_context,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, refresh
from werkzeug.exceptions import HTTPException

from . import catalogues
from .questionnaires.catalogue import PluralForms
from .questionnaires.text import tr

#: The 24 official languages of the EU, each named in itself, in the EU's protocol order
#: (by their own names, as the EU's sites list them). Only those whose catalogues are
#: complete are offered (``offered_languages``).
LANGUAGES = {
    "bg": "Български",
    "es": "Español",
    "cs": "Čeština",
    "da": "Dansk",
    "de": "Deutsch",
    "et": "Eesti",
    "el": "Ελληνικά",
    "en": "English",
    "fr": "Français",
    "ga": "Gaeilge",
    "hr": "Hrvatski",
    "it": "Italiano",
    "lv": "Latviešu",
    "lt": "Lietuvių",
    "hu": "Magyar",
    "mt": "Malti",
    "nl": "Nederlands",
    "pl": "Polski",
    "pt": "Português",
    "ro": "Română",
    "sk": "Slovenčina",
    "sl": "Slovenščina",
    "fi": "Suomi",
    "sv": "Svenska",
}
DEFAULT_LOCALE = "en"
#: The regional conventions used to write each language: EU English writes dates as
#: 4 June 2025 and numbers as 1,234.5, as in Ireland and the United Kingdom.
FORMAT_LOCALES = {
    "bg": "bg_BG",
    "cs": "cs_CZ",
    "da": "da_DK",
    "de": "de_DE",
    "el": "el_GR",
    "en": "en_GB",
    "es": "es_ES",
    "et": "et_EE",
    "fi": "fi_FI",
    "fr": "fr_FR",
    "ga": "ga_IE",
    "hr": "hr_HR",
    "hu": "hu_HU",
    "it": "it_IT",
    "lt": "lt_LT",
    "lv": "lv_LV",
    "mt": "mt_MT",
    "nl": "nl_NL",
    "pl": "pl_PL",
    "pt": "pt_PT",
    "ro": "ro_RO",
    "sk": "sk_SK",
    "sl": "sl_SI",
    "sv": "sv_SE",
}
COOKIE = "locale"
#: A questionnaire's language control sends the form with this field (nothing typed is
#: lost): its value is a language code, or ``CHOSEN`` to take the one picked in the list.
SWITCH_FIELD = "switch_language"
CHOICE_FIELD = "language_choice"
CHOSEN = "chosen"
COOKIE_MAX_AGE = 365 * 24 * 3600

bp = Blueprint("i18n", __name__)


def offered_languages() -> dict:
    """The languages the interface offers (code → own name): those whose catalogues are
    complete, restricted by the ``LANGUAGES`` setting; all 24 outside an application."""
    if not has_app_context():
        return dict(LANGUAGES)
    found = current_app.extensions.get("offered_languages")
    if found is None:
        allowed = current_app.config.get("LANGUAGES")
        found = current_app.extensions["offered_languages"] = catalogues.offered(LANGUAGES, allowed)
    return found


def language_alternates(current: str, return_to: str) -> list[tuple[str, str]]:
    """(code, address) of the page in every other offered language, for its ``hreflang`` links.

    One address is built and the others made from it by changing the code: building an
    address costs some 15 µs, and a page has up to 23 of them.
    """
    codes = [code for code in offered_languages() if code != current]
    if not codes:
        return []
    first = url_for("i18n.switch", code=codes[0], next=return_to, _external=True)
    path, mark, query = first.partition("?")  # the code is the path's last segment
    stem = path.removesuffix(codes[0])
    return [(code, f"{stem}{code}{mark}{query}") for code in codes]


def current_locale() -> str:
    """The active interface language ("en", "fr", "el"...); English outside a request."""
    locale = get_locale()
    language = locale.language if locale is not None else DEFAULT_LOCALE
    return language if language in LANGUAGES else DEFAULT_LOCALE


def format_locale(locale=None) -> str:
    """The Babel locale used to write dates and numbers in ``locale`` (default: the active one)."""
    locale = locale or current_locale()
    return FORMAT_LOCALES.get(locale, locale)


def number(value, locale=None) -> str:
    """12.5, 12,5, 1,234 or 1.234 depending on the language."""
    return format_decimal(value, locale=format_locale(locale))


#: Percentages are written to a tenth of a percent.
PERCENT_STEP = Decimal("0.001")


def percent(ratio, locale=None) -> str:
    """``ratio`` (0.228) as a percentage in the reader's way: 22.8%, 22,8 %; 0.5 is 50%.

    Every percentage the application writes goes through here (counts through
    ``formatting.share``), so they all have one form.
    """
    value = Decimal(str(ratio)).quantize(PERCENT_STEP, ROUND_HALF_UP)
    return format_percent(value, locale=format_locale(locale), decimal_quantization=False)


def quantity(value, unit=None, locale=None) -> str:
    """A number with its unit in the reader's language, agreeing with it: 1 day, 540 days,
    1,5 jour, 1.372,5 Tage; a value in percent as ``percent`` writes percentages (37.4%)."""
    if unit == "%":
        return percent(Decimal(str(value)) / 100, locale)
    shown = number(value, locale)
    text = unit_text(unit, locale, value) if unit else ""
    return f"{shown}\u00a0{text}" if text else shown


def unit_text(unit, locale=None, count=None) -> str:
    """A unit (a text, one per language, or per language its plural forms) in ``locale``.

    With ``count``, the form that language uses for that number (CLDR's rules, through
    Babel: English and German "one" for exactly 1, French for 0 to 1.99...); without,
    the general form ("other": days), as beside an empty box.
    """
    text = tr(unit, locale)  # no language given: English, as ``tr`` falls back
    if isinstance(text, PluralForms):  # from a catalogue: its gettext plural rule
        return text.form(None if count is None else _as_shown(count))
    if not isinstance(text, dict):
        return text
    if count is None:
        return text["other"]
    rules = Locale.parse(format_locale(locale or DEFAULT_LOCALE))
    category = rules.plural_form(_as_shown(count))
    return text.get(category) or text["other"]


def _as_shown(count):
    """The number as ``number`` writes it (at most three decimals, no trailing zeros), which is
    what the plural rule must see: an average of 1.0 is written, and read, "1"."""
    value = Decimal(str(count)).quantize(Decimal("0.001"), ROUND_HALF_UP)
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()


def select_locale() -> str | None:
    """The cookie's language if it is one we have, else the best ``Accept-Language`` match."""
    if not has_request_context():
        return None  # the CLI and plain tests speak English
    switched = switching_language()
    if switched:
        return switched
    offered = offered_languages()
    linked = request.args.get("lang") if request.method == "GET" else None
    if linked in offered:  # a link written for someone, such as an e-mail's, in their language
        return linked
    chosen = request.cookies.get(COOKIE)
    if chosen in offered:
        return chosen
    return request.accept_languages.best_match(offered, default=DEFAULT_LOCALE)


def _safe_next(target: str | None) -> str:
    """A path on this site to go back to; anything else (another host) becomes the home page."""
    if not target:
        return "/"
    target = target.replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):  # never into the Location header
        return "/"
    return target


def switching_language() -> str | None:
    """The language asked for by a questionnaire's language button, if this POST is one."""
    if request.method != "POST":
        return None
    try:
        chosen = request.form.get(SWITCH_FIELD)
        if chosen == CHOSEN:
            chosen = request.form.get(CHOICE_FIELD)
    except HTTPException:  # a body too large or malformed: its own error page, in the default
        return None
    return chosen if chosen in offered_languages() else None


def remember_language(response, code):
    """Keep ``code`` as the person's language in a long-lived cookie."""
    response.set_cookie(
        COOKIE,
        code,
        max_age=COOKIE_MAX_AGE,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


@bp.get("/language")
def choose():
    """Every offered language in its own name; with ``?code=`` (the header's list), switch."""
    code = request.args.get("code")
    if code is not None:
        return switch(code)
    next_page = _safe_next(request.args.get("next"))
    return render_template("public/languages.html", next_page=next_page)


@bp.get("/language/<code>")
def switch(code):
    """Remember the chosen interface language and go back to the page the person was on."""
    if code not in offered_languages():
        abort(404)
    return remember_language(redirect(_safe_next(request.args.get("next")), code=303), code)


def register(app):
    """Forget the locale between requests: tests reuse one application context for many."""
    app.before_request(refresh)
    app.register_blueprint(bp)
