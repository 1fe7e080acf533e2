"""The interface speaks English, French and German: the person chooses, else the browser."""

import re
from datetime import date

import pytest

from consultation.consultations.operations import load_definition
from consultation.consultations.queries import consultation_by_slug
from consultation.extensions import db
from consultation.formatting import current_locale, long_date, window_text
from consultation.i18n import COOKIE
from consultation.questionnaires.loader import definition_files, parse_file


def html_lang(page):
    return re.search(r'<html lang="([^"]+)"', page).group(1)


def test_english_is_the_default(client, consultations):
    page = client.get("/").get_data(as_text=True)
    assert html_lang(page) == "en"
    assert "Have your say on Europe" in page


def test_browser_language_is_used_when_nothing_was_chosen(client, consultations):
    page = client.get("/", headers={"Accept-Language": "de-AT,de;q=0.9,en;q=0.5"})
    text = page.get_data(as_text=True)
    assert html_lang(text) == "de"
    assert "Offen bis 4. Juni 2025, Mitternacht Brüsseler Zeit" in text


def test_a_language_we_do_not_have_falls_back_to_english(client, consultations):
    page = client.get("/", headers={"Accept-Language": "ja-JP,ja;q=0.9"}).get_data(as_text=True)
    assert html_lang(page) == "en"


def test_switcher_remembers_the_choice_over_the_browser_language(client, consultations):
    result = client.get("/language/fr?next=/consultations/apply-ai")
    assert result.status_code == 303
    assert result.headers["Location"] == "/consultations/apply-ai"
    cookie = client.get_cookie(COOKIE)
    assert cookie.value == "fr" and cookie.max_age and cookie.max_age > 30 * 24 * 3600

    page = client.get("/consultations/apply-ai", headers={"Accept-Language": "de"})
    text = page.get_data(as_text=True)
    assert html_lang(text) == "fr"
    assert "Ouverte jusqu’au 4 juin 2025, minuit heure de Bruxelles" in text
    assert '<option value="fr" lang="fr" selected>Français</option>' in text


def test_switcher_links_every_language_back_to_the_same_page(client, consultations):
    page = client.get("/consultations/apply-ai").get_data(as_text=True)
    assert 'href="/language?next=/consultations/apply-ai"' in page  # the page of languages
    assert '<input type="hidden" name="next" value="/consultations/apply-ai">' in page
    listing = client.get("/language?next=/consultations/apply-ai").get_data(as_text=True)
    for code, name in (("en", "English"), ("fr", "Français"), ("de", "Deutsch")):
        assert f'<option value="{code}" lang="{code}"' in page
        assert f'href="/language/{code}?next=/consultations/apply-ai"' in listing
        assert f'lang="{code}" hreflang="{code}"' in listing
        assert f">{name}</a>" in listing
    # The header's list sends ?code=: the same switch, back to the same page.
    result = client.get("/language?code=de&next=/consultations/apply-ai")
    assert result.status_code == 303 and result.headers["Location"] == "/consultations/apply-ai"
    assert client.get_cookie(COOKIE).value == "de"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_switcher_never_sends_the_person_to_another_site(client, target):
    result = client.get("/language/de", query_string={"next": target})
    assert result.headers["Location"] == "/"


def test_unknown_language_is_a_404(client):
    assert client.get("/language/xx").status_code == 404


def test_error_pages_are_translated(client, consultations):
    client.get("/language/de")
    page = client.get("/consultations/nope").get_data(as_text=True)
    assert "Seite nicht gefunden" in page


def test_dates_follow_the_language(app, consultations):
    day = date(2025, 6, 4)
    assert long_date(day, "en") == "4 June 2025"
    assert long_date(day, "fr") == "4 juin 2025"
    assert long_date(day, "de") == "4. Juni 2025"
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert current_locale() == "fr"
        assert window_text(consultations["apply-ai"]) == (
            "Ouverte jusqu’au 4 juin 2025, minuit heure de Bruxelles"
        )


def test_closed_window_and_receipt_times_are_translated(client, consultations, frozen_clock):
    frozen_clock.set_brussels("2025-06-10T12:00:00")
    client.get("/language/de")
    page = client.get("/consultations/apply-ai/respond").get_data(as_text=True)
    assert "Diese Konsultation ist abgeschlossen" in page
    assert "5. Juni 2025, 00:00 Uhr Brüsseler Zeit" in page
    assert "Mitternacht am Ende des 4. Juni 2025" in page


def test_error_messages_of_question_types_are_translated(client, consultations):
    from .conftest import form_tokens

    client.get("/language/fr")
    tokens = form_tokens(client, "apply-ai")
    page = client.post("/consultations/apply-ai/respond", data=tokens).get_data(as_text=True)
    assert "Il y a" in page and "problèmes dans vos réponses" in page
    assert "Sélectionnez une option." in page
    assert "Vous devez cocher cette case pour envoyer votre contribution." in page
    assert "Il vous reste {n} caractères" in page  # the counter's sentence, for app.js


def test_numbers_follow_the_language(app):
    from consultation.questionnaires.types import QUESTION_TYPES

    spec = {"key": "n", "type": "number", "text": "N", "min": 0, "max": 1500, "integer": False}
    question = QUESTION_TYPES["number"](QUESTION_TYPES["number"].normalise(spec))
    assert question.display(1234.5, "en") == ["1,234.5"]
    assert question.display(1234.5, "fr") == ["1\u202f234,5"]
    assert question.display(1234.5, "de") == ["1.234,5"]
    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert question.limits_text("de") == "Geben Sie eine Zahl von 0 bis 1.500 ein."


def test_language_of_the_contribution_starts_at_the_interface_language(client, consultations):
    client.get("/language/de")
    page = client.get("/consultations/apply-ai/respond").get_data(as_text=True)
    assert '<option value="de" selected>' in page
    assert page.count(" selected>") == 2  # the header's list of languages and this question


def test_english_interface_preselects_english(client, consultations):
    page = client.get("/consultations/apply-ai/respond").get_data(as_text=True)
    assert '<option value="en" selected>' in page


def test_a_missing_translation_falls_back_to_english_never_to_blank(client, consultations):
    definition = parse_file(next(p for p in definition_files() if p.stem == "apply-ai"))
    question = definition["sections"][1]["questions"][0]
    assert question["key"] == "ai_stage"
    english = question["text"]["en"]
    del question["text"]["fr"]
    option = question["options"][0]
    option["label"].pop("fr")
    load_definition(definition)
    db.session.commit()

    client.get("/language/fr")
    page = client.get("/consultations/apply-ai/respond").get_data(as_text=True)
    assert english in page
    assert option["label"]["en"].replace("'", "&#39;") in page
    questionnaire = consultation_by_slug("apply-ai").questionnaire
    assert questionnaire.questions["ai_stage"].label("fr") == english
    assert questionnaire.questions["sectors"].label("fr") != questionnaire.questions[
        "sectors"
    ].label("en")


# Every catalogue (fr, de and the others) is checked message by message in test_catalogues.py.


#: Keys whose values are texts for people, wherever they appear in a definition.
TEXT_KEYS = {"title", "summary", "about", "privacy_notice", "intro", "text", "hint", "label"}
TEXT_KEYS |= {"pattern_message", "unit"}


def texts_of(node, path=""):
    """Every (path, text) of a parsed definition that a person reads."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in TEXT_KEYS:
                yield f"{path}/{key}", value
            elif key != "options_from":
                yield from texts_of(value, f"{path}/{key}")
    elif isinstance(node, list):
        for position, item in enumerate(node):
            name = item.get("key", position) if isinstance(item, dict) else position
            yield from texts_of(item, f"{path}[{name}]")


@pytest.mark.parametrize("path", definition_files(), ids=lambda p: p.stem)
def test_every_questionnaire_text_is_in_english_french_and_german(path):
    definition = parse_file(path)
    found = list(texts_of(definition))
    assert len(found) > 100
    for where, text in found:
        if text == "%":
            continue  # the same sign in every language
        assert isinstance(text, dict), f"{path.name}{where} is not translated"
        assert {"en", "fr", "de"} <= set(text), (
            f"{path.name}{where} lacks {set('enfrde') - set(text)}"
        )
        assert text["fr"] != text["en"] or len(text["en"]) < 20, (
            f"{path.name}{where}: fr is English"
        )
        assert text["de"] != text["en"] or len(text["en"]) < 20, (
            f"{path.name}{where}: de is English"
        )


def test_questionnaire_is_shown_in_the_chosen_language(client, consultations):
    client.get("/language/fr")
    page = client.get("/consultations/cloud-ai-development-act/respond").get_data(as_text=True)
    assert "Vous concernant" in page
    assert "Je réponds en tant que" in page
    assert "Établissement universitaire ou de recherche" in page
    assert '<span class="unit" id="q_permit_lead_time-unit">jours</span>' in page
    assert "Répondez uniquement si votre réponse à «\u00a0Laquelle de ces descriptions" in page

    client.get("/language/de")
    page = client.get("/consultations/cloud-ai-development-act/respond").get_data(as_text=True)
    assert "Angaben zu Ihrer Person" in page
    assert "Gesetz über die Entwicklung von Cloud und KI: Ihr Beitrag" in page
    assert ">Österreich</option>" in page and ">Belgien</option>" in page


def test_home_and_consultation_pages_use_the_translated_texts(client, consultations):
    client.get("/language/de")
    home = client.get("/").get_data(as_text=True)
    assert "Strategie für die Anwendung von KI" in home
    assert "Sagen Sie uns, wie Sie KI heute nutzen" in home
    page = client.get("/consultations/data-union-strategy").get_data(as_text=True)
    assert "Datenschutzerklärung" in page and "Verordnung (EU) 2018/1725" in page
    assert "<li>Sie und Daten</li>" in page


def test_receipt_is_in_the_reader_language(client, consultations):
    from .answers import valid_form_data
    from .conftest import form_tokens

    client.get("/language/fr")
    questionnaire = consultations["apply-ai"].questionnaire
    data = {**form_tokens(client, "apply-ai"), **valid_form_data(questionnaire)}
    result = client.post("/consultations/apply-ai/respond", data=data)
    assert result.status_code == 303
    page = client.get(result.headers["Location"]).get_data(as_text=True)
    assert "Merci\u00a0: votre contribution a bien été reçue" in page
    assert "Reçue le 26 mai 2025 à 12:00, heure de Bruxelles" in page
    assert "Votre utilisation de l’IA" in page
    assert "Belgique" in page


def test_language_and_country_lists_are_in_the_reader_alphabet(client, consultations):
    client.get("/language/de")
    page = client.get("/consultations/apply-ai/respond").get_data(as_text=True)
    languages = re.findall(
        r'<option value="(\w\w)"(?: selected)?>', page.split('id="q_language"')[1]
    )
    assert languages[:4] == ["bg", "da", "de", "en"]  # Bulgarisch, Dänisch, Deutsch, Englisch
    country_select = page.split('id="q_country"')[1].split("</select>")[0]
    eu_names = re.findall(r'<option value="\w\w">([^<]+)</option>', country_select)[:27]
    assert eu_names.index("Österreich") == eu_names.index("Niederlande") + 1
