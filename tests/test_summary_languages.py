"""Every question of every questionnaire, summarised in each language, reads as text.

The summary once printed a unit's translations as raw data ("540 {'en': 'days',
'fr': 'jours', 'de': 'Tage'}"); these tests render every question with data and
look for any such leftover, in the HTML the PDF is made from and in the PDF.
"""

import re

import pytest
from flask import render_template
from flask_babel import force_locale

from consultation.extensions import db
from consultation.reports import generate, pdf
from consultation.reports.summary import build_summary

from .reporting import pdf_text

RAW_DATA = re.compile(r"\{['\"]")
LANGUAGES = ["en", "fr", "de"]
#: Frame texts of the report as each language writes them.
FRAME = {
    "en": ("Factual summary report", "Who took part", "Answered by", "European Commission"),
    "fr": ("Rapport de synthèse factuel", "Qui a participé", "Réponses :", "Commission européenne"),
    "de": (
        "Zusammenfassender Sachbericht",
        "Wer teilgenommen hat",
        "Beantwortet von",
        "Europäische Kommission",
    ),
}


@pytest.fixture
def filled(consultations):
    """Every consultation with enough generated responses for each question to have answers."""
    for seed, consultation in enumerate(consultations.values()):
        generate.generate_responses(consultation, 150, seed=seed)
    db.session.commit()
    return consultations


def reported(summary):
    return [item for _, items in summary.sections for item in items]


def html_text(consultation, locale) -> str:
    """The summary's HTML (as the PDF is made from it), tags and styles taken out."""
    with force_locale(locale):
        summary = build_summary(consultation, locale=locale)
        html = render_template(
            "reports/summary.html", summary=summary, c=consultation, locale=locale, page_numbers=""
        )
    html = re.sub(r"<style.*?</style>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("locale", LANGUAGES)
def test_every_question_of_every_questionnaire_reads_as_text(filled, locale):
    for consultation in filled.values():
        summary = build_summary(consultation, locale=locale)
        items = reported(summary)
        reportable = [
            q
            for q in consultation.questionnaire
            if not q.profile and q.kind not in ("email", "consent", "file")
        ]
        assert [item.key for item in items] == [q.key for q in reportable]
        for item in items:
            assert item.answered > 0, (consultation.slug, item.key)  # each has data to show
            assert item.label == consultation.questionnaire.questions[item.key].label(locale)
        text = html_text(consultation, locale)
        leftovers = [text[max(0, m.start() - 60) : m.end() + 60] for m in RAW_DATA.finditer(text)]
        assert not leftovers, (consultation.slug, leftovers[:3])
        for phrase in FRAME[locale]:
            assert phrase in text, (consultation.slug, phrase)


#: The units of the Cloud and AI Development Act's number questions: (one, other) per language.
UNIT_FORMS = {
    "en": (("day", "days"), ("month", "months")),
    "fr": (("jour", "jours"), ("mois", "mois")),
    "de": (("Tag", "Tage"), ("Monat", "Monate")),
}


def test_units_are_words_in_the_readers_language(filled):
    consultation = filled["cloud-ai-development-act"]
    for locale, (days, months) in UNIT_FORMS.items():
        items = {item.key: item for item in reported(build_summary(consultation, locale=locale))}
        for key, (one, other) in (("permit_lead_time", days), ("grid_connection_wait", months)):
            values = list(items[key].stats.values())
            assert len(values) == 4 and values[0].replace(".", "").replace("\xa0", "").isdigit()
            for value in values[1:]:  # lowest, highest, average
                found = re.fullmatch(r"([\d.,\u00a0\u202f]+)\u00a0(\w+)", value)
                assert found and found.group(2) in (one, other), value
                digits = re.sub(r"[\u00a0\u202f]", "", found.group(1))
                digits = digits.replace(",", "") if locale == "en" else digits.replace(".", "")
                amount = float(digits.replace(",", "."))
                singular = amount == 1 or (locale == "fr" and amount < 2)
                assert found.group(2) == (one if singular else other), value
    shares = {
        item.key: item
        for item in reported(build_summary(filled["data-union-strategy"], locale="fr"))
    }
    average = shares["compliance_cost"].stats["Moyenne"]
    assert re.fullmatch(r"\d+(,\d)?\u00a0%", average), average  # a percentage, the French way


def test_units_agree_with_their_number(consultations):
    """1 day, 1 jour, 1 Tag; 2 days; 1,5 jour in French, 1,5 Tage in German (CLDR's rules)."""
    from decimal import Decimal

    from consultation.responses.operations import submit_response

    consultation = consultations["cloud-ai-development-act"]
    for token, days, months in (("a", "1", "1"), ("b", "2", "2")):
        values = {
            "company_type": "data_centre_operator",
            "permit_lead_time": Decimal(days),
            "grid_connection_wait": Decimal(months),
        }
        submit_response(consultation, values, submission_token=token, upload_folder="/tmp")
    db.session.commit()
    expected = {
        "en": ("1\xa0day", "2\xa0days", "1.5\xa0days", "1\xa0month", "1.5\xa0months"),
        "fr": ("1\xa0jour", "2\xa0jours", "1,5\xa0jour", "1\xa0mois", "1,5\xa0mois"),
        "de": ("1\xa0Tag", "2\xa0Tage", "1,5\xa0Tage", "1\xa0Monat", "1,5\xa0Monate"),
    }
    for locale, (low, high, average, low_months, average_months) in expected.items():
        items = {item.key: item for item in reported(build_summary(consultation, locale=locale))}
        lowest, highest, mean = list(items["permit_lead_time"].stats.values())[1:]
        assert (lowest, highest, mean) == (low, high, average)
        months = list(items["grid_connection_wait"].stats.values())
        assert (months[1], months[3]) == (low_months, average_months)
        text = html_text(consultation, locale)
        assert " 1\xa0days" not in text and " 1\xa0Tage" not in text


#: The PDFs rendered (the slow part): the units' consultation in two languages, the others in one.
RENDERED = {
    "cloud-ai-development-act": ("en", "fr"),
    "apply-ai": ("de",),
    "data-union-strategy": ("en",),
}
UNITS = {"en": ("Lowest", "days"), "fr": ("Minimum", "jours")}
ENGLISH_ONLY = ("Answered by", "Who took part", "Brussels time", "Page 1 of", " of 150")


@pytest.mark.parametrize("slug", sorted(RENDERED))
def test_summary_pdf_of_each_consultation_has_no_raw_data(filled, slug):
    consultation = filled[slug]
    for locale in RENDERED[slug]:
        text = pdf_text(pdf.summary_pdf(consultation, locale=locale))
        assert not RAW_DATA.search(text), RAW_DATA.search(text)
        assert consultation.text("title", locale) in text
        unbroken = text.replace("- ", "-")  # a line may break after a hyphen
        for item in reported(build_summary(consultation, locale=locale)):
            assert " ".join(item.label.split()) in unbroken, item.label
        if slug == "cloud-ai-development-act":
            lowest, unit = UNITS[locale]
            assert re.search(rf"{lowest} [\d ,.]+ {unit}", text), locale
        if locale == "de":  # German throughout, nothing left in English
            assert "Seite 1 von" in text and "Brüsseler Zeit" in text and "Die Konsultation" in text
            assert not [english for english in ENGLISH_ONLY if english in text]


def figures(text: str, locale: str) -> list:
    """Every number of a summary's text, as a value (1,234.5 and 1.234,5 are both 1234.5),
    leaving out page numbers (the page footers and the contents' dot leaders), which follow
    the length of the text in each language."""
    from babel.numbers import get_decimal_symbol, get_group_symbol
    from flask_babel import gettext

    from consultation.i18n import format_locale

    with force_locale(locale):
        footer = gettext("Page %(page)s of %(pages)s") % {"page": "\0", "pages": "\0"}
    footer = re.escape(footer).replace("\\\0", r"\d+").replace("\0", r"\d+")
    text = re.sub(footer, " ", text)
    text = re.sub(r"\.{4,} ?\d+", " ", text)
    group = get_group_symbol(format_locale(locale))
    decimal = get_decimal_symbol(format_locale(locale))
    found = re.findall(rf"\d+(?:{re.escape(group)}\d{{3}})*(?:{re.escape(decimal)}\d+)?", text)
    return [float(n.replace(group, "").replace(decimal, ".")) for n in found]


def test_the_summary_has_the_same_figures_in_every_language(filled):
    """The same counts, shares and dates, read from the PDF itself in English and in Greek
    (Greek writes 1.234,5 where English writes 1,234.5)."""
    consultation = filled["data-union-strategy"]
    english = figures(pdf_text(pdf.summary_pdf(consultation, locale="en")), "en")
    greek_text = pdf_text(pdf.summary_pdf(consultation, locale="el"))
    assert "Συνοπτική έκθεση" in greek_text and "Ευρωπαϊκή Επιτροπή" in greek_text
    greek = figures(greek_text, "el")
    assert len(english) > 200
    from collections import Counter

    only_en, only_el = Counter(english) - Counter(greek), Counter(greek) - Counter(english)
    assert not only_en and not only_el, (only_en, only_el)
