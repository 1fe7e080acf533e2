"""Dates, numbers and windows in words, in the reader's language. Times are Brussels time."""

from datetime import datetime

from babel.dates import format_date, format_time
from babel.numbers import format_percent
from flask_babel import gettext, pgettext

from . import clock
from .consultations.models import State
from .i18n import current_locale, format_locale, number

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
    """``count`` as a share of ``total`` to a tenth of a percent: 12.5%, 12,5 %, 100 %."""
    value = round(count / total, 3) if total else 0
    return format_percent(value, locale=format_locale(locale), decimal_quantization=False)


def role_label(role) -> str:
    """An account's role (admin, analyst) in the reader's language."""
    labels = {"admin": gettext("administrator"), "analyst": gettext("analyst")}
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


def register(app):
    app.jinja_env.filters.update(
        long_date=long_date,
        brussels_datetime=brussels_datetime,
        window_text=window_text,
        state_label=state_label,
        role_label=role_label,
        share=share,
        number=number,
        audit_value=audit_value,
    )
