"""One way to write a percentage, everywhere, in the reader's language."""

import re

import pytest
from flask import render_template
from flask_babel import force_locale

from consultation.extensions import db
from consultation.formatting import share
from consultation.i18n import percent, quantity, unit_text
from consultation.reports import charts, generate
from consultation.reports.summary import build_summary

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("count", "total", "en", "fr"),
    [
        (1, 2983, "<0.1%", "<0,1 %"),
        (2982, 2983, ">99.9%", ">99,9 %"),
        (0, 2983, "0%", "0 %"),
        (2983, 2983, "100%", "100 %"),
        (0, 0, "0%", "0 %"),
        (681, 2983, "22.8%", "22,8 %"),
        (1, 2, "50%", "50 %"),
        (1, 2000, "0.1%", "0,1 %"),  # 0.05% rounds up to a tenth: it is shown
        (1999, 2000, ">99.9%", ">99,9 %"),  # 99.95% would read 100%
        (1, 3, "33.3%", "33,3 %"),
    ],
)
def test_share_of_a_count(app, count, total, en, fr):
    assert share(count, total, "en") == en
    assert share(count, total, "fr").replace(NBSP, " ") == fr
    assert share(count, total, "de").replace(NBSP, " ") == fr  # German writes it as French does


def test_percent_and_quantities_with_units(app):
    assert percent(0.3737, "en") == "37.4%" and percent(0.3737, "de") == f"37,4{NBSP}%"
    assert quantity(37.37, "%", "en") == "37.4%"  # a number question in percent
    days = {"en": "days", "fr": "jours", "de": "Tage"}
    assert quantity(540, days, "en") == f"540{NBSP}days"
    assert quantity(1372.5, days, "de") == f"1.372,5{NBSP}Tage"
    assert quantity(7, None, "fr") == "7"


@pytest.mark.parametrize(
    "value, en, fr, de",
    [
        (0, "0 days", "0 jour", "0 Tage"),
        (1, "1 day", "1 jour", "1 Tag"),
        (1.0, "1 day", "1 jour", "1 Tag"),  # written "1", so read as one
        (1.5, "1.5 days", "1,5 jour", "1,5 Tage"),
        (2, "2 days", "2 jours", "2 Tage"),
    ],
)
def test_a_unit_agrees_with_its_number_in_each_language(app, value, en, fr, de):
    days = {
        "en": {"one": "day", "other": "days"},
        "fr": {"one": "jour", "other": "jours"},
        "de": {"one": "Tag", "other": "Tage"},
    }
    for locale, expected in (("en", en), ("fr", fr), ("de", de)):
        assert quantity(value, days, locale).replace(NBSP, " ") == expected
    assert unit_text(days, "de") == "Tage"  # beside an empty box: the general form
    assert unit_text(days) == "days"  # no language: English


def test_charts_write_shares_as_share_does(app):
    chart = charts.bar_chart([("Rare", 1), ("Common", 2982)], 2983, "Test", "en")
    assert "1 (&lt;0.1%)" in chart and "2,982 (&gt;99.9%)" in chart
    stacked = charts.stacked_chart([("Row", [1, 2982], 2983)], ["A", "B"], ["a", "b"], "T", "fr")
    assert f"&lt;0,1{NBSP}%" in stacked and f"&gt;99,9{NBSP}%" in stacked


#: Any percentage written another way than ``share`` writes it in each language.
STRAY = {
    "en": re.compile(r"\d[ \u00a0\u202f]%|\d\.\d\d+%|\d,\d%"),
    "fr": re.compile(r"\d%|\d\.\d[ \u00a0]?%"),
}


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_every_percentage_of_the_summary_has_the_one_format(consultations, locale):
    consultation = consultations["data-union-strategy"]
    generate.generate_responses(consultation, 120, seed=4)
    db.session.commit()
    with force_locale(locale):
        summary = build_summary(consultation, locale=locale)
        html = render_template(
            "reports/summary.html", summary=summary, c=consultation, locale=locale, page_numbers=""
        )
    text = re.sub(r"<style.*?</style>|<[^>]+>", " ", html, flags=re.S)
    text = re.sub(r"“[^”]*”|«[^»]*»", "", text)  # quoted answers: as their authors wrote them
    assert not STRAY[locale].findall(text), STRAY[locale].findall(text)[:5]
    assert len(re.findall(r"%", text)) > 100
