"""The rules for changing a questionnaire that has opened (``authoring.compatibility``):
wording and new optional questions pass; what would change stored answers is named."""

import copy

import pytest

from consultation.authoring.compatibility import compatibility_problems
from consultation.questionnaires.loader import definitions_dir, parse_file

OLD = parse_file(definitions_dir() / "data-union-strategy.yaml")


def question(definition, key) -> dict:
    return next(
        spec
        for section in definition["sections"]
        for spec in section["questions"]
        if spec["key"] == key
    )


def changed(change) -> dict:
    new = copy.deepcopy(OLD)
    change(new)
    return new


def add_question(spec):
    def change(new):
        new["sections"][-1]["questions"].append(spec)

    return change


def set_(which, **settings):
    def change(new):
        question(new, which).update(settings)

    return change


def drop(key, *settings):
    def change(new):
        for name in settings:
            question(new, key).pop(name)

    return change


def options(key, edit):
    def change(new):
        edit(question(new, key)["options"])

    return change


def remove_question(key):
    def change(new):
        for section in new["sections"]:
            section["questions"] = [q for q in section["questions"] if q["key"] != key]

    return change


NEW_OPTIONAL = {"key": "ai_hopes", "type": "long_text", "text": "Anything else?", "max_length": 900}


def relabel(new):
    question(new, "data_ease")["text"] = {"en": "How easy is it to get data?", "fr": "Facile ?"}
    question(new, "data_ease")["options"][0]["label"] = "Very easy indeed"
    question(new, "data_use_case")["hint"] = "A new hint."
    new["title"] = "A better title"
    new["privacy_notice"] = "A corrected privacy notice."


ALLOWED = {
    "nothing": lambda new: None,
    "wording": relabel,
    "a new optional question": add_question(NEW_OPTIONAL),
    "a new optional conditional question": add_question(
        {**NEW_OPTIONAL, "show_if": {"question": "follow_up", "in": ["yes"]}}
    ),
    "required made optional": set_("simplification_approach", required=False),
    "a longer maximum length": set_("wanted_dataset", max_length=400),
    "more choices allowed": set_("access_obstacles", max_choices=5),
    "no maximum of choices": drop("access_obstacles", "max_choices"),
    "fewer choices needed": drop("data_role", "min_choices"),
    "a wider number range": set_("compliance_cost", min=-10, max=1000),
    "decimals now accepted": set_("compliance_cost", integer=False),
    "a pattern removed": drop("transparency_register", "pattern", "pattern_message"),
    "a pattern's message reworded": set_("transparency_register", pattern_message="Digits."),
    "more file types": set_(
        "position_paper", extensions=["pdf", "txt", "doc", "docx", "odt", "rtf"]
    ),
    "a larger file size": set_("position_paper", max_size_kb=4096),
    "options in another order": options("data_ease", lambda items: items.reverse()),
    "an exclusive option no longer exclusive": options(
        "laws_applied", lambda items: [item.pop("exclusive", None) for item in items]
    ),
    "a drop-down instead of radio buttons": set_("data_ease", widget="select"),
    "not every statement needed": set_("spaces_labs_usefulness", all_rows_required=False),
    "a question moved to another section": lambda new: new["sections"][-1]["questions"].append(
        new["sections"][1]["questions"].pop()
    ),
    "a new language": lambda new: new.update(languages=[*new.get("languages", ["en"]), "ga"]),
}


@pytest.mark.parametrize("change", ALLOWED.values(), ids=ALLOWED.keys())
def test_compatible_changes_pass(change):
    assert compatibility_problems(OLD, changed(change)) == []


REFUSED = {
    "a question removed": (remove_question("data_ease"), "data_ease", None, "removed"),
    "a key changed": (set_("data_ease", key="ease_of_data"), "data_ease", None, "removed"),
    "a type changed": (
        set_("wanted_dataset", type="long_text"),
        "wanted_dataset",
        None,
        "type cannot change from short_text to long_text",
    ),
    "optional made required": (
        set_("data_ease", required=True),
        "data_ease",
        None,
        "cannot become required",
    ),
    "an option removed": (
        options("data_ease", lambda items: items.pop(0)),
        "data_ease",
        "very_easy",
        "was removed",
    ),
    "an option's key changed": (
        options("data_ease", lambda items: items[0].update(key="easy")),
        "data_ease",
        "very_easy",
        "was removed",
    ),
    "an option added": (
        options("data_ease", lambda items: items.append({"key": "unsure", "label": "Unsure"})),
        "data_ease",
        "unsure",
        "cannot be added",
    ),
    "a matrix row removed": (
        lambda new: question(new, "measures_agreement")["rows"].pop(),
        "measures_agreement",
        None,
        "statement",
    ),
    "a point of the scale added": (
        lambda new: question(new, "measures_agreement")["scale"].append(
            {"key": "maybe", "label": "Maybe"}
        ),
        "measures_agreement",
        "maybe",
        "point of the scale",
    ),
    "a ranking item added": (
        options("goals_ranking", lambda items: items.append({"key": "x", "label": "X"})),
        "goals_ranking",
        "x",
        "cannot be added",
    ),
    "a lower maximum length": (
        set_("wanted_dataset", max_length=100),
        "wanted_dataset",
        None,
        "from 200 to 100",
    ),
    "fewer choices allowed": (
        set_("access_obstacles", max_choices=2),
        "access_obstacles",
        None,
        "from 3 to 2",
    ),
    "a maximum of choices where there was none": (
        set_("data_types", max_choices=2),
        "data_types",
        None,
        "from none to 2",
    ),
    "more choices needed": (set_("data_role", min_choices=2), "data_role", None, "from 1 to 2"),
    "a lower maximum number": (set_("compliance_cost", max=50), "compliance_cost", None, "50"),
    "a higher minimum number": (set_("compliance_cost", min=1), "compliance_cost", None, "1"),
    "whole numbers only": (
        set_("compliance_cost", integer=True),
        "compliance_cost",
        None,
        "whole numbers only",
    ),
    "a new pattern": (
        set_("wanted_dataset", pattern="[a-z]+", pattern_message="Letters."),
        "wanted_dataset",
        None,
        "the format required",
    ),
    "a changed pattern": (
        set_("transparency_register", pattern="[0-9]{13}-[0-9]{2}"),
        "transparency_register",
        None,
        "the format required",
    ),
    "fewer file types": (
        set_("position_paper", extensions=["pdf"]),
        "position_paper",
        None,
        "TXT, DOC".lower(),
    ),
    "a smaller file size": (
        set_("position_paper", max_size_kb=100),
        "position_paper",
        None,
        "from 1024 to 100",
    ),
    "an option made exclusive": (
        options("data_types", lambda items: items[0].update(exclusive=True)),
        "data_types",
        "public_sector",
        "cannot become exclusive",
    ),
    "an option asking please specify": (
        options("data_ease", lambda items: items[0].update(other=True)),
        "data_ease",
        "very_easy",
        "please specify",
    ),
    "a condition changed": (
        set_("access_obstacles", show_if={"question": "data_ease", "in": ["very_hard"]}),
        "access_obstacles",
        None,
        "condition",
    ),
    "a condition added": (
        set_("data_types", show_if={"question": "data_ease", "in": ["very_hard"]}),
        "data_types",
        None,
        "condition",
    ),
    "a profile field changed": (
        set_("data_storage_country", profile="country"),
        "data_storage_country",
        None,
        "profile field",
    ),
    "generated options from another list": (
        set_("language", options_from="other_list"),
        "language",
        None,
        "the list its options come from",
    ),
    "a new required question": (
        add_question({**NEW_OPTIONAL, "required": True}),
        "ai_hopes",
        None,
        "must be optional",
    ),
    "a new consent box": (
        add_question({"key": "again", "type": "consent", "text": "I agree", "required": True}),
        "again",
        None,
        "must be optional",
    ),
    "another opening date": (lambda new: new.update(opens="2025-05-30"), None, None, "opening"),
    "another closing date": (
        lambda new: new.update(closes="2025-09-30"),
        None,
        None,
        "Change the closing date",
    ),
}


@pytest.mark.parametrize("change, key, option, words", REFUSED.values(), ids=REFUSED.keys())
def test_incompatible_changes_are_named(change, key, option, words):
    problems = compatibility_problems(OLD, changed(change))
    assert len(problems) >= 1
    concerned = [p for p in problems if p.question == key]
    assert concerned, problems
    assert any(words.lower() in str(p).lower() for p in concerned), [str(p) for p in problems]
    if option is not None:
        assert any(p.option == option for p in concerned)
    if key is not None:
        assert "Question “" in str(concerned[0]) and f"({key})" in str(concerned[0])


def test_every_statement_now_needed_is_refused():
    loose = copy.deepcopy(OLD)
    question(loose, "spaces_labs_usefulness")["all_rows_required"] = False
    [problem] = compatibility_problems(loose, OLD)
    assert problem.question == "spaces_labs_usefulness"
    assert "an answer for every statement" in str(problem)


def test_each_problem_is_listed_once_per_change():
    def many(new):
        remove_question("data_ease")(new)
        set_("wanted_dataset", max_length=10)(new)
        options("data_types", lambda items: items.pop())(new)
        add_question({**NEW_OPTIONAL, "required": True})(new)

    problems = compatibility_problems(OLD, changed(many))
    assert [p.question for p in problems] == [
        "data_ease",
        "data_types",
        "wanted_dataset",
        "ai_hopes",
    ]


def test_a_new_question_may_not_take_the_key_of_a_retired_one():
    new = changed(add_question(NEW_OPTIONAL))
    [problem] = compatibility_problems(OLD, new, retired={"ai_hopes"})
    assert problem.question == "ai_hopes" and "belonged to an earlier question" in str(problem)


def test_a_type_change_says_nothing_more_about_that_question():
    new = changed(set_("data_ease", type="multiple_choice", required=True))
    [problem] = compatibility_problems(OLD, new)
    assert "type cannot change" in str(problem)
