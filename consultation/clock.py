"""The one clock. Nothing else in the application asks the system for the time.

Times are timezone-aware UTC everywhere; ``BRUSSELS`` is only for display and
for turning a closing date into the instant it ends.
"""

from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")

_frozen: datetime | None = None


def now_utc() -> datetime:
    """The current time, timezone-aware UTC (or the frozen time in tests)."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC)


def freeze(moment: datetime | None) -> None:
    """Stop the clock at ``moment`` (aware), or let it run again with ``None``."""
    global _frozen
    if moment is not None and moment.tzinfo is None:
        raise ValueError("freeze() needs a timezone-aware datetime")
    _frozen = moment.astimezone(UTC) if moment is not None else None


@contextmanager
def frozen(moment: datetime):
    """Freeze the clock for the duration of a ``with`` block."""
    previous = _frozen
    freeze(moment)
    try:
        yield
    finally:
        freeze(previous)


def today_brussels() -> date:
    """Today's date in Brussels."""
    return now_utc().astimezone(BRUSSELS).date()


def start_of_day(day: date) -> datetime:
    """The UTC instant at which ``day`` begins in Brussels."""
    return datetime.combine(day, time.min, tzinfo=BRUSSELS).astimezone(UTC)


def end_of_day(day: date) -> datetime:
    """The UTC instant at which ``day`` ends in Brussels: midnight that starts the next day.

    A consultation closing on ``day`` accepts contributions strictly before this instant.
    """
    return start_of_day(day + timedelta(days=1))


def closing_date(closes_at: datetime) -> date:
    """The last Brussels day on which a consultation ending at ``closes_at`` is open."""
    return (closes_at.astimezone(BRUSSELS) - timedelta(microseconds=1)).date()


def to_brussels(moment: datetime) -> datetime:
    """``moment`` (aware) in Brussels time, for display."""
    return moment.astimezone(BRUSSELS)
