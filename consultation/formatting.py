"""Dates, numbers and windows in words, in the reader's language. Times are Brussels time."""

from datetime import datetime
from decimal import Decimal

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from flask_babel import gettext, pgettext

from . import clock
from .consultations.models import State
from .i18n import PERCENT_STEP, current_locale, format_locale, number, percent

__all__ = [
    "brussels_datetime",
    "current_locale",
    "long_date",
    "number",
    "state_label",
    "window_text",
]


def long_date(value, locale=None) -> str:
    """4 June 2025, 4 juin 2025, 4. Juni 2025"""
    return format_date(value, "long", locale=format_locale(locale))


def brussels_datetime(moment, locale=None) -> str:
    """4 June 2025, 14:05 (in Brussels), in the reader's language."""
    local = clock.to_brussels(moment)
    return gettext(
        "%(date)s, %(time)s",
        date=long_date(local.date(), locale),
        time=format_time(local, "HH:mm", locale=format_locale(locale)),
    )


def window_text(consultation, locale=None) -> str:
    """The consultation's window in words, e.g. 'Open until 4 June 2025, midnight Brussels time'."""
    until = long_date(consultation.closing_date, locale)
    state = consultation.state
    if state is State.OPEN:
        return gettext("Open until %(date)s, midnight Brussels time", date=until)
    if state is State.UPCOMING:
        opens = long_date(clock.to_brussels(consultation.opens_at).date(), locale)
        return gettext(
            "Opens on %(opens)s; open until %(date)s, midnight Brussels time",
            opens=opens,
            date=until,
        )
    if consultation.ended_at < consultation.closes_at:
        return gettext(
            "Closed on %(datetime)s Brussels time",
            datetime=brussels_datetime(consultation.ended_at, locale),
        )
    return gettext("Closed at midnight Brussels time at the end of %(date)s", date=until)


def state_label(state) -> str:
    """A consultation's state (upcoming, open, closed) as a word in the reader's language."""
    labels = {
        State.UPCOMING: pgettext("consultation state", "Upcoming"),
        State.OPEN: pgettext("consultation state", "Open"),
        State.CLOSED: pgettext("consultation state", "Closed"),
    }
    return labels[State(state)]


def share(count, total, locale=None) -> str:
    """``count`` as a share of ``total`` to a tenth of a percent: 22.8%, 22,8 %, 100 %.

    A share that is neither none nor all never reads as if it were: 1 of 2,983
    is "<0.1%" and 2,982 of 2,983 ">99.9%"; 0 of n is "0%" and n of n "100%".
    """
    if not total or not count:
        return percent(0, locale)
    ratio = Decimal(count) / Decimal(total)
    if count >= total:
        return percent(ratio, locale)
    if ratio < PERCENT_STEP / 2:
        return "<" + percent(PERCENT_STEP, locale)
    if ratio >= 1 - PERCENT_STEP / 2:
        return ">" + percent(1 - PERCENT_STEP, locale)
    return percent(ratio, locale)


def role_label(role) -> str:
    """An account's role (admin, analyst, moderator) in the reader's language."""
    labels = {
        "admin": gettext("administrator"),
        "analyst": gettext("analyst"),
        "moderator": gettext("moderator"),
    }
    return labels.get(str(role), str(role))


def audit_value(value, locale=None) -> str:
    """A value of an audit record for people: instants in Brussels time, nothing as a dash."""
    if value is None:
        return "—"
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            return brussels_datetime(moment, locale)
    return str(value)


def rate(value, locale=None) -> str:
    """A rate (arrivals an hour) as people read one: whole from 10, one decimal from 1, and
    two significant digits below (0.083, not a rounded 0)."""
    if value >= 10:
        return number(round(value), locale)
    if value >= 1:
        return number(round(value, 1), locale)
    return format_decimal(Decimal(f"{value:.2g}"), "#,##0.##########", format_locale(locale))


def register(app):
    app.jinja_env.filters.update(
        long_date=long_date,
        brussels_datetime=brussels_datetime,
        window_text=window_text,
        state_label=state_label,
        role_label=role_label,
        share=share,
        number=number,
        rate=rate,
        audit_value=audit_value,
    )
