"""The questionnaire editor: a questionnaire built through its forms (every question type,
options, limits, an exclusive and an "other" option, a condition), the loader's messages at
their fields, reordering, deleting, missing translations; then answered and reported."""

import csv
import io

import pytest

from consultation.questionnaires.forms import field_name
from consultation.questionnaires.types import QUESTION_TYPES
from consultation.reports import export
from consultation.reports.summary import build_summary

from .admin_helpers import signed_in_csrf
from .answers import valid_form_data
from .conftest import form_tokens
from .test_authoring import admin, audit, consultation, create, later, publish  # noqa: F401

SLUG = "digital-skills-2025"
EDITOR = f"/admin/consultations/{SLUG}/editor"


def texts(name, en, fr=None):
    return {f"{name}_en": en, f"{name}_fr": fr if fr is not None else f"{en} (fr)"}


def options(*keys, name="options", flags=None):
    data = {}
    for n, key in enumerate(keys):
        data[f"{name}-{n}-key"] = key
        data.update(texts(f"{name}-{n}-label", key.title()))
        for flag in (flags or {}).get(key, ()):
            data[f"{name}-{n}-{flag}"] = "y"
    return data


def post(client, url, **data):
    return client.post(url, data={"csrf_token": signed_in_csrf(client), **data})


#: Every type, with the settings the form needs: options, limits, flags.
QUESTIONS = {
    "single_choice": {**options("yes", "no", "other", flags={"other": ["other"]})},
    "multiple_choice": {
        **options("a", "b", "none", flags={"none": ["exclusive"]}),
        "min_choices": "1",
        "max_choices": "2",
    },
    "matrix": {**options("r1", "r2", name="rows"), **options("agree", "disagree", name="scale")},
    "ranking": {**options("x", "y", "z")},
    "short_text": {"max_length": "80"},
    "long_text": {"max_length": "500"},
    "number": {"min": "0", "max": "100", "integer": "y", **texts("unit", "%", "%")},
    "email": {},
    "country": {},
    "file": {"extensions": ["pdf", "txt"], "max_size_kb": "200"},
    "consent": {"required": "y"},
}


@pytest.fixture
def made(admin):  # noqa: F811
    assert create(admin).status_code == 302
    return admin


def add_section(client, key="opinions", kind="single_choice", **question):
    data = {
        "section-key": key,
        **texts("section-title", "Your opinions"),
        "key": f"{key}_first",
        **texts("text", "Do you agree?"),
        **QUESTIONS[kind],
        **question,
    }
    return post(client, f"{EDITOR}/sections/new?type={kind}", **data)


def add_question(client, section, kind, key, **extra):
    data = {"key": key, **texts("text", f"Question {key}"), **QUESTIONS[kind], **extra}
    return post(client, f"{EDITOR}/sections/{section}/new?type={kind}", **data)


def keys(slug=SLUG):
    found = consultation(slug).definition["sections"]
    return [[q["key"] for q in section["questions"]] for section in found]


def test_the_editor_is_linked_and_shows_every_section(made):
    page = made.get(f"/admin/consultations/{SLUG}").get_data(as_text=True)
    assert EDITOR in page
    page = made.get(EDITOR).get_data(as_text=True)
    for section in consultation(SLUG).definition["sections"]:
        assert f'id="section-{section["key"]}"' in page
    for kind in QUESTION_TYPES:
        assert made.get(f"{EDITOR}/sections/new?type={kind}").status_code == 200


def test_a_questionnaire_of_every_type_is_built_answered_and_reported(made, frozen_clock):
    result = add_section(made)
    assert result.status_code == 302, result.get_data(as_text=True)[:3000]
    for kind in QUESTION_TYPES:
        extra = {}
        if kind == "long_text":  # shown only to those who answered "yes" or "other"
            extra = {"show_if": ["opinions_first:yes", "opinions_first:other"]}
        result = add_question(made, "opinions", kind, f"q_{kind}", **extra)
        assert result.status_code == 302, (kind, result.get_data(as_text=True)[:3000])
    made_one = consultation(SLUG)
    specs = {q["key"]: q for q in made_one.definition["sections"][-1]["questions"]}
    assert specs["q_multiple_choice"]["options"][2] == {
        "key": "none",
        "label": {"en": "None", "fr": "None (fr)"},
        "exclusive": True,
    }
    assert specs["opinions_first"]["options"][2]["other"] is True
    assert specs["q_long_text"]["show_if"] == {
        "question": "opinions_first",
        "in": ["yes", "other"],
    }
    assert specs["q_number"]["min"] == 0 and specs["q_number"]["max"] == 100
    assert specs["q_file"]["extensions"] == ["pdf", "txt"]
    assert specs["q_file"]["max_size_kb"] == 200
    assert audit("questionnaire.edit")[-1].after["question"]["key"] == "q_consent"
    assert publish(made, SLUG).status_code == 302  # the draft is published, then opens
    later(made, frozen_clock, "2025-06-15T12:00:00")
    opened = consultation(SLUG)
    data = {**form_tokens(made, SLUG), **valid_form_data(opened.questionnaire)}
    data[field_name(opened.questionnaire.questions["q_short_text"])] = "Editor answer"
    result = made.post(f"/consultations/{SLUG}/respond", data=data)
    assert result.status_code == 303, result.get_data(as_text=True)[:3000]
    assert build_summary(opened, locale="en").total == 1
    rows = list(csv.reader(io.StringIO("".join(export.iter_csv(opened, True))[1:])))
    assert len(rows) == 2 and "Editor answer" in rows[1]


def test_the_loaders_messages_are_shown_at_their_fields_with_what_was_typed(made):
    add_section(made)
    result = add_question(
        made, "opinions", "multiple_choice", "q_many", min_choices="3", max_choices="2"
    )
    page = result.get_data(as_text=True)
    assert result.status_code == 400
    assert 'href="#min_choices"' in page and "min_choices" in page
    assert 'id="min_choices-error"' in page and 'value="3"' in page
    result = add_question(made, "opinions", "single_choice", "opinions_first")
    assert 'id="key-error"' in result.get_data(as_text=True)
    result = add_question(made, "opinions", "single_choice", "q_dup", **{"options-1-key": "yes"})
    page = result.get_data(as_text=True)
    assert 'id="options-1-key-error"' in page and "used twice" in page
    result = add_question(made, "opinions", "number", "q_n", min="5", max="1")
    assert 'id="min-error"' in result.get_data(as_text=True)
    result = add_question(made, "opinions", "short_text", "q_t", **{"text_fr": ""})
    page = result.get_data(as_text=True)
    assert result.status_code == 400 and 'id="text_fr-error"' in page
    assert "q_t" not in sum(keys(), [])


def test_more_rows_keeps_what_was_typed(made):
    add_section(made)
    result = add_question(made, "opinions", "ranking", "q_rank", action="more_rows")
    page = result.get_data(as_text=True)
    assert result.status_code == 200 and 'name="options-4-key"' in page
    assert 'value="q_rank"' in page and "q_rank" not in sum(keys(), [])


def test_questions_and_sections_are_moved_edited_and_deleted(made):
    add_section(made)
    add_question(made, "opinions", "short_text", "q_a")
    add_question(made, "opinions", "short_text", "q_b")
    assert keys()[-1] == ["opinions_first", "q_a", "q_b"]
    post(made, f"{EDITOR}/questions/q_b/move", direction="up")
    assert keys()[-1] == ["opinions_first", "q_b", "q_a"]
    before = [s[0] for s in keys()]
    post(made, f"{EDITOR}/sections/opinions/move", direction="up")
    assert [s[0] for s in keys()][-2] == "opinions_first"
    assert len(keys()) == len(before)
    result = post(
        made, f"{EDITOR}/questions/q_a", key="q_a", **texts("text", "Changed"), max_length="9"
    )
    assert result.status_code == 302
    found = consultation(SLUG).questionnaire.questions["q_a"]
    assert found.label("en") == "Changed" and found.max_length == 9
    page = post(made, f"{EDITOR}/questions/q_a/delete").get_data(as_text=True)
    assert "Please confirm" in page and "q_a" in sum(keys(), [])
    post(made, f"{EDITOR}/questions/q_a/delete", confirm="yes")
    assert "q_a" not in sum(keys(), [])
    count = len(keys())
    post(made, f"{EDITOR}/sections/opinions/delete", confirm="yes")
    assert len(keys()) == count - 1
    log = made.get("/admin/audit", query_string={"action": "questionnaire.edit"})
    log = log.get_data(as_text=True)
    for change in ("added the question q_b", "moved the question q_b", "changed the question q_a"):
        assert change in log
    assert "moved the section opinions" in log and "deleted the section opinions" in log


def test_a_question_a_condition_depends_on_cannot_be_deleted(made):
    add_section(made)
    add_question(made, "opinions", "short_text", "q_c", show_if=["opinions_first:yes"])
    post(made, f"{EDITOR}/questions/opinions_first/delete", confirm="yes")
    assert "opinions_first" in sum(keys(), [])
    assert "show_if" in made.get(EDITOR).get_data(as_text=True)


def test_a_translation_being_prepared_is_flagged_missing(made):
    add_section(made)
    page = made.get(f"{EDITOR}?also=de").get_data(as_text=True)
    assert 'id="missing-de"' in page
    page = made.get(f"{EDITOR}/questions/opinions_first?also=de").get_data(as_text=True)
    assert 'name="text_de"' in page and "Translation missing" in page
    result = post(
        made,
        f"{EDITOR}/questions/opinions_first?also=de",
        key="opinions_first",
        **texts("text", "Do you agree?"),
        text_de="Stimmen Sie zu?",
        **QUESTIONS["single_choice"],
    )
    assert result.status_code == 302
    text = consultation(SLUG).definition["sections"][-1]["questions"][0]["text"]
    assert text["de"] == "Stimmen Sie zu?"


def test_texts_are_shown_escaped(made):
    script = "<script>alert(1)</script>"
    add_section(made, **texts("text", script, script))
    page = made.get(EDITOR).get_data(as_text=True)
    assert script not in page and "&lt;script&gt;" in page


def test_an_open_consultation_is_not_edited(admin):  # noqa: F811
    page = admin.get("/admin/consultations/data-union-strategy/editor")
    assert page.status_code == 409
