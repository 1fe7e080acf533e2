"""Dashboard figures, counted by the database (never by loading responses)."""

from collections import Counter, OrderedDict
from datetime import UTC, datetime, timedelta

from flask_babel import gettext
from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..questionnaires.options import EU_MEMBERS, country_name
from ..responses.models import Response


def _counted(consultation_id):
    return (Response.consultation_id == consultation_id, Response.flag.is_(None))


def totals(consultation) -> dict:
    """Responses in total, today (Brussels), and set aside as spam or duplicate."""
    today_start = clock.start_of_day(clock.today_brussels())
    row = db.session.execute(
        select(
            func.count().filter(Response.flag.is_(None)),
            func.count().filter(Response.flag.is_(None), Response.submitted_at >= today_start),
            func.count().filter(Response.flag.is_not(None)),
        ).where(Response.consultation_id == consultation.id)
    ).one()
    return {"total": row[0], "today": row[1], "flagged": row[2]}


def breakdown(consultation, column) -> list[tuple[str | None, int]]:
    """(value, count) of a response column, most frequent first."""
    column = getattr(Response, column)
    rows = db.session.execute(
        select(column, func.count())
        .where(*_counted(consultation.id))
        .group_by(column)
        .order_by(func.count().desc(), column)
    ).all()
    return [(value, count) for value, count in rows]


def in_option_order(rows, keys) -> list[tuple[str | None, int]]:
    """A breakdown in the order of the question's options (sizes from micro to large), those
    nobody chose included; values that are no option follow by count, none given last."""
    if not rows:
        return []
    counts = dict(rows)
    listed = [(key, counts.pop(key, 0)) for key in keys]
    rest = sorted(counts.items(), key=lambda item: (item[0] is None, -item[1], item[0] or ""))
    return listed + rest


def _hour_bucket(column):
    if db.engine.dialect.name == "postgresql":
        return func.date_trunc("hour", func.timezone("UTC", column))
    return func.strftime("%Y-%m-%d %H:00:00", column)


def per_day(consultation) -> "OrderedDict":
    """Submissions per Brussels day, from the opening day to today or the closing day."""
    bucket = _hour_bucket(Response.submitted_at).label("hour")
    rows = db.session.execute(
        select(bucket, func.count()).where(*_counted(consultation.id)).group_by(bucket)
    ).all()
    days = Counter()
    for hour, count in rows:
        if isinstance(hour, str):
            hour = datetime.fromisoformat(hour)
        moment = hour.replace(tzinfo=UTC) if hour.tzinfo is None else hour
        days[clock.to_brussels(moment).date()] += count
    first = clock.to_brussels(consultation.opens_at).date()
    last = min(clock.today_brussels(), clock.closing_date(consultation.ended_at))
    if days:
        first, last = min(first, min(days)), max(last, max(days))
    series = OrderedDict()
    day = first
    while day <= last and len(series) < 1000:
        series[day] = days.get(day, 0)
        day += timedelta(days=1)
    return series


def country_summary(rows, locale=None) -> dict:
    """EU and non-EU counts and the number of countries, from a country breakdown."""
    eu = sum(count for code, count in rows if code in EU_MEMBERS)
    other = sum(count for code, count in rows if code and code not in EU_MEMBERS)
    return {
        "eu": eu,
        "non_eu": other,
        "countries": sum(1 for code, _ in rows if code),
        "named": [
            (code, country_name(code, locale) if code else gettext("Not given"), n)
            for code, n in rows
        ],
    }
