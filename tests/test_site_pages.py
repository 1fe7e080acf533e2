"""The footer of every page, the privacy and accessibility statements, the legal notice."""

import re

import pytest

import config
from consultation.questionnaires.text import tr

PAGES = {
    "/privacy": {
        "en": "Privacy statement",
        "fr": "Déclaration de confidentialité",
        "de": "Datenschutzerklärung",
        "nl": "Privacyverklaring",
        "pl": "Oświadczenie o ochronie prywatności",
        "pt": "Declaração de privacidade",
        "ro": "Declarația de confidențialitate",
        "sv": "Integritetsmeddelande",
        "cs": "Prohlášení o ochraně osobních údajů",
        "hu": "Adatvédelmi nyilatkozat",
        "bg": "Декларация за поверителност",
        "el": "Δήλωση περί απορρήτου",
        "fi": "Tietosuojaseloste",
        "mt": "Stqarrija ta' privatezza",
        "ga": "Ráiteas príobháideachais",
        "da": "Databeskyttelseserklæring",
        "es": "Declaración de privacidad",
        "it": "Informativa sulla privacy",
        "sk": "Vyhlásenie o ochrane osobných údajov",
        "hr": "Izjava o zaštiti osobnih podataka",
        "et": "Isikuandmete kaitse avaldus",
        "lv": "Paziņojums par privātumu",
        "lt": "Pareiškimas apie privatumo apsaugą",
        "sl": "Izjava o varstvu osebnih podatkov",
    },
    "/accessibility": {
        "en": "Accessibility statement",
        "fr": "Déclaration d’accessibilité",
        "de": "Erklärung zur Barrierefreiheit",
        "nl": "Toegankelijkheidsverklaring",
        "pl": "Deklaracja dostępności",
        "pt": "Declaração de acessibilidade",
        "ro": "Declarația de accesibilitate",
        "sv": "Tillgänglighetsredogörelse",
        "cs": "Prohlášení o přístupnosti",
        "hu": "Akadálymentességi nyilatkozat",
        "bg": "Декларация за достъпност",
        "el": "Δήλωση προσβασιμότητας",
        "fi": "Saavutettavuusseloste",
        "mt": "Stqarrija dwar l-aċċessibbiltà",
        "ga": "Ráiteas inrochtaineachta",
        "da": "Tilgængelighedserklæring",
        "es": "Declaración de accesibilidad",
        "it": "Dichiarazione di accessibilità",
        "sk": "Vyhlásenie o prístupnosti",
        "hr": "Izjava o pristupačnosti",
        "et": "Ligipääsetavuse teatis",
        "lv": "Paziņojums par piekļūstamību",
        "lt": "Pareiškimas dėl prieinamumo",
        "sl": "Izjava o dostopnosti",
    },
    "/legal-notice": {
        "en": "Legal notice",
        "fr": "Avis juridique",
        "de": "Rechtlicher Hinweis",
        "nl": "Juridische kennisgeving",
        "pl": "Nota prawna",
        "pt": "Aviso legal",
        "ro": "Aviz juridic",
        "sv": "Rättsligt meddelande",
        "cs": "Právní upozornění",
        "hu": "Jogi nyilatkozat",
        "bg": "Правна информация",
        "el": "Νομική ανακοίνωση",
        "fi": "Oikeudellinen huomautus",
        "mt": "Avviż legali",
        "ga": "Fógra dlíthiúil",
        "da": "Juridisk meddelelse",
        "es": "Aviso jurídico",
        "it": "Note legali",
        "sk": "Právne upozornenie",
        "hr": "Pravna obavijest",
        "et": "Õigusteave",
        "lv": "Juridisks paziņojums",
        "lt": "Teisinis pranešimas",
        "sl": "Pravno obvestilo",
    },
}
LANGUAGES = "en fr de bg el fi mt ga da es it nl pl pt ro sv cs hu sk hr et lv lt sl".split()
#: The privacy statement's name as the consent box's sentence declines it, where it differs
#: from its heading (Polish, Estonian, Lithuanian and Slovenian decline it; Bulgarian adds
#: the definite article).
CONSENT_NAME = {
    "pl": "oświadczeniem o ochronie prywatności",
    "bg": "декларацията за поверителност",
    "et": "isikuandmete kaitse avaldust",
    "lt": "pareiškimą apie privatumo apsaugą",
    "sl": "izjavo o varstvu osebnih podatkov",
}


def in_language(client, language):
    client.get(f"/language/{language}")


def h1(page) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1).strip()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", PAGES)
def test_each_statement_exists_in_each_language(client, consultations, path, language):
    in_language(client, language)
    result = client.get(path)
    page = result.get_data(as_text=True)
    assert result.status_code == 200
    assert f'<html lang="{language}">' in page
    assert h1(page) == PAGES[path][language]
    assert f"<title>{PAGES[path][language]} –" in page
    # The footer names each page as its heading does.
    for other, names in PAGES.items():
        assert f'href="{other}">{names[language]}</a>' in page


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/consultations/apply-ai",
        "/consultations/apply-ai/respond",
        "/admin/sign-in",
        "/privacy",
        "/consultations/nowhere",
    ],
)
def test_every_public_page_has_the_footer(client, consultations, app, path):
    page = client.get(path).get_data(as_text=True)
    footer = page.split('<footer class="site-footer">')[1]
    assert "Published by: <strong>European Commission</strong>" in footer
    assert 'href="mailto:consultations@example.org"' in footer
    assert "1049 Brussels, Belgium" in footer
    for other in PAGES:
        assert f'href="{other}"' in footer
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page


def test_what_a_deployment_sets_is_what_the_pages_say(client, consultations, app):
    saved = {key: app.config[key] for key in ("ISSUING_BODY", "CONTACT_EMAIL", "CONTACT_ADDRESS")}
    app.config.update(
        ISSUING_BODY={"en": "Ministry of Examples", "fr": "Ministère des Exemples"},
        CONTACT_EMAIL="hello@ministry.example",
        CONTACT_ADDRESS="1 Example Street, Exampleton",
        ACCESSIBILITY_ENFORCEMENT_BODY="Examples Ombudsman",
        ACCESSIBILITY_ENFORCEMENT_URL="https://ombudsman.example",
    )
    try:
        page = client.get("/accessibility").get_data(as_text=True)
        assert "Ministry of Examples" in page and "European Commission" not in page
        assert 'href="mailto:hello@ministry.example"' in page and "1 Example Street" in page
        assert '<a href="https://ombudsman.example">Examples Ombudsman</a>' in page
        in_language(client, "de")  # no German name given: the English one
        assert "Ministry of Examples" in client.get("/legal-notice").get_data(as_text=True)
        in_language(client, "fr")
        assert "Ministère des Exemples" in client.get("/").get_data(as_text=True)
    finally:
        app.config.update(saved)
        app.config["ACCESSIBILITY_ENFORCEMENT_BODY"] = config.Config.ACCESSIBILITY_ENFORCEMENT_BODY
        app.config["ACCESSIBILITY_ENFORCEMENT_URL"] = config.Config.ACCESSIBILITY_ENFORCEMENT_URL


def test_texts_from_the_environment_are_plain_or_by_language(monkeypatch):
    monkeypatch.setenv("ISSUING_BODY", "Agency")
    assert config._text("ISSUING_BODY", "default") == "Agency"
    monkeypatch.setenv("ISSUING_BODY", '{"en": "Agency", "fr": "Agence"}')
    assert tr(config._text("ISSUING_BODY", "default"), "fr") == "Agence"
    monkeypatch.delenv("ISSUING_BODY")
    assert config._text("ISSUING_BODY", "default") == "default"


def test_the_accessibility_statement_has_what_the_directive_asks(client, consultations):
    page = client.get("/accessibility").get_data(as_text=True)
    assert "WCAG) 2.1, level AA" in page and "partially compliant" in page
    assert "Directive (EU) 2016/2102" in page
    for tested in ("axe-core", "keyboard alone", "accessibility tree", "360 pixels", "200% zoom"):
        assert tested in page, tested
    assert 'id="limitations"' in page and 'id="feedback"' in page
    assert "within 15 working days" in page
    assert 'id="enforcement"' in page
    assert '<a href="https://www.ombudsman.europa.eu">European Ombudsman</a>' in page
    assert "last reviewed on 2 December 2026" in page


def test_the_privacy_statement_covers_every_purpose_of_the_e_mail_address(client, consultations):
    page = client.get("/privacy").get_data(as_text=True)
    assert "to contact you about your contribution" in page
    assert "follow-up workshops or an expert group" in page
    assert "European Data Protection Supervisor (EDPS)" in page
    for slug, consultation in consultations.items():
        assert f'id="{slug}"' in page  # each consultation's own notice, where its form links
        assert consultation.text("privacy_notice", "en")[:60] in page
    for cookie in ("locale", "form_key", "session"):
        assert f"<strong>{cookie}</strong>" in page


@pytest.mark.parametrize("slug", ["apply-ai", "cloud-ai-development-act", "data-union-strategy"])
def test_e_mail_hint_and_privacy_notice_agree_with_the_follow_up_question(consultations, slug):
    questionnaire = consultations[slug].questionnaire
    follow_up = questionnaire.questions["follow_up_email"]
    assert follow_up.show_if == {"question": "follow_up", "in": ["yes"]}
    hint = {lang: questionnaire.questions["email"].hint_text(lang) for lang in LANGUAGES}
    notice = {lang: consultations[slug].text("privacy_notice", lang) for lang in LANGUAGES}
    assert "invite you to follow-up events" in hint["en"]
    assert "vous inviter à des événements de suivi" in hint["fr"]
    assert "zu Folgeveranstaltungen einzuladen" in hint["de"]
    assert "to invite you to follow-up workshops or an expert group" in notice["en"]
    assert "ateliers de suivi ou à un groupe d’experts" in notice["fr"]
    assert "Folge-Workshops oder einer Expertengruppe" in notice["de"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_consent_box_links_to_the_statement_of_the_same_name(client, consultations, language):
    in_language(client, language)
    page = client.get("/consultations/apply-ai/respond").get_data(as_text=True)
    consent = page.split('id="question-privacy_consent"')[1].split("</div>\n</div>")[0]
    assert 'href="/privacy#apply-ai"' in consent
    name = PAGES["/privacy"][language]
    label = consultations["apply-ai"].questionnaire.questions["privacy_consent"].label(language)
    assert CONSENT_NAME.get(language, name).lower() in label.lower()
    assert h1(client.get("/privacy").get_data(as_text=True)) == name


def test_favicon(client):
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert icon.get_data(as_text=True).startswith("<svg")
    old = client.get("/favicon.ico")
    assert old.status_code == 301 and old.headers["Location"].endswith("/static/favicon.svg")


def test_sign_in_to_continue_is_not_a_success_banner(client, consultations):
    page = client.get("/admin/", follow_redirects=True).get_data(as_text=True)
    assert '<div class="flash flash-info" role="status">Sign in to continue.</div>' in page
    css = client.get("/static/app.css").get_data(as_text=True)
    assert ".flash-info {" in css


@pytest.mark.parametrize("path", ["/privacy", "/accessibility", "/legal-notice"])
def test_a_statement_not_translated_yet_is_shown_in_english_and_says_so(
    app, client, path, monkeypatch
):
    # Every language has its statements now: the Greek ones are hidden, as if not written yet.
    choose = app.jinja_env.select_template

    def without_greek(names, *args, **kwargs):
        return choose([name for name in names if not name.endswith(".el.html")], *args, **kwargs)

    monkeypatch.setattr(app.jinja_env, "select_template", without_greek)
    client.get("/language/el")
    page = client.get(path).get_data(as_text=True)
    assert '<html lang="el"' in page
    notice = "Αυτή η σελίδα δεν είναι ακόμη διαθέσιμη στα Ελληνικά: εμφανίζεται στα αγγλικά."
    assert notice in page
    assert '<div lang="en">' in page  # the English text is marked as English
    client.get("/language/fr")
    page = client.get(path).get_data(as_text=True)
    assert "language-notice" not in page and '<div lang="en">' not in page
