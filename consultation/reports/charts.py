"""Charts as SVG made on the server: readable in colour, in grey and by a screen reader.

Every bar has its figures written beside it or in a table, so no chart depends
on colour. Stacked bars use the Okabe-Ito palette (told apart with the common
colour-vision deficiencies), ordered from one end of the scale to the other,
with a texture along the bottom of some segments as a second cue for grey
prints; a percentage is written on a segment only where it fits, on plain
colour in the ink that contrasts best, never over a texture. Each SVG has a
``<title>``, which the tagged PDF gives as the figure's alternative text.
Labels are escaped: what a chart shows is text, never markup.
"""

from itertools import count

from flask_babel import gettext
from markupsafe import Markup, escape

from ..formatting import share
from ..i18n import number

#: Width of the bar area, in CSS pixels.
BAR_WIDTH = 250
FONT_SIZE = 9
FONT = f'font-family="DejaVu Sans, sans-serif" font-size="{FONT_SIZE}"'
#: Height of a stacked bar and of the texture band along its bottom.
STACK_HEIGHT, BAND = 18, 4

#: The Okabe-Ito colours.
BLUE, SKY, GREEN, YELLOW = "#0072B2", "#56B4E9", "#009E73", "#F0E442"
ORANGE, VERMILLION, PURPLE, GREY = "#E69F00", "#D55E00", "#CC79A7", "#BBBBBB"
#: Colours of the points of a scale, from its first point (most agreement, say) to its last.
SCALE_COLOURS = {
    1: [BLUE],
    2: [BLUE, VERMILLION],
    3: [BLUE, YELLOW, VERMILLION],
    4: [BLUE, SKY, ORANGE, VERMILLION],
    5: [BLUE, SKY, YELLOW, ORANGE, VERMILLION],
    6: [BLUE, SKY, GREEN, YELLOW, ORANGE, VERMILLION],
    7: [BLUE, SKY, GREEN, YELLOW, ORANGE, VERMILLION, PURPLE],
}
#: The last point of a scale when it is no opinion at all: outside the scale, in grey.
NO_OPINION_KEYS = {"no_opinion", "dont_know", "not_sure"}
#: The second cue: colours that look alike in grey get different textures.
TEXTURES = {
    ORANGE: ('patternTransform="rotate(45)"', '<line x1="0" y1="0" x2="0" y2="4"/>'),
    VERMILLION: ("", '<line x1="0" y1="0" x2="0" y2="4"/><line x1="0" y1="0" x2="4" y2="0"/>'),
    PURPLE: ('patternTransform="rotate(-45)"', '<line x1="0" y1="0" x2="0" y2="4"/>'),
    GREY: ("", '<circle cx="2" cy="2" r="0.8" fill="#000"/>'),
}

_ids = count(1)


def _luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ink(colour: str) -> str:
    """Black or white, whichever contrasts more with ``colour``."""
    light = _luminance(colour)
    return "#000000" if (light + 0.05) / 0.05 >= 1.05 / (light + 0.05) else "#ffffff"


def scale_colours(keys) -> list[str]:
    """The colour of each point of a scale, given its keys in order."""
    keys = list(keys)
    substantive = keys[:-1] if keys and keys[-1] in NO_OPINION_KEYS else keys
    palette = SCALE_COLOURS.get(len(substantive)) or [
        SCALE_COLOURS[7][i % 7] for i in range(len(substantive))
    ]
    return list(palette) + [GREY] * (len(keys) - len(substantive))


def _svg(width, height, body, label):
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img"><title>{escape(label)}</title>{body}</svg>'
    )


def _bar(fraction, label):
    """A plain bar on a light track, ``fraction`` (0 to 1) of its length."""
    length = BAR_WIDTH * min(max(fraction, 0), 1)
    body = (
        f'<rect x="0.25" y="0.25" width="{BAR_WIDTH - 0.5}" height="11.5" fill="#eeeeee" '
        'stroke="#8a8a8a" stroke-width="0.5"/>'
    )
    if length > 0:
        body += f'<rect x="0" y="0" width="{length:.1f}" height="12" fill="{BLUE}"/>'
    return _svg(BAR_WIDTH, 12, body, label)


def _table(rows, caption, kind=""):
    """Chart rows as a table: label (text), bar (SVG), figures (text); ``kind``: a class."""
    body = "".join(
        f'<tr><td class="label">{escape(label)}</td><td class="bar">{bar}</td>'
        f'<td class="figure">{escape(figure)}</td></tr>'
        for label, bar, figure in rows
    )
    return Markup(
        f'<table class="chart-table {kind}" aria-label="{escape(caption)}">'
        f"<tbody>{body}</tbody></table>"
    )


def counted(n, whole, locale=None) -> str:
    """A count with its share: 620 (20.7%), 620 (20,7 %)."""
    return gettext("%(count)s (%(share)s)", count=number(n, locale), share=share(n, whole, locale))


def bar_chart(rows, whole, title="", locale=None) -> Markup:
    """Horizontal bars: ``rows`` of (label, count); each bar is the count's share of ``whole``."""
    lines = []
    for label, n in rows:
        figure = counted(n, whole, locale)
        lines.append((label, _bar(n / whole if whole else 0, f"{label}: {figure}"), figure))
    return _table(lines, title)


def _texture(prefix, colour):
    transform, marks = TEXTURES[colour]
    return (
        f'<pattern id="{prefix}" width="4" height="4" patternUnits="userSpaceOnUse" {transform}>'
        f'<rect width="4" height="4" fill="{colour}"/>'
        f'<g stroke="#000" stroke-width="0.7">{marks}</g></pattern>'
    )


def _segment(x, width, height, colour, prefix):
    """A segment of plain colour, with its texture (if any) in a band along the bottom."""
    parts = [
        f'<rect x="{x:.1f}" y="0" width="{width:.1f}" height="{height}" fill="{colour}" '
        'stroke="#ffffff" stroke-width="0.5"/>'
    ]
    if colour in TEXTURES:
        parts.append(
            f"<defs>{_texture(prefix, colour)}</defs>"
            f'<rect x="{x:.1f}" y="{height - BAND}" width="{width:.1f}" height="{BAND}" '
            f'fill="url(#{prefix})" stroke="#ffffff" stroke-width="0.5"/>'
        )
    return "".join(parts)


def _text_width(text: str) -> float:
    """About how wide ``text`` is in the chart font (DejaVu Sans digits are 0.64 em)."""
    return FONT_SIZE * (0.64 * len(text) + 0.35)


def swatch(colour, label) -> Markup:
    """A legend's key: the colour and texture of a scale point, its label as alternative text."""
    prefix = f"k{next(_ids)}"
    return Markup(_svg(14, 10, _segment(0, 14, 10, colour, prefix), label))


def _stacked_bar(label, counts, answered, colours, scale, locale):
    prefix = f"s{next(_ids)}"
    parts, described, x = [], [], 0.0
    for index, n in enumerate(counts):
        text = share(n, answered, locale)
        described.append(f"{scale[index]} {text}")
        width = BAR_WIDTH * n / answered if answered else 0
        if width <= 0:
            continue
        colour = colours[index]
        parts.append(_segment(x, width, STACK_HEIGHT, colour, f"{prefix}-{index}"))
        if width >= _text_width(text) + 4:
            top = STACK_HEIGHT - BAND if colour in TEXTURES else STACK_HEIGHT
            parts.append(
                f'<text x="{x + width / 2:.1f}" y="{top / 2 + FONT_SIZE * 0.36:.1f}" '
                f'text-anchor="middle" fill="{ink(colour)}" {FONT}>{escape(text)}</text>'
            )
        x += width
    title = gettext("%(statement)s: %(shares)s", statement=label, shares=", ".join(described))
    return _svg(BAR_WIDTH, STACK_HEIGHT, "".join(parts), title)


def stacked_chart(rows, scale_labels, scale_keys, title="", locale=None) -> Markup:
    """Stacked bars, one per matrix row: ``rows`` of (label, [count per scale point], answered).

    A legend names the segments above the bars; a table below gives every share,
    those too narrow to be written on their segment included.
    """
    colours = scale_colours(scale_keys)
    legend = "".join(
        f'<span class="key">{swatch(colour, label)}<span>{escape(label)}</span></span>'
        for colour, label in zip(colours, scale_labels, strict=True)
    )
    bars = _table(
        [
            (
                label,
                _stacked_bar(label, counts, answered, colours, scale_labels, locale),
                gettext("n = %(count)s", count=number(answered, locale)),
            )
            for label, counts, answered in rows
        ],
        title,
    )
    head = "".join(f'<th class="num" scope="col">{escape(label)}</th>' for label in scale_labels)
    body = "".join(
        f'<tr><th scope="row">{escape(label)}</th>'
        + "".join(f'<td class="num">{escape(share(n, answered, locale))}</td>' for n in counts)
        + f'<td class="num">{escape(number(answered, locale))}</td></tr>'
        for label, counts, answered in rows
    )
    columns = '<col style="width: 30%">' + '<col class="share">' * (len(scale_labels) + 1)
    statement, answered = escape(gettext("Statement")), escape(gettext("Answered"))
    shares = (
        f'<table class="data shares"><colgroup>{columns}</colgroup>'
        f'<thead><tr><th scope="col">{statement}</th>{head}'
        f'<th class="num" scope="col">{answered}</th></tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )
    return Markup(f'<p class="legend">{legend}</p>') + bars + Markup(shares)


def score_chart(rows, maximum, title="", locale=None) -> Markup:
    """Ranking scores: ``rows`` of (label, score, times ranked first); bars on 0..``maximum``."""
    lines = []
    for label, score, firsts in rows:
        figure = gettext(
            "%(score)s of %(maximum)s; first choice of %(count)s",
            score=number(round(score, 2), locale),
            maximum=number(maximum, locale),
            count=number(firsts, locale),
        )
        lines.append((label, _bar(score / maximum if maximum else 0, f"{label}: {figure}"), figure))
    return _table(lines, title, "scores")
