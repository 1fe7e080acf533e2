"""The questionnaire editor: a questionnaire built through its forms (every question type,
options, limits, an exclusive and an "other" option, a condition), the loader's messages at
their fields, reordering, deleting, missing translations; then answered and reported."""

import csv
import io
import re

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


def condition(question, *answers):
    """The two steps of a condition: the earlier question, then its options ticked."""
    return {"show_if_question": question, "show_if_shown": question, "show_if": list(answers)}


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
            extra = condition("opinions_first", "yes", "other")
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
    assert 'id="options-1-key-error"' in page and "already used by another row" in page
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
    add_question(made, "opinions", "short_text", "q_c", **condition("opinions_first", "yes"))
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


# -- conditions question first, the error summary, options reordered, types changed ----


def summary(page):
    """(link target, words) of each line of the error summary."""
    block = page.partition('id="error-summary"')[2].partition("</div>")[0]
    return re.findall(r'<li><a href="#([^"]+)">([^<]*)</a></li>', block)


def test_a_condition_picks_the_earlier_question_first_then_its_options(made):
    add_section(made)
    last = consultation(SLUG).definition["sections"][-1]["key"]
    page = made.get(f"{EDITOR}/sections/{last}/new?type=short_text").get_data(as_text=True)
    assert page.count('name="show_if"') == 0  # no tick box before a question is picked
    assert '<option value="opinions_first">' in page and 'value="show_options"' in page
    typed = {"key": "q_c", **texts("text", "Why?"), "max_length": "70"}
    asked = {**typed, "show_if_question": "opinions_first", "action": "show_options"}
    result = post(made, f"{EDITOR}/sections/{last}/new?type=short_text", **asked)
    page = result.get_data(as_text=True)
    assert result.status_code == 200 and "q_c" not in sum(keys(), [])
    assert page.count('name="show_if"') == 3  # yes, no, other: that question's only
    assert 'value="q_c"' in page and 'value="Why? (fr)"' in page and 'value="70"' in page
    assert 'id="show_if-1" name="show_if" value="yes" autofocus' in page
    post(
        made,
        f"{EDITOR}/sections/{last}/new?type=short_text",
        **typed,
        **condition("opinions_first", "no"),
    )
    found = consultation(SLUG).questionnaire.questions["q_c"]
    assert found.show_if == {"question": "opinions_first", "in": ["no"]}
    page = made.get(f"{EDITOR}/questions/q_c").get_data(as_text=True)  # shown, editable
    assert '<option value="opinions_first" selected>' in page
    assert 'value="no" checked' in page and 'value="yes">' in page
    other = next(iter(ops_questions(consultation(SLUG))))
    changed = {**condition("opinions_first", "no"), "show_if_question": other}
    result = post(made, f"{EDITOR}/questions/q_c", **typed, **changed)  # options not shown
    page = result.get_data(as_text=True)
    assert result.status_code == 400 and "Tick the answers of the question now chosen" in page
    assert (
        "show_if",
        "Ask only if its answer is one of: Tick the answers of the question now chosen, then save.",
    ) in summary(page)
    cleared = {**typed, "show_if_question": "", "show_if_shown": "opinions_first"}
    assert post(made, f"{EDITOR}/questions/q_c", **cleared).status_code == 302
    assert consultation(SLUG).questionnaire.questions["q_c"].show_if is None


def ops_questions(item):
    """The keys of the choice questions a condition can be on, from the first section."""
    from consultation.authoring.editor_operations import condition_questions

    found = condition_questions(item.definition["sections"], None, "opinions_first")
    return [key for group in found.values() for key, _words in group]


def test_a_missing_translation_is_named_in_the_summary_with_its_field_and_language(made):
    add_section(made)
    result = add_question(made, "opinions", "short_text", "q_t", text_fr="")
    lines = summary(result.get_data(as_text=True))
    message = "Enter this text in this language too, or stop offering the language."
    assert ("text_fr", f"Question text – Français (fr): {message}") in lines
    result = add_question(made, "opinions", "ranking", "q_r", **{"options-1-label_fr": ""})
    lines = summary(result.get_data(as_text=True))
    assert ("options-1-label_fr", f"Options, row 2, Label – Français (fr): {message}") in lines


#: A loader message (or the editor's own) of each kind, the type and data that make it,
#: and the field it is shown at.
MESSAGES = [
    ("key used twice", "short_text", {"key": "opinions_first"}, "key"),
    ("no text", "short_text", texts("text", "", ""), "text_en"),
    ("at least more than at most", "multiple_choice", {"min_choices": "3"}, "min_choices"),
    ("more than the options", "multiple_choice", {"max_choices": "9"}, "max_choices"),
    ("smallest above largest", "number", {"min": "5", "max": "1"}, "min"),
    ("not a number", "number", {"max": "many"}, "max"),
    ("not a whole number", "short_text", {"max_length": "ten"}, "max_length"),
    ("length of zero", "short_text", {"max_length": "0"}, "max_length"),
    ("long text without length", "long_text", {"max_length": ""}, "max_length"),
    # The message goes where it is to be written, not at the format.
    ("format without message", "short_text", {"pattern": "^[0-9]+$"}, "pattern_message_en"),
    ("option key twice", "ranking", {"options-2-key": "x"}, "options-2-key"),
    ("option without key", "ranking", {"options-1-key": ""}, "options-1-key"),
    ("option key with a space", "ranking", {"options-0-key": "a b"}, "options-0-key"),
    ("option without label", "ranking", texts("options-1-label", "", ""), "options-1-label_en"),
    ("two other options", "single_choice", {"options-1-other": "y"}, "options-2-other"),
    (
        "every option exclusive",
        "multiple_choice",
        {"options-0-exclusive": "y", "options-1-exclusive": "y"},
        "options-2-exclusive",
    ),
    (
        "no options",
        "ranking",
        {f"options-{n}-{f}": "" for n in range(3) for f in ("key", "label_en", "label_fr")},
        "options-0-key",
    ),
    (
        "a scale of one point",
        "matrix",
        {"scale-1-key": "", **texts("scale-1-label", "", "")},
        "scale-0-key",
    ),
    ("a file of no size", "file", {"max_size_kb": "0"}, "max_size_kb"),
    ("consent not required", "consent", {"required": ""}, "required"),
    ("condition with no answer", "short_text", condition("opinions_first"), "show_if"),
    ("condition on a ranking", "short_text", condition("q_rank", "x"), "show_if_question"),
    ("profile used twice", "single_choice", {"profile": "respondent_type"}, "profile"),
    ("translation missing", "short_text", {"text_fr": ""}, "text_fr"),
]


@pytest.mark.parametrize(
    "kind, data, field", [m[1:] for m in MESSAGES], ids=[m[0] for m in MESSAGES]
)
def test_every_kind_of_message_is_in_the_summary_with_a_link_to_its_field(made, kind, data, field):
    add_section(made)
    if "q_rank" in str(data):
        add_question(made, "opinions", "ranking", "q_rank")
    data = dict(data)
    result = add_question(made, "opinions", kind, data.pop("key", f"q_{kind}"), **data)
    page = result.get_data(as_text=True)
    assert result.status_code == 400, page[:2000]
    lines = summary(page)
    assert field in [target for target, _words in lines], lines
    for target, words in lines:
        assert f'id="{target}"' in page and target != "editor-form", (target, words)
        assert ": " in words  # said after the field's name


def test_options_are_reordered_keeping_everything_typed(made):
    add_section(made)
    url = f"{EDITOR}/sections/opinions/new?type=single_choice"
    typed = {"key": "q_o", **texts("text", "Pick one"), **QUESTIONS["single_choice"]}
    page = made.get(url).get_data(as_text=True)
    assert 'value="options:0:down"' in page and 'value="options:0:up"' not in page
    result = post(made, url, **typed, action="options:2:up")  # "other" one place up
    page = result.get_data(as_text=True)
    assert result.status_code == 200 and "q_o" not in sum(keys(), [])
    assert 'name="options-1-key" value="other"' in page
    assert 'name="options-2-key" value="no"' in page and 'value="Other (fr)"' in page
    assert 'id="options-1-other" name="options-1-other" value="y" checked' in page
    assert 'aria-label="Move up: Options, row 2" autofocus' in page  # the button moved
    assert 'value="Pick one"' in page
    moved = {"key": "q_o", **texts("text", "Pick one")}
    moved.update(options("other", "yes", "no", flags={"other": ["other"]}))
    post(made, url, **moved, action="options:1:down")  # nothing saved by a move
    result = post(made, url, **moved)
    assert result.status_code == 302, summary(result.get_data(as_text=True))
    saved = consultation(SLUG).questionnaire.questions["q_o"]
    assert saved.option_keys == ["other", "yes", "no"] and saved.other_key == "other"


def test_a_draft_questions_type_is_changed_keeping_what_applies(made):
    add_section(made)
    url = f"{EDITOR}/questions/opinions_first"
    page = made.get(url).get_data(as_text=True)
    offered = re.findall(
        r'<option value="([a-z_]+)"', page.partition('id="new_type"')[2].partition("</select>")[0]
    )
    assert offered == ["single_choice", "multiple_choice", "ranking"]
    typed = {
        "key": "opinions_first",
        **texts("text", "Do you agree?"),
        **QUESTIONS["single_choice"],
    }
    result = post(
        made, url, **typed, type="single_choice", new_type="multiple_choice", action="change_type"
    )
    page = result.get_data(as_text=True)
    assert (
        result.status_code == 200 and 'name="min_choices"' in page and 'id="type-changed"' in page
    )
    assert (
        'value="Do you agree? (fr)"' in page and 'name="options-2-other" value="y" checked' in page
    )
    assert consultation(SLUG).questionnaire.questions["opinions_first"].kind == "single_choice"
    assert post(made, url, **typed, type="multiple_choice", max_choices="2").status_code == 302
    changed = consultation(SLUG).questionnaire.questions["opinions_first"]
    assert changed.kind == "multiple_choice" and changed.max_choices == 2
    assert changed.other_key == "other" and changed.label("fr") == "Do you agree? (fr)"
    edit = audit("questionnaire.edit")[-1]
    assert edit.before["question"]["type"] == "single_choice"
    assert edit.after["question"]["type"] == "multiple_choice"
    # a type it cannot become is not offered, nor taken when sent
    result = post(made, url, **typed, type="number", new_type="number", action="change_type")
    assert 'name="options-0-key"' in result.get_data(as_text=True)
    post(made, url, **typed, type="number", min="1")
    assert consultation(SLUG).questionnaire.questions["opinions_first"].kind == "multiple_choice"


def test_a_short_text_becomes_a_long_text_and_the_loader_still_checks(made):
    add_section(made)
    add_question(
        made,
        "opinions",
        "short_text",
        "q_s",
        pattern="^[0-9]+$",
        **texts("pattern_message", "Digits"),
    )
    add_question(made, "opinions", "short_text", "q_if", **condition("opinions_first", "yes"))
    url = f"{EDITOR}/questions/q_s"
    typed = {
        "key": "q_s",
        **texts("text", "Question q_s"),
        "max_length": "80",
        "pattern": "^[0-9]+$",
    }
    result = post(made, url, **typed, type="short_text", new_type="long_text", action="change_type")
    page = result.get_data(as_text=True)
    assert "Not kept by the new type: Format." in page and 'value="80"' in page
    assert post(made, url, **typed, type="long_text").status_code == 302
    assert consultation(SLUG).questionnaire.questions["q_s"].kind == "long_text"
    # a question a condition is on cannot become a ranking: the loader says why
    first = {
        "key": "opinions_first",
        **texts("text", "Do you agree?"),
        **QUESTIONS["single_choice"],
    }
    result = post(made, f"{EDITOR}/questions/opinions_first", **first, type="ranking")
    page = result.get_data(as_text=True)
    assert result.status_code == 400
    assert consultation(SLUG).questionnaire.questions["opinions_first"].kind == "single_choice"
    # At the list of types, not above the form, and in the summary with a link to it.
    message = (
        "Question “q_if” is asked only after some answers to this question, so this one must "
        "stay a question of one or several choices: keep its type, or first change the "
        "condition of “q_if”."
    )
    assert summary(page) == [("new_type", f"Change the type to: {message}")]
    assert (
        '<p class="error-message" id="new_type-error"><span class="visually-hidden">Error: '
        f"</span>{message}</p>" in page
    )
    assert 'aria-invalid="true" aria-describedby="new_type-error"' in page


def test_a_change_breaking_a_condition_elsewhere_is_said_at_the_field_that_breaks_it(made):
    """The loader finds the problem in the question whose condition is on this one; the
    editor says it at this one's field that caused it: its options, its key."""
    add_section(made)
    add_question(made, "opinions", "short_text", "q_if", **condition("opinions_first", "yes"))
    url = f"{EDITOR}/questions/opinions_first"
    first = {"key": "opinions_first", **texts("text", "Do you agree?")}
    without_yes = {**first, **options("no", "other", flags={"other": ["other"]})}
    page = post(made, url, **without_yes, type="single_choice").get_data(as_text=True)
    (line,) = summary(page)
    assert line[0] == "options-0-key" and "that it would no longer have: keep those" in line[1]
    renamed = {**QUESTIONS["single_choice"], **first, "key": "opinions_1st"}
    page = post(made, url, **renamed, type="single_choice").get_data(as_text=True)
    (line,) = summary(page)
    assert line[0] == "key" and "by its key and place: keep the key" in line[1]
    assert "opinions_1st" not in consultation(SLUG).questionnaire.questions
