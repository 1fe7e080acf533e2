"""Country lists: the EU's short names in every language, Kosovo with its footnote (issue 12,
item 5)."""

import csv
import io
import re

import pytest
from sqlalchemy import select

from consultation.extensions import db
from consultation.i18n import offered_languages
from consultation.questionnaires.options import EU_MEMBERS, country_codes, country_name
from consultation.reports import export
from consultation.responses.models import Response

from .answers import valid_form_data
from .conftest import form_tokens

#: Names the issue asks for, as the EU writes them in each language.
OFFICIAL = {
    "en": {
        "AG": "Antigua and Barbuda",
        "CG": "Republic of the Congo",
        "KN": "Saint Kitts and Nevis",
        "CD": "Democratic Republic of the Congo",
        "CZ": "Czechia",
        "TR": "Türkiye",
        "XK": "Kosovo*",
    },
    "fr": {
        "AG": "Antigua-et-Barbuda",
        "CG": "République du Congo",
        "KN": "Saint-Christophe-et-Niévès",
        "CD": "République démocratique du Congo",
        "CZ": "Tchéquie",
        "TR": "Turquie",
        "XK": "Kosovo*",
    },
    "de": {
        "AG": "Antigua und Barbuda",
        "CG": "Republik Kongo",
        "KN": "St. Kitts und Nevis",
        "CD": "Demokratische Republik Kongo",
        "CZ": "Tschechien",
        "TR": "Türkei",
        "XK": "Kosovo*",
    },
    "el": {
        "BA": "Βοσνία-Ερζεγοβίνη",
        "CD": "Λαϊκή Δημοκρατία του Κονγκό",
        "CZ": "Τσεχία",
        "PS": "Παλαιστίνη*",
        "XK": "Κοσσυφοπέδιο*",
    },
    "bg": {
        "CD": "Демократична република Конго",
        "CG": "Република Конго",
        "PS": "Палестина*",
        "XK": "Косово*",
    },
    "es": {"CD": "República Democrática del Congo", "PS": "Palestina*", "XK": "Kosovo*"},
    "it": {"CD": "Repubblica democratica del Congo", "CG": "Congo", "XK": "Kosovo*"},
    "pt": {"CD": "República Democrática do Congo", "HK": "Hong Kong", "XK": "Kosovo*"},
    "nl": {"CD": "Democratische Republiek Congo", "HK": "Hongkong", "XK": "Kosovo*"},
    "pl": {"PS": "Palestyna*", "VA": "Stolica Apostolska", "XK": "Kosowo*"},
    "sv": {"CD": "Demokratiska republiken Kongo", "HK": "Hongkong", "XK": "Kosovo*"},
    "da": {"CD": "Den Demokratiske Republik Congo", "HK": "Hongkong", "XK": "Kosovo*"},
    "ro": {"CD": "Republica Democratică Congo", "HK": "Hong Kong", "XK": "Kosovo*"},
    "fi": {"CZ": "Tšekki", "PS": "Palestiina*", "VA": "Pyhä istuin", "XK": "Kosovo*"},
    "mt": {"CZ": "iċ-Ċekja", "PS": "il-Palestina*", "XK": "il-Kosovo*"},
    "ga": {"CG": "Poblacht an Chongó", "PS": "an Phalaistín*", "XK": "an Chosaiv*"},
    "hu": {"CD": "Kongói Demokratikus Köztársaság", "HK": "Hongkong", "XK": "Koszovó*"},
    "cs": {"CD": "Demokratická republika Kongo", "PS": "Palestina*", "XK": "Kosovo*"},
    "sk": {"CD": "Konžská demokratická republika", "PS": "Palestína*", "XK": "Kosovo*"},
    "hr": {"CD": "Demokratska Republika Kongo", "VA": "Sveta Stolica", "XK": "Kosovo*"},
    "et": {"CD": "Kongo Demokraatlik Vabariik", "VA": "Püha Tool", "XK": "Kosovo*"},
    "lt": {"CD": "Kongo Demokratinė Respublika", "PS": "Palestina*", "XK": "Kosovas*"},
    "sl": {"CD": "Demokratična republika Kongo", "VA": "Sveti sedež", "XK": "Kosovo*"},
    "lv": {"CD": "Kongo Demokrātiskā Republika", "PS": "Palestīna*", "XK": "Kosova*"},
}
FOOTNOTE = {
    "en": "* Kosovo: This designation is without prejudice to positions on status, and is in "
    "line with UNSCR 1244/1999 and the ICJ Opinion on the Kosovo declaration of independence.",
    "fr": "* Kosovo\u00a0: Cette désignation est sans préjudice des positions sur le statut et est "
    "conforme à la résolution 1244/1999 du Conseil de sécurité des Nations unies ainsi qu’à "
    "l’avis de la CIJ sur la déclaration d’indépendance du Kosovo.",
    "de": "* Kosovo: Diese Bezeichnung berührt nicht die Standpunkte zum Status und steht im "
    "Einklang mit der Resolution 1244/1999 des VN-Sicherheitsrates und dem Gutachten des IGH "
    "zur Unabhängigkeitserklärung des Kosovos.",
}
#: Informal forms of CLDR that must not reach a person (German writes "St." officially), and
#: the special administrative regions written in full (ΕΔΠ, САР, erityishallintoalue...).
INFORMAL = re.compile(
    r" - |&| SAR|R\.A\.S\.|Sonderverwaltungsregion|ΕΔΠ|САР|erityishallintoalue"
    r"|erihalduspiirkond|Amministrattiv Speċjali|Sainréigiún|RAE "
)


def country_options(page, question="q_country"):
    select_html = page.split(f'id="{question}"')[1].split("</select>")[0]
    return re.findall(r'<option value="(\w\w)">([^<]+)</option>', select_html)


@pytest.mark.parametrize("language", sorted(OFFICIAL))
def test_the_country_list_uses_the_official_short_names(client, consultations, language):
    if language not in offered_languages():  # its names: test_names_outside_requests_...
        pytest.skip(f"{language} is not offered yet: its interface catalogue is incomplete")
    client.get(f"/language/{language}")
    page = client.get("/consultations/apply-ai/respond").get_data(as_text=True)
    options = dict(country_options(page))
    for code, name in OFFICIAL[language].items():
        assert options[code] == name, (language, code, options[code])
    assert len(options) == 250  # ISO 3166 and Kosovo
    informal = {code: name for code, name in options.items() if INFORMAL.search(name)}
    assert not informal, informal
    if language == "en":
        assert not [name for name in options.values() if "St. " in name or "U.S." in name]
    # EU members first, then the others, each in the reader's alphabet.
    codes = [code for code, _ in country_options(page)]
    assert set(codes[:27]) == set(EU_MEMBERS)
    assert codes[27:] == list(country_codes(language)[27:])
    if language in FOOTNOTE:
        assert FOOTNOTE[language] in page
    else:  # the footnote, translated, after the name without its asterisk
        name = OFFICIAL[language]["XK"].rstrip("*")
        assert f"* {name}: " in page or f"* {name}\u00a0: " in page


@pytest.mark.parametrize("language", sorted(OFFICIAL))
def test_names_outside_requests_follow_the_same_table(language):
    for code, name in OFFICIAL[language].items():
        assert country_name(code, language) == name


def test_kosovo_is_accepted_stored_shown_with_its_footnote_and_exported(client, consultations):
    slug = "data-union-strategy"
    consultation = consultations[slug]
    data = {**form_tokens(client, slug), **valid_form_data(consultation.questionnaire)}
    data["q_country"] = "XK"
    result = client.post(f"/consultations/{slug}/respond", data=data)
    assert result.status_code == 303, result.get_data(as_text=True)[:2000]
    response = db.session.scalar(select(Response))
    assert response.country == "XK"

    receipt = client.get(result.headers["Location"]).get_data(as_text=True)
    assert "Kosovo*" in receipt and FOOTNOTE["en"] in receipt
    client.get("/language/fr")
    assert FOOTNOTE["fr"] in client.get(result.headers["Location"]).get_data(as_text=True)

    text = "".join(export.iter_csv(consultation, True))
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert [(row["country"], row["country:code"]) for row in rows] == [("Kosovo*", "XK")]

    from consultation.reports.summary import build_summary

    summary = build_summary(consultation)
    assert ("Kosovo*", 1) == summary.by_country[0][:2]
    assert summary.country_notes == [FOOTNOTE["en"]]


def test_an_unknown_code_is_still_refused(client, consultations):
    slug = "apply-ai"
    data = {**form_tokens(client, slug), **valid_form_data(consultations[slug].questionnaire)}
    data["q_country"] = "XX"
    result = client.post(f"/consultations/{slug}/respond", data=data)
    assert result.status_code == 400
    assert "Select a country from the list." in result.get_data(as_text=True)
