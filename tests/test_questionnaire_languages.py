"""Questionnaire texts in more languages: inline (fr, de) or from a catalogue per language,
the languages a consultation offers, and the interface languages that are offered."""

import textwrap

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from consultation import catalogues
from consultation.i18n import LANGUAGES, offered_languages, quantity, unit_text
from consultation.questionnaires import catalogue
from consultation.questionnaires.catalogue import UNIT_CONTEXT
from consultation.questionnaires.definition import Questionnaire
from consultation.questionnaires.languages import missing_texts
from consultation.questionnaires.loader import QuestionnaireError, definition_files, parse_file
from consultation.questionnaires.text import tr

HEADER = """\
slug: test-consultation
title: {en: A test consultation, fr: Une consultation de test}
summary: {en: For tests., fr: Pour les tests.}
privacy_notice: {en: We keep your data safe., fr: Nous protégeons vos données.}
opens: 2025-04-09
closes: 2025-06-04
"""


def write(folder, body):
    path = folder / "test-consultation.yaml"
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return path


SECTIONS = """\
sections:
  - key: main
    title: {en: Main, fr: Principal}
    questions:
      - key: q1
        type: short_text
        text: {en: Your name, fr: Votre nom}
      - key: q2
        type: single_choice
        text: {en: Your favourite colour, fr: Votre couleur préférée}
        options:
          - {key: red, label: {en: Red, fr: Rouge}}
          - {key: blue, label: {en: Blue}}
"""


def test_a_consultation_naming_a_language_must_have_every_text_in_it(tmp_path):
    path = write(tmp_path, "languages: [en, fr]\n" + SECTIONS)
    with pytest.raises(QuestionnaireError) as caught:
        parse_file(path)
    message = str(caught.value)
    assert "question 'q2': the text “Blue” has no fr version" in message
    assert "translations/fr/LC_MESSAGES/questionnaires.po" in message
    # Complete in French once the option has its label; English alone needs nothing more.
    blue = SECTIONS.replace("{en: Blue}", "{en: Blue, fr: Bleu}")
    write(tmp_path, "languages: [en, fr]\n" + blue)
    assert parse_file(path)["languages"] == ["en", "fr"]
    write(tmp_path, "languages: [en]\n" + SECTIONS)
    assert parse_file(path)["languages"] == ["en"]


@pytest.mark.parametrize(
    ("languages", "problem"),
    [
        ("[en, xx]", "Unknown language codes: xx."),
        ("[fr]", "must include English (en)"),
        ("en", "must be a list"),
    ],
)
def test_a_wrong_list_of_languages_is_refused(tmp_path, languages, problem):
    with pytest.raises(QuestionnaireError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        parse_file(write(tmp_path, f"languages: {languages}\n" + SECTIONS))


def test_a_consultation_offers_the_languages_its_texts_are_complete_in(tmp_path):
    definition = parse_file(write(tmp_path, SECTIONS))
    assert "languages" not in definition  # by default: whatever is complete
    assert Questionnaire(definition).languages(["en", "fr", "de"]) == ["en"]
    assert missing_texts(definition, "fr") == [("question 'q2'", "Blue")]
    assert [where for where, _ in missing_texts(definition, "de")][:3] == ["'title'"] * 1 + [
        "'summary'",
        "'about'",
    ]
    complete = parse_file(write(tmp_path, SECTIONS.replace("{en: Blue}", "{en: Blue, fr: Bleu}")))
    assert Questionnaire(complete).languages(["en", "fr", "de"]) == ["en", "fr"]
    named = parse_file(
        write(tmp_path, "languages: [en]\n" + SECTIONS.replace("{en: Blue}", "{en: Blue, fr: B}"))
    )
    assert Questionnaire(named).languages(["en", "fr", "de"]) == ["en"]  # as the file says


@pytest.fixture
def estonian(tmp_path, monkeypatch):
    """A questionnaire catalogue for Estonian with two of the test file's texts."""
    folder = tmp_path / "translations"
    (folder / "et" / "LC_MESSAGES").mkdir(parents=True)
    messages = Catalog(locale="et")
    messages.add("Your name", "Teie nimi")
    messages.add("Blue", "Sinine")
    with open(folder / "et" / "LC_MESSAGES" / "questionnaires.po", "wb") as handle:
        write_po(handle, messages)
    with open(folder / "et" / "LC_MESSAGES" / "questionnaires.mo", "wb") as handle:
        write_mo(handle, messages)
    monkeypatch.setattr(catalogue, "TRANSLATIONS_DIR", folder)
    catalogue.forget()
    yield folder
    catalogue.forget()


def test_texts_of_other_languages_come_from_their_catalogue(tmp_path, estonian):
    definition = parse_file(write(tmp_path, SECTIONS))
    question = Questionnaire(definition).questions["q1"]
    assert question.label("et") == "Teie nimi"
    assert question.label("fr") == "Votre nom"  # inline wins for French
    assert tr({"en": "Red", "fr": "Rouge"}, "et") == "Red"  # not translated: English
    missing = missing_texts(definition, "et")
    assert ("question 'q2'", "Red") in missing and ("question 'q2'", "Blue") not in missing
    assert ("section 'main'", "Main") in missing
    with pytest.raises(
        QuestionnaireError,
        match="'title': the text “A test consultation” has no et version. .*6 more texts miss it",
    ):
        parse_file(write(tmp_path, "languages: [en, et]\n" + SECTIONS))


def write_catalogue(folder, language, domain, entries):
    path = folder / language / "LC_MESSAGES"
    path.mkdir(parents=True, exist_ok=True)
    messages = Catalog(locale=language)
    for msgid, msgstr in entries.items():
        messages.add(msgid, msgstr)
    with open(path / f"{domain}.mo", "wb") as handle:
        write_mo(handle, messages)


def test_only_complete_languages_are_offered(tmp_path):
    folder = tmp_path / "translations"
    folder.mkdir()
    for domain, ids in (("messages", ["Respond", "Send"]), ("questionnaires", ["Your name"])):
        template = Catalog()
        for msgid in ids:
            template.add(msgid)
        with open(folder / f"{domain}.pot", "wb") as handle:
            write_po(handle, template)
    write_catalogue(folder, "et", "messages", {"Respond": "Vastake", "Send": "Saatke"})
    write_catalogue(folder, "et", "questionnaires", {"Your name": "Teie nimi"})
    write_catalogue(folder, "lv", "messages", {"Respond": "Atbildiet"})  # one of two
    write_catalogue(folder, "lv", "questionnaires", {"Your name": "Jūsu vārds"})
    write_catalogue(folder, "fi", "messages", {"Respond": "Vastaa", "Send": "Lähetä"})
    write_catalogue(folder, "fr", "messages", {"Respond": "Répondre", "Send": "Envoyer"})
    assert catalogues.missing_ids("lv", "messages", folder) == {"Send"}
    assert catalogues.missing_ids("fi", "questionnaires", folder) == {"Your name"}
    offered = catalogues.offered(LANGUAGES, folder=folder)
    # fi lacks its questionnaire texts, lv a message, the others have no catalogue at all;
    # French writes its questionnaire texts inline.
    assert list(offered) == ["et", "en", "fr"]
    assert offered["et"] == "Eesti"
    assert list(catalogues.offered(LANGUAGES, allowed=["fr"], folder=folder)) == ["en", "fr"]


@pytest.fixture
def restricted(app):
    app.config["LANGUAGES"] = ["fr"]
    app.extensions.pop("offered_languages", None)
    yield app
    app.config["LANGUAGES"] = []
    app.extensions.pop("offered_languages", None)


def test_the_languages_setting_restricts_the_offer(client, restricted, consultations):
    with restricted.test_request_context():
        assert list(offered_languages()) == ["en", "fr"]
    page = client.get("/").get_data(as_text=True)
    assert '<option value="fr"' in page and '<option value="de"' not in page
    assert client.get("/language/de").status_code == 404
    page = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="en"' in page


def test_every_shipped_questionnaire_is_complete_in_every_offered_language(app):
    with app.test_request_context():
        offered = list(offered_languages())
    assert {"en", "fr", "de"} <= set(offered)
    for path in definition_files():
        definition = parse_file(path)
        for language in offered:
            missing = missing_texts(definition, language)
            assert not missing, f"{path.name}: {language} lacks {missing[:5]} ({len(missing)})"
        assert Questionnaire(definition).languages(offered) == offered


DAYS = {"en": {"one": "day", "other": "days"}, "fr": {"one": "jour", "other": "jours"}}
UNIT_SECTIONS = """\
sections:
  - key: main
    title: {en: Main}
    questions:
      - key: lead_time
        type: number
        text: {en: "How long?"}
        unit:
          en: {one: day, other: days}
"""


@pytest.fixture
def polish(tmp_path, monkeypatch):
    """A Polish questionnaire catalogue whose entries are given by the test."""
    folder = tmp_path / "translations"
    (folder / "pl" / "LC_MESSAGES").mkdir(parents=True)
    monkeypatch.setattr(catalogue, "TRANSLATIONS_DIR", folder)

    def write_polish(*entries):
        messages = Catalog(locale="pl")  # Babel's Plural-Forms for Polish: three forms
        messages.add("How long?", "Jak długo?")
        messages.add("Main", "Główna")
        for msgid, msgstr, context in entries:
            messages.add(msgid, msgstr, context=context)
        with open(folder / "pl" / "LC_MESSAGES" / "questionnaires.mo", "wb") as handle:
            write_mo(handle, messages)
        catalogue.forget()

    yield write_polish
    catalogue.forget()


def test_a_unit_takes_the_catalogue_languages_plural_forms(app, polish):
    polish((("day", "days"), ("dzień", "dni", "dni"), None), ("days", "dni", UNIT_CONTEXT))
    shown = {value: quantity(value, DAYS, "pl").replace("\u00a0", " ") for value in (1, 3, 22, 5)}
    assert shown == {1: "1 dzień", 3: "3 dni", 22: "22 dni", 5: "5 dni"}
    assert quantity(1.0, DAYS, "pl").replace("\u00a0", " ") == "1 dzień"  # written "1"
    assert quantity(1.5, DAYS, "pl").replace("\u00a0", " ") == "1,5 dni"  # the general form
    assert unit_text(DAYS, "pl") == "dni"  # beside an empty box
    assert unit_text(DAYS, "fr", 2) == "jours"  # inline: CLDR categories, as before


def test_a_unit_missing_from_a_catalogue_is_a_missing_text(tmp_path, polish):
    definition = parse_file(write(tmp_path, UNIT_SECTIONS))
    polish((("day", "days"), ("dzień", "dni", "dni"), None))  # no general form
    unit = ("question 'lead_time'", "day / days")
    assert unit in missing_texts(definition, "pl")
    assert unit_text(DAYS, "pl", 3) == "days"  # not translated: English, never a crash
    polish((("day", "days"), ("dzień", "dni", "dni"), None), ("days", "dni", UNIT_CONTEXT))
    assert unit not in missing_texts(definition, "pl")


def test_the_template_has_each_unit_as_a_plural_entry_and_a_general_form(tmp_path):
    from consultation.questionnaires.extract import questionnaire_catalogue

    template = questionnaire_catalogue([write(tmp_path, UNIT_SECTIONS)])
    assert template.get("day").id == ("day", "days")
    assert template.get("days", context=UNIT_CONTEXT) is not None


def test_every_questionnaire_opens_in_every_offered_language(app, client, consultations):
    """Each blank form, in each language a person can choose (a unit or text that a catalogue
    lacks would fail here with a server error, as it once did)."""
    with app.test_request_context():
        offered = list(offered_languages())
    for language in offered:
        client.get(f"/language/{language}")
        for slug in consultations:
            response = client.get(f"/consultations/{slug}/respond")
            assert response.status_code == 200, (language, slug)
            page = response.get_data(as_text=True)
            assert f'<html lang="{language}"' in page, (language, slug)
            assert "{'" not in page, (language, slug)
