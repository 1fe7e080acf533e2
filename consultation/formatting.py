"""Dates and windows in words, for templates. Times are shown in Brussels time."""

from datetime import datetime

from babel.dates import format_date, format_datetime

from . import clock
from .consultations.models import State


def current_locale() -> str:
    return "en"


def long_date(value, locale=None) -> str:
    """4 June 2025"""
    return format_date(value, "d MMMM y", locale=locale or current_locale())


def brussels_datetime(moment, locale=None) -> str:
    """4 June 2025, 14:05 (Brussels time)"""
    local = clock.to_brussels(moment)
    return format_datetime(
        local, "d MMMM y, HH:mm", tzinfo=clock.BRUSSELS, locale=locale or current_locale()
    )


def window_text(consultation, locale=None) -> str:
    """The consultation's window in words, e.g. 'Open until 4 June 2025, midnight Brussels time'."""
    until = long_date(consultation.closing_date, locale)
    state = consultation.state
    if state is State.OPEN:
        return f"Open until {until}, midnight Brussels time"
    if state is State.UPCOMING:
        opens = long_date(clock.to_brussels(consultation.opens_at).date(), locale)
        return f"Opens on {opens}; open until {until}, midnight Brussels time"
    if consultation.ended_at < consultation.closes_at:
        return f"Closed on {brussels_datetime(consultation.ended_at, locale)} Brussels time"
    return f"Closed at midnight Brussels time at the end of {until}"


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
        audit_value=audit_value,
    )
