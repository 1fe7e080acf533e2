"""Charts as SVG made on the server, readable when printed in grey.

Every bar carries its number, so no chart depends on colour; stacked segments
differ by grey and by hatching, and a legend names them. Labels are escaped:
what a chart shows is text, never markup.
"""

from itertools import count

from markupsafe import Markup, escape

#: Width of the bar area, in CSS pixels.
BAR_WIDTH = 250
FONT = 'font-family="DejaVu Sans, sans-serif" font-size="9"'

#: Segment fills for stacked bars: (grey, texture or None, text colour on it).
FILLS = [
    ("#1f1f1f", None, "#ffffff"),
    ("#6b6b6b", None, "#ffffff"),
    ("#a6a6a6", "diagonal", "#000000"),
    ("#d0d0d0", None, "#000000"),
    ("#ffffff", "backward", "#000000"),
    ("#ffffff", "dots", "#000000"),
    ("#8a8a8a", "cross", "#000000"),
    ("#3d3d3d", "diagonal", "#ffffff"),
]
#: The marks drawn over a segment's grey, so neighbouring segments differ without colour.
TEXTURES = {
    "diagonal": ('patternTransform="rotate(45)"', '<line x1="0" y1="0" x2="0" y2="5"/>'),
    "backward": ('patternTransform="rotate(-45)"', '<line x1="0" y1="0" x2="0" y2="5"/>'),
    "cross": ("", '<line x1="0" y1="0" x2="0" y2="5"/><line x1="0" y1="0" x2="5" y2="0"/>'),
    "dots": ("", '<circle cx="2.5" cy="2.5" r="0.9" fill="#000"/>'),
}

_ids = count(1)


def percent(part, whole) -> float:
    """``part`` as a percentage of ``whole`` (0 when there is no whole)."""
    return 100.0 * part / whole if whole else 0.0


def _svg(width, height, body, label=""):
    title = f"<title>{escape(label)}</title>" if label else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">{title}{body}</svg>'
    )


def _bar(share, maximum=100.0):
    """A plain bar on a light track: ``share`` of ``maximum``."""
    length = BAR_WIDTH * min(max(share, 0), maximum) / maximum if maximum else 0
    body = (
        f'<rect x="0" y="0" width="{BAR_WIDTH}" height="12" fill="#efefef" '
        'stroke="#9a9a9a" stroke-width="0.5"/>'
    )
    if length > 0:
        body += f'<rect x="0" y="0" width="{length:.1f}" height="12" fill="#4d4d4d"/>'
    return _svg(BAR_WIDTH, 12, body)


def _table(rows, caption, head=""):
    """Chart rows as a table: label (text), bar (SVG), figures (text)."""
    body = "".join(
        f'<tr><td class="label">{escape(label)}</td><td class="bar">{bar}</td>'
        f'<td class="figure">{escape(figure)}</td></tr>'
        for label, bar, figure in rows
    )
    return Markup(
        f'<table class="chart-table" aria-label="{escape(caption)}">{head}'
        f"<tbody>{body}</tbody></table>"
    )


def bar_chart(rows, title="") -> Markup:
    """Horizontal bars: ``rows`` of (label, count, percent); bars are drawn on a 0-100% scale."""
    return _table(
        [(label, _bar(share), f"{number:,} ({share:.1f}%)") for label, number, share in rows],
        title,
    )


def _patterns(prefix):
    defs = []
    for index, (grey, texture, _) in enumerate(FILLS):
        if texture:
            transform, marks = TEXTURES[texture]
            defs.append(
                f'<pattern id="{prefix}-{index}" width="5" height="5" '
                f'patternUnits="userSpaceOnUse" {transform}>'
                f'<rect width="5" height="5" fill="{grey}"/>'
                f'<g stroke="#000" stroke-width="0.8">{marks}</g></pattern>'
            )
    return "<defs>" + "".join(defs) + "</defs>"


def _fill(prefix, index):
    grey, hatched, ink = FILLS[index % len(FILLS)]
    return (f"url(#{prefix}-{index % len(FILLS)})" if hatched else grey), hatched, ink


def _legend(labels):
    items = []
    for index, label in enumerate(labels):
        prefix = f"p{next(_ids)}"
        fill, _, _ = _fill(prefix, index)
        swatch = _svg(
            12,
            10,
            _patterns(prefix) + f'<rect x="0.25" y="0.25" width="11.5" height="9.5" fill="{fill}" '
            'stroke="#000" stroke-width="0.5"/>',
        )
        items.append(f'<span class="key">{swatch} {escape(label)}</span>')
    return f'<p class="legend">{"".join(items)}</p>'


def _stacked_bar(counts, answered):
    prefix = f"p{next(_ids)}"
    parts, x = [_patterns(prefix)], 0.0
    for index, number in enumerate(counts):
        share = percent(number, answered)
        width = BAR_WIDTH * share / 100
        if width <= 0:
            continue
        fill, hatched, ink = _fill(prefix, index)
        parts.append(
            f'<rect x="{x:.1f}" y="0.5" width="{width:.1f}" height="15" '
            f'fill="{fill}" stroke="#000" stroke-width="0.4"/>'
        )
        if share >= 7:
            middle = x + width / 2
            if hatched:  # a white patch under the number keeps it readable on hatching
                parts.append(
                    f'<rect x="{middle - 10:.1f}" y="3" width="20" height="10" fill="#ffffff"/>'
                )
            colour = "#000000" if hatched else ink
            parts.append(
                f'<text x="{middle:.1f}" y="11.5" text-anchor="middle" fill="{colour}" '
                f"{FONT}>{share:.0f}%</text>"
            )
        x += width
    return _svg(BAR_WIDTH, 16, "".join(parts))


def stacked_chart(rows, scale_labels, title="") -> Markup:
    """Stacked bars, one per matrix row: ``rows`` of (label, [count per scale point], answered).

    Segments are shares of those who answered the row; a share of 7% or more
    shows its percentage inside the segment, and a legend names the segments.
    """
    table = _table(
        [
            (label, _stacked_bar(counts, answered), f"n = {answered:,}")
            for label, counts, answered in rows
        ],
        title,
    )
    return Markup(_legend(scale_labels)) + table


def score_chart(rows, maximum, title="") -> Markup:
    """Ranking scores: ``rows`` of (label, score, times ranked first); bars on 0..``maximum``."""
    return _table(
        [
            (label, _bar(score, maximum), f"{score:.2f} of {maximum}; first {firsts:,} times")
            for label, score, firsts in rows
        ],
        title,
    )
