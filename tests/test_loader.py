"""Questionnaire files: errors name the file, the question and the problem; loads are idempotent."""

import shutil
import textwrap

import pytest
from flask_babel.speaklater import LazyString
from sqlalchemy import func, inspect, select

from consultation.consultations.models import Consultation, QuestionRecord
from consultation.consultations.operations import load_definition
from consultation.extensions import db
from consultation.questionnaires.loader import (
    QuestionnaireError,
    definition_files,
    definitions_dir,
    parse_file,
)
from consultation.responses.models import Response

from .answers import valid_form_data
from .conftest import form_tokens

HEADER = """\
slug: test-consultation
title: A test consultation
summary: For tests.
privacy_notice: We keep your data safe.
opens: 2025-04-09
closes: 2025-06-04
sections:
"""


def write(folder, body, name="test-consultation.yaml"):
    path = folder / name
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return path


def error_of(path):
    with pytest.raises(QuestionnaireError) as caught:
        parse_file(path)
    return caught.value


def choices(kind, flags, first=""):
    """A choice question q1 with options a and b; ``flags`` go on b (``first`` on a)."""
    first = f", {first}" if first else ""
    return (
        f"- key: q1\n  type: {kind}\n  text: Hi\n  options:\n"
        f"    - {{key: a, label: A{first}}}\n    - {{key: b, label: B, {flags}}}\n"
    )


def section(questions):
    return "  - key: main\n    title: Main\n    questions:\n" + textwrap.indent(
        textwrap.dedent(questions), "      "
    )


def test_shipped_files_are_valid_and_use_every_type():
    from consultation.questionnaires.definition import Questionnaire
    from consultation.questionnaires.types import QUESTION_TYPES

    files = definition_files()
    assert {p.stem for p in files} == {
        "cloud-ai-development-act",
        "apply-ai",
        "data-union-strategy",
    }
    for path in files:
        questionnaire = Questionnaire(parse_file(path))
        kinds = {q.kind for q in questionnaire}
        assert kinds == set(QUESTION_TYPES), (path.name, set(QUESTION_TYPES) - kinds)
        first = questionnaire.sections[0]
        assert first.key == "about_you"
        # Final comments, then the declaration alone, just before the send button.
        assert [s.key for s in questionnaire.sections[-2:]] == ["final", "declaration"]
        assert [q.key for q in questionnaire.sections[-1].questions] == ["accuracy_declaration"]
        topic = [q for s in questionnaire.sections[1:-2] for q in s.questions]
        assert len(topic) >= 12 and len(questionnaire.sections) >= 4
        assert set(questionnaire.profile_questions()) == {
            "language",
            "respondent_type",
            "first_name",
            "surname",
            "email",
            "organisation_name",
            "organisation_size",
            "country",
            "publication",
            "outcome_updates",
        }


@pytest.mark.parametrize(
    "questions, question, problem",
    [
        ("- key: q1\n  type: essay\n  text: Hi\n", "q1", "There is no question type “essay”"),
        ("- key: q1\n  type: short_text\n", "q1", "Write the question’s text."),
        ("- key: q1\n  type: single_choice\n  text: Hi\n", "q1", "Options: the list is empty"),
        (
            "- key: q1\n  type: single_choice\n  text: Hi\n  options:\n"
            "    - {key: a, label: A}\n    - {key: a, label: B}\n",
            "q1",
            "Options, row 2: the key “a” is already used by another row",
        ),
        (
            "- key: q1\n  type: long_text\n  text: Hi\n",
            "q1",
            "Give the most characters an answer may have",
        ),
        (
            "- key: q1\n  type: number\n  text: Hi\n  min: 10\n  max: 1\n",
            "q1",
            "The smallest number (10) is larger than the largest (1).",
        ),
        (
            "- key: q1\n  type: consent\n  text: Hi\n",
            "q1",
            "A consent question must require an answer",
        ),
        (
            "- key: q1\n  type: file\n  text: Hi\n  extensions: [exe]\n",
            "q1",
            "Files of type exe cannot be checked",
        ),
        (
            "- key: q1\n  type: short_text\n  text: Hi\n  colour: red\n",
            "q1",
            "This type of question has no setting colour",
        ),
        (
            "- key: q1\n  type: short_text\n  text: Hi\n  show_if: {question: later, in: [x]}\n",
            "q1",
            "shown on the answers to “later”, which is not a question before it",
        ),
        (
            "- key: q0\n  type: single_choice\n  text: Hi\n  options: [{key: a, label: A}]\n"
            "- key: q1\n  type: short_text\n  text: Hi\n  show_if: {question: q0, in: [zz]}\n",
            "q1",
            "shown on answers that “q0” does not have: zz",
        ),
        (
            "- key: q1\n  type: short_text\n  text: Hi\n"
            "- key: q1\n  type: short_text\n  text: Again\n",
            "q1",
            "Another question already has the key “q1”",
        ),
        (
            "- key: q1\n  type: short_text\n  text: Hi\n  pattern: '[0-9'\n  pattern_message: x\n",
            "q1",
            "is not a regular expression that can be used",
        ),
        (
            "- key: q1\n  type: single_choice\n  text: Hi\n  options: [{key: a-b, label: A}]\n",
            "q1",
            "the key “a-b” may have only letters, digits and underscores",
        ),
        # Exclusive options and "Other, please specify" (issue 12, items 3 and 4).
        (
            choices("multiple_choice", "exclusive: 1"),
            "q1",
            "(“b”): “exclusive” must be true or false",
        ),
        (
            choices("multiple_choice", "exclusve: true"),
            "q1",
            "(“b”) has settings this type of question does not know: exclusve",
        ),
        (choices("single_choice", "exclusive: true"), "q1", "does not know: exclusive"),
        (choices("ranking", "other: true"), "q1", "does not know: other"),
        (
            choices("multiple_choice", "other: true, exclusive: true"),
            "q1",
            "cannot be both exclusive and “Other”",
        ),
        (
            choices("multiple_choice", "other: true", first="other: true"),
            "q1",
            "Only one option can be “Other” (asking to specify), not a, b",
        ),
        (
            choices("multiple_choice", "exclusive: true", first="exclusive: true"),
            "q1",
            "Every option is exclusive",
        ),
        (
            choices("multiple_choice", "exclusive: true") + "  min_choices: 2\n",
            "q1",
            "The exclusive option “b” could never be chosen, since at least 2 choices",
        ),
        # A unit's plural forms (CLDR categories, "other" required).
        (
            "- key: q1\n  type: number\n  text: Hi\n  unit: {en: {one: day}}\n",
            "q1",
            "its plural forms, such as one=day; other=days (in a file: {one: day, other: days})",
        ),
        (
            "- key: q1\n  type: number\n  text: Hi\n  unit: {en: {single: day, other: days}}\n",
            "q1",
            "The unit must be a word",
        ),
        (
            "- key: q1\n  type: matrix\n  text: Hi\n  rows: [{key: r, label: R, other: true}]\n"
            "  scale: [{key: a, label: A}, {key: b, label: B}]\n",
            "q1",
            "Rows, row 1 (“r”) has settings this type of question does not know: other",
        ),
    ],
)
def test_malformed_questions_are_refused_with_file_question_and_problem(
    tmp_path, questions, question, problem
):
    path = write(tmp_path, section(questions))
    error = error_of(path)
    assert error.filename == str(path)
    assert error.question == question
    assert problem in error.problem
    assert str(path) in str(error) and f"question '{question}'" in str(error)
    # Said through the interface's translations, at the time it is shown (the editor's
    # language, English on the command line).
    assert isinstance(error.problem, LazyString)


def test_malformed_files_are_refused(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("slug: [unclosed", encoding="utf-8")
    assert "The file is not valid YAML" in str(error_of(broken))
    path = write(tmp_path, "  - key: main\n    title: Main\n    questions: []\n")
    error = error_of(path)
    assert error.section == "main" and "section 'main': Section “main” has no questions" in str(
        error
    )
    bad_date = tmp_path / "dates.yaml"
    bad_date.write_text(HEADER.replace("2025-06-04", "4 June") + section(""), encoding="utf-8")
    assert "closes: “closes” must be a date such as 2025-06-04." in str(error_of(bad_date))


def test_cli_reports_the_error_and_loads_nothing(app, tmp_path):
    path = write(tmp_path, section("- key: q1\n  type: number\n  text: Hi\n  min: x\n"))
    result = app.test_cli_runner().invoke(args=["consultations", "load", str(path)])
    assert result.exit_code != 0
    # The command line names the file, the question and the setting, then says it in words.
    assert f"{path}, question 'q1', min: The smallest number must be a number." in result.output
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 0


def test_loading_twice_changes_nothing(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["consultations", "load"])
    assert first.exit_code == 0, first.output
    assert first.output.count("created") == 3
    before = db.session.execute(select(Consultation.id, Consultation.updated_at)).all()
    questions = db.session.scalar(select(func.count()).select_from(QuestionRecord))
    second = runner.invoke(args=["consultations", "load"])
    assert second.output.count("unchanged") == 3, second.output
    db.session.expire_all()
    assert db.session.execute(select(Consultation.id, Consultation.updated_at)).all() == before
    assert db.session.scalar(select(func.count()).select_from(QuestionRecord)) == questions


def test_demo_load_opens_two_and_closes_one(app):
    result = app.test_cli_runner().invoke(args=["consultations", "load", "--demo"])
    assert result.exit_code == 0, result.output
    states = {c.slug: c.state.value for c in db.session.scalars(select(Consultation))}
    assert sorted(states.values()) == ["closed", "open", "open"]
    again = app.test_cli_runner().invoke(args=["consultations", "load", "--demo"])
    assert again.output.count("unchanged") == 3


def test_changed_file_updates_the_definition_and_keeps_responses(client, tmp_path):
    for path in definitions_dir().glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    target = tmp_path / "apply-ai.yaml"
    load_definition(parse_file(target), source=target)
    db.session.commit()
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == "apply-ai"))
    data = {**form_tokens(client, "apply-ai"), **valid_form_data(consultation.questionnaire)}
    assert client.post("/consultations/apply-ai/respond", data=data).status_code == 303

    text = target.read_text(encoding="utf-8").replace(
        "  en: Apply AI Strategy\n", "  en: Apply AI Strategy (revised)\n", 1
    )
    text = text.replace("  - key: final\n", "  - key: final\n", 1)
    target.write_text(text, encoding="utf-8")
    assert load_definition(parse_file(target), source=target) == "updated"
    db.session.commit()
    db.session.expire_all()
    assert consultation.title == "Apply AI Strategy (revised)"
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_a_removed_question_is_kept_inactive_with_its_answers(consultations):
    consultation = consultations["apply-ai"]
    definition = dict(consultation.definition)
    definition["sections"] = [
        {**s, "questions": [q for q in s["questions"] if q["key"] != "final_comments"]}
        for s in definition["sections"]
    ]
    definition["title"] = "Changed"
    assert load_definition(definition) == "updated"
    record = db.session.scalar(
        select(QuestionRecord).where(
            QuestionRecord.consultation_id == consultation.id,
            QuestionRecord.key == "final_comments",
        )
    )
    assert record is not None and record.active is False


def test_changing_the_type_of_an_answered_question_is_refused(client, consultations):
    consultation = consultations["apply-ai"]
    data = {**form_tokens(client, "apply-ai"), **valid_form_data(consultation.questionnaire)}
    assert client.post("/consultations/apply-ai/respond", data=data).status_code == 303
    definition = dict(consultation.definition)
    definition["sections"] = [
        {
            **s,
            "questions": [
                {"key": q["key"], "type": "short_text", "text": "Now text", "max_length": 10}
                if q["key"] == "final_comments"
                else q
                for q in s["questions"]
            ],
        }
        for s in definition["sections"]
    ]
    with pytest.raises(QuestionnaireError, match="changes type from long_text to short_text"):
        load_definition(definition)


def test_a_consultation_keeps_its_questionnaire_until_the_definition_changes(consultations):
    consultation = consultations["apply-ai"]
    questionnaire = consultation.questionnaire
    assert consultation.questionnaire is questionnaire
    definition = dict(consultation.definition)
    definition["sections"] = [
        {**s, "questions": [q for q in s["questions"] if q["key"] != "final_comments"]}
        for s in definition["sections"]
    ]
    assert load_definition(definition) == "updated"
    assert "final_comments" in questionnaire.questions
    assert "final_comments" not in consultation.questionnaire.questions


def test_pages_use_the_built_questionnaire_without_reading_the_definition(consultations):
    """The definition, tens of kilobytes of JSON, is read only for a version not built yet."""
    consultation = consultations["apply-ai"]
    questionnaire, title = consultation.questionnaire, consultation.text("title", "fr")
    db.session.expire_all()
    again = db.session.scalar(select(Consultation).where(Consultation.slug == "apply-ai"))
    assert again.questionnaire is questionnaire and again.text("title", "fr") == title
    assert "definition" not in inspect(again).dict
    assert again.definition["slug"] == "apply-ai"  # still there when asked for


def test_a_message_says_where_for_the_editor_to_show_it_at_its_field(tmp_path):
    """The setting, the row of a list and the part of it come with the message, so the
    editor places it without reading its words (which are translated)."""
    path = write(tmp_path, section(choices("multiple_choice", "exclusve: true")))
    error = error_of(path)
    assert (error.setting, error.row, error.part) == ("options", 2, "key")
    assert "Options, row 2 (“b”)" in error.problem
    assert f"{path}, question 'q1', options #2: Options, row 2" in str(error)
    condition = (
        "- key: q0\n  type: ranking\n  text: Hi\n  options: [{key: a, label: A}]\n"
        "- key: q1\n  type: short_text\n  text: Hi\n  show_if: {question: q0, in: [a]}\n"
    )
    error = error_of(write(tmp_path, section(condition)))
    assert (error.question, error.setting, error.part, error.about) == (
        "q1",
        "show_if",
        "type",
        "q0",
    )


def test_the_editor_offers_for_a_condition_the_questions_the_loader_accepts():
    """One rule says which questions a condition can be on (``can_be_condition``): the
    loader's check and the editor's list of earlier questions."""
    from consultation.authoring.editor_operations import condition_questions
    from consultation.questionnaires.types import QUESTION_TYPES, can_be_condition

    assert {k for k in QUESTION_TYPES if can_be_condition(k)} == {
        "single_choice",
        "multiple_choice",
    }
    sections = parse_file(definitions_dir() / "data-union-strategy.yaml")["sections"]
    kinds = {q["key"]: q["type"] for s in sections for q in s["questions"]}
    offered = [key for group in condition_questions(sections, None).values() for key, _ in group]
    assert offered and all(can_be_condition(kinds[key]) for key in offered)
    assert {key for key, kind in kinds.items() if can_be_condition(kind)} == set(offered)
