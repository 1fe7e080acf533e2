"""A small server-rendered SVG bar chart of submissions per day.

Its text is never scaled: the SVG has no viewBox, takes the width of the page and
places its labels in percentages of that width, so they keep their size (13 px) on a
phone and on a desktop. Only the bars, in a nested SVG that stretches, follow the width.
"""

from babel.dates import format_skeleton
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..formatting import long_date, number
from ..i18n import format_locale

#: Pixels; labels are at least 12 px at any width (WCAG-minded, and the issue asks so).
FONT_SIZE = 13
HEIGHT = 190
TOP, BOTTOM = 24, 34
#: Date labels under the bars on a wide screen; every other one ("minor") is hidden on a
#: phone by app.css, so five short dates share 300 pixels without touching.
TICKS = 9
#: Over this many days, ticks name months rather than days.
MONTH_TICKS_AFTER = 180
INK, GRID, BAR = "#1b1b1b", "#767676", "#2b4c7e"


def tick_indexes(count: int, ticks: int = TICKS) -> list[int]:
    """Evenly spaced indexes of ``count`` days, first and last included."""
    if count <= ticks:
        return list(range(count))
    return sorted({round(k * (count - 1) / (ticks - 1)) for k in range(ticks)})


def _tick_label(day, span_days: int) -> str:
    skeleton = "yMMM" if span_days > MONTH_TICKS_AFTER else "MMMd"
    return format_skeleton(skeleton, day, locale=format_locale())


def _text(x: str, y: int, label: str, anchor: str = "middle", css: str = "") -> str:
    css = f' class="{css}"' if css else ""
    return (
        f'<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="{FONT_SIZE}" '
        f'fill="{INK}"{css}>{escape(label)}</text>'
    )


def _ticks(days, base: int) -> list[str]:
    count = len(days)
    span = (days[-1][0] - days[0][0]).days
    indexes = tick_indexes(count)
    parts = []
    for position, index in enumerate(indexes):
        centre = f"{(index + 0.5) * 100 / count:.2f}%"
        # The first and last labels start and end at the chart's edges, never cut off.
        anchor, x = "middle", centre
        if position == 0:
            anchor, x = "start", "0"
        elif position == len(indexes) - 1:
            anchor, x = "end", "100%"
        minor = "tick-minor" if position % 2 and position != len(indexes) - 1 else ""
        css = f' class="{minor}"' if minor else ""
        parts.append(
            f'<line x1="{centre}" x2="{centre}" y1="{base}" y2="{base + 5}" stroke="{INK}"{css}/>'
        )
        parts.append(_text(x, base + 20, _tick_label(days[index][0], span), anchor, minor))
    return parts


def per_day_svg(series, title=None) -> Markup:
    """Bars for each day; readable in grey-scale; described for screen readers."""
    title = title or _("Submissions per day")
    days = list(series.items())
    total = sum(count for _, count in days)
    if not total:
        return Markup("<p>%s</p>") % _("No submissions yet.")
    peak = max(count for _, count in days)
    busiest_day, busiest = max(days, key=lambda item: item[1])
    base = HEIGHT - BOTTOM
    plot_h = base - TOP
    bars = "".join(
        f'<rect x="{index + 0.1:.1f}" y="{peak - count}" width="0.8" height="{count}">'
        f"<title>{escape(long_date(day))}: {number(count)}</title></rect>"
        for index, (day, count) in enumerate(days)
        if count
    )
    label = _(
        "%(title)s: %(total)s in %(days)s days from %(first)s to %(last)s; "
        "busiest day %(busiest_day)s with %(busiest)s.",
        title=title,
        total=number(total),
        days=number(len(days)),
        first=long_date(days[0][0]),
        last=long_date(days[-1][0]),
        busiest_day=long_date(busiest_day),
        busiest=number(busiest),
    )
    svg = "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="{HEIGHT}" '
            f'class="chart" role="img" aria-label="{escape(label)}">',
            f'<line x1="0" x2="100%" y1="{TOP}" y2="{TOP}" stroke="{GRID}" '
            'stroke-dasharray="4 3"/>',
            _text("0", TOP - 7, number(peak), "start"),
            f'<svg x="0" y="{TOP}" width="100%" height="{plot_h}" viewBox="0 0 {len(days)} '
            f'{peak}" preserveAspectRatio="none" fill="{BAR}">{bars}</svg>',
            f'<line x1="0" x2="100%" y1="{base}" y2="{base}" stroke="{INK}"/>',
            *_ticks(days, base),
            "</svg>",
        ]
    )
    return Markup(svg) + Markup(f'<p class="visually-hidden">{escape(label)}</p>')
