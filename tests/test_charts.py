"""The summary's charts: colours people tell apart, figures readable on every bar."""

import re

from consultation.reports import charts


def contrast(one, other) -> float:
    light, dark = sorted((charts._luminance(one), charts._luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_segment_colour_carries_readable_text():
    colours = {colour for palette in charts.SCALE_COLOURS.values() for colour in palette}
    for colour in colours | {charts.GREY}:
        assert contrast(colour, charts.ink(colour)) >= 4.5, colour  # WCAG AA for small text


def test_scales_use_the_okabe_ito_palette_in_order_and_grey_for_no_opinion():
    assert charts.scale_colours(["a", "b", "c", "d", "no_opinion"]) == [
        charts.BLUE,
        charts.SKY,
        charts.ORANGE,
        charts.VERMILLION,
        charts.GREY,
    ]
    assert len(set(charts.scale_colours([str(i) for i in range(7)]))) == 7
    assert len(charts.scale_colours([str(i) for i in range(9)])) == 9  # long scales cycle


def test_percentages_sit_on_plain_colour_never_on_a_texture():
    keys = ["strongly_agree", "agree", "neutral", "disagree", "strongly_disagree", "no_opinion"]
    labels = ["Strongly agree", "Agree", "Neutral", "Disagree", "Strongly disagree", "No opinion"]
    rows = [("Even", [100, 100, 100, 100, 100, 100], 600), ("Tiny", [594, 1, 1, 1, 1, 2], 600)]
    html = str(charts.stacked_chart(rows, labels, keys, "Agreement", "en"))
    bars = re.findall(r"<svg[^>]*height=\"18\".*?</svg>", html)
    assert len(bars) == 2
    textured_top = charts.STACK_HEIGHT - charts.BAND
    for bar in bars:
        for y in re.findall(r'<text x="[\d.]+" y="([\d.]+)"', bar):
            assert float(y) <= textured_top  # the baseline is above the texture band
        bands = re.findall(r'<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="(\d+)"', bar)
        assert all(int(h) == charts.BAND for y, h in bands if float(y) > 0)
    even, tiny = bars
    assert even.count("<text") == 6  # each sixth is wide enough for its "16.7%"
    assert tiny.count("<text") == 1  # only the 99% segment has room; the rest are in the table
    # Every share, written or not on its segment, is in the alternative text and the table.
    assert "<title>Tiny: Strongly agree 99%, Agree 0.2%" in tiny
    table = html[html.index('<table class="data shares"') :]
    assert table.count("0.2%") == 4 and "99%" in table and table.count("16.7%") == 6


def test_legend_keys_name_their_scale_point():
    html = str(charts.stacked_chart([("Row", [1, 1], 2)], ["Yes", "No"], ["y", "n"], "T", "en"))
    keys = re.findall(
        r'<span class="key"><svg.*?<title>(.*?)</title>.*?</svg><span>(.*?)</span>', html
    )
    assert keys == [("Yes", "Yes"), ("No", "No")]
