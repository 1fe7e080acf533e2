"""A small server-rendered SVG bar chart of submissions per day."""

from flask_babel import gettext as _
from markupsafe import Markup, escape


def per_day_svg(series, width=640, height=160, title=None) -> Markup:
    """Bars for each day; readable in grey-scale; described for screen readers."""
    title = title or _("Submissions per day")
    days = list(series.items())
    if not days:
        return Markup("<p>%s</p>") % _("No submissions yet.")
    peak = max(count for _, count in days) or 1
    total = sum(count for _, count in days)
    busiest_day, busiest = max(days, key=lambda item: item[1])
    left, bottom, top = 36, 22, 8
    plot_w, plot_h = width - left - 4, height - bottom - top
    step = plot_w / len(days)
    bars = []
    for index, (day, count) in enumerate(days):
        bar_h = plot_h * count / peak
        x = left + index * step
        y = top + plot_h - bar_h
        bars.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(step - 1, 1):.1f}" '
            f'height="{bar_h:.1f}" fill="#2b4c7e"><title>{day.isoformat()}: {count}</title></rect>'
        )
    first, last = days[0][0].isoformat(), days[-1][0].isoformat()
    label = _(
        "%(title)s: %(total)s in %(days)s days from %(first)s to %(last)s; "
        "busiest day %(busiest_day)s with %(busiest)s.",
        title=title,
        total=total,
        days=len(days),
        first=first,
        last=last,
        busiest_day=busiest_day.isoformat(),
        busiest=busiest,
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart" role="img" aria-label="{escape(label)}">'
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 4}" y2="{top + plot_h}" '
        f'stroke="#333"/>'
        f'<text x="{left - 4}" y="{top + 10}" text-anchor="end" font-size="11">{peak}</text>'
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" font-size="11">0</text>'
        + "".join(bars)
        + f'<text x="{left}" y="{height - 6}" font-size="11">{first}</text>'
        f'<text x="{width - 4}" y="{height - 6}" text-anchor="end" font-size="11">{last}</text>'
        "</svg>"
    )
    return Markup(svg) + Markup(f'<p class="visually-hidden">{escape(label)}</p>')
