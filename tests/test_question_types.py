"""Each question type accepts good values and refuses bad ones with a clear message."""

import io

import pytest
from werkzeug.datastructures import FileStorage, MultiDict

from consultation.questionnaires.definition import Questionnaire
from consultation.questionnaires.forms import build_form, validate_answers
from consultation.questionnaires.types import QUESTION_TYPES
from consultation.questionnaires.types.file_upload import OLE_MAGIC

CHOICES = {"options": [{"key": k, "label": k.upper()} for k in ("a", "b", "c", "d")]}
SPECS = {
    "single": {"type": "single_choice", **CHOICES},
    "multi": {"type": "multiple_choice", "min_choices": 2, "max_choices": 3, **CHOICES},
    "matrix": {
        "type": "matrix",
        "rows": [{"key": "r1", "label": "Row 1"}, {"key": "r2", "label": "Row 2"}],
        "scale": [
            {"key": "agree", "label": "Agree"},
            {"key": "disagree", "label": "Disagree"},
            {"key": "no_opinion", "label": "No opinion"},
        ],
    },
    "rank": {"type": "ranking", **CHOICES},
    "short": {"type": "short_text", "max_length": 10},
    "coded": {
        "type": "short_text",
        "pattern": "[0-9]{1,13}-[0-9]{2}",
        "pattern_message": "Digits, a dash, two digits.",
    },
    "long": {"type": "long_text", "max_length": 20},
    "number": {"type": "number", "min": 0, "max": 100},
    "decimal": {"type": "number", "min": 0, "max": 1, "integer": False},
    "email": {"type": "email"},
    "country": {"type": "country"},
    "file": {"type": "file", "max_size_kb": 1},
    "consent": {"type": "consent"},
}


def make_questionnaire(required=False):
    questions = []
    for key, spec in SPECS.items():
        spec = {"key": key, "text": f"Question {key}", "required": required, **spec}
        if spec["type"] == "consent":
            spec["required"] = True
        questions.append(QUESTION_TYPES[spec["type"]].normalise(spec))
    return Questionnaire({"sections": [{"key": "s", "title": "S", "questions": questions}]})


def submit(app, data, required=False, only=None):
    """Validate ``data`` (question key -> posted value(s)); return values and errors."""
    formdata = MultiDict()
    for key, value in data.items():
        name = key if "-" in key else f"q_{key}"
        for item in value if isinstance(value, list) else [value]:
            formdata.add(name, item)
    formdata.setdefault("q_consent", "y")
    questionnaire = make_questionnaire(required)
    with app.test_request_context(method="POST"):
        form = build_form(questionnaire, formdata=formdata, meta={"csrf": False})
        values, errors = validate_answers(form, questionnaire)
    return values, errors


def accepted(app, key, value, expected):
    values, errors = submit(app, {key: value})
    assert key not in errors, errors[key]
    assert values[key] == expected


def refused(app, key, value, message):
    values, errors = submit(app, {key: value})
    assert key not in values
    assert message in errors[key]


def test_every_type_is_covered_here():
    assert {spec["type"] for spec in SPECS.values()} == set(QUESTION_TYPES)


def test_unanswered_optional_questions_store_nothing(app):
    values, errors = submit(app, {})
    assert errors == {}
    assert values == {"consent": True}


def test_required_questions_say_what_is_missing(app):
    values, errors = submit(app, {}, required=True)
    assert errors["single"] == "Select one option."
    assert errors["multi"] == "Select at least one option."
    assert errors["email"] == "Enter your e-mail address."
    assert errors["file"] == "Choose a file to upload."
    assert set(errors) == set(SPECS) - {"consent"}


def test_single_choice(app):
    accepted(app, "single", "b", "b")
    refused(app, "single", "z", "Select one of the options shown")
    refused(app, "single", "A", "Select one of the options shown")


def test_multiple_choice_limits_and_forged_options(app):
    accepted(app, "multi", ["c", "a"], ["a", "c"])
    accepted(app, "multi", ["a", "a", "b"], ["a", "b"])
    refused(app, "multi", ["a"], "Select at least 2 options")
    refused(app, "multi", ["a", "b", "c", "d"], "Select at most 3 options")
    refused(app, "multi", ["a", "forged"], "Select only options shown")


def test_matrix(app):
    values, errors = submit(app, {"q_matrix-r1": "agree", "q_matrix-r2": "no_opinion"})
    assert values["matrix"] == {"r1": "agree", "r2": "no_opinion"}
    values, errors = submit(app, {"q_matrix-r1": "strongly"})
    assert "Choose one point of the scale" in errors["matrix"]
    values, errors = submit(app, {"q_matrix-r1": "agree", "q_matrix-forged": "agree"})
    assert values["matrix"] == {"r1": "agree"}  # unknown rows are never read
    values, errors = submit(app, {"q_matrix-r1": ["agree", "disagree"]})
    assert "matrix" in errors  # repeated keys are refused


def test_matrix_and_ranking_survive_a_storage_round_trip(app):
    values, _ = submit(app, {"q_matrix-r2": "agree", "q_rank-c": "1", "q_rank-a": "2"})
    questions = make_questionnaire().questions
    for key in ("matrix", "rank"):
        rows = questions[key].to_rows(values[key])
        assert questions[key].from_rows(rows) == values[key]


def test_matrix_required_needs_every_row(app):
    values, errors = submit(app, {"q_matrix-r1": "agree"}, required=True)
    assert errors["matrix"] == "Give an answer for each statement."


def test_ranking(app):
    values, errors = submit(app, {"q_rank-a": "2", "q_rank-b": "1"})
    assert values["rank"] == {"b": 1, "a": 2}
    values, errors = submit(app, {"q_rank-a": "1", "q_rank-b": "1"})
    assert errors["rank"] == "Give each item a different position."
    values, errors = submit(app, {"q_rank-a": "9"})
    assert errors["rank"] == "Use positions from 1 to 4."
    values, errors = submit(app, {"q_rank-a": "first"})
    assert errors["rank"] == "Use positions from 1 to 4."
    values, errors = submit(app, {"q_rank-a": "1", "q_rank-b": "3"})
    assert "without gaps" in errors["rank"]
    values, errors = submit(app, {"q_rank-a": "1"}, required=True)
    assert errors["rank"] == "Give every item a position."


def test_short_text(app):
    accepted(app, "short", "  Hello  ", "Hello")
    refused(app, "short", "x" * 11, "Use at most 10 characters (you used 11)")
    refused(app, "short", "bad\x00byte", "control characters")
    refused(app, "short", "bell\x07", "control characters")
    accepted(app, "coded", "123456789012-34", "123456789012-34")
    refused(app, "coded", "12345678901234", "Digits, a dash, two digits.")


def test_long_text_limit_and_line_endings(app):
    accepted(app, "long", "one\r\ntwo", "one\ntwo")
    refused(app, "long", "y" * 10_000, "Use at most 20 characters (you used 10,000)")


def test_number(app):
    accepted(app, "number", "42", 42)
    accepted(app, "number", " 100 ", 100)
    accepted(app, "decimal", "0,25", 0.25)
    refused(app, "number", "101", "at most 100")
    refused(app, "number", "-1", "at least 0")
    refused(app, "number", "4.5", "whole number")
    refused(app, "number", "forty", "Enter a number")
    refused(app, "number", "NaN", "Enter a number")
    refused(app, "number", "1e999999", "at most 100")


def test_email(app):
    accepted(app, "email", "Anna@Example.org", "Anna@example.org")
    refused(app, "email", "anna@", "Enter an e-mail address")
    refused(app, "email", "a" * 300 + "@example.org", "too long")


def test_country(app):
    accepted(app, "country", "DE", "DE")
    refused(app, "country", "XX", "Select a country from the list")
    refused(app, "country", "de", "Select a country from the list")


def upload(content, name):
    return FileStorage(stream=io.BytesIO(content), filename=name)


def test_file_checks_extension_size_and_content(app):
    values, errors = submit(app, {"file": upload(b"%PDF-1.7 ...", "paper.PDF")})
    assert values["file"].extension == "pdf" and values["file"].filename == "paper.PDF"
    values, errors = submit(app, {"file": upload(OLE_MAGIC + b"rest", "old.doc")})
    assert "file" in values
    values, errors = submit(app, {"file": upload(b"{\\rtf1 hello}", "note.rtf")})
    assert "file" in values
    values, errors = submit(app, {"file": upload("Plain text, é".encode(), "note.txt")})
    assert "file" in values
    values, errors = submit(app, {"file": upload(b"%PDF-1.7", "../../etc/passwd.pdf")})
    assert values["file"].filename == "passwd.pdf"

    for content, name, message in [
        (b"MZ executable", "paper.pdf", "is not a PDF document"),
        (b"%PDF-1.7", "paper.exe", "The file must be one of: PDF, TXT"),
        (b"%PDF-1.7", "noextension", "The file must be one of"),
        (b"%PDF-" + b"x" * 2000, "big.pdf", "smaller than 1 KB"),
        (b"", "empty.pdf", "The file is empty"),
        (b"PK\x03\x04 not really a zip", "paper.docx", "not a DOCX document"),
        (b"binary\x00zero", "notes.txt", "not a TXT document"),
    ]:
        values, errors = submit(app, {"file": upload(content, name)})
        assert message in errors["file"], (name, errors)


def test_docx_and_odt_are_recognised_by_their_structure(app):
    import zipfile

    def archive(entries):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            for name, data in entries.items():
                zf.writestr(name, data)
        return buffer.getvalue()

    docx = archive({"[Content_Types].xml": "<x/>", "word/document.xml": "<w/>"})
    odt = archive({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<o/>"})
    values, _ = submit(app, {"file": upload(docx, "a.docx")})
    assert "file" in values
    values, _ = submit(app, {"file": upload(odt, "a.odt")})
    assert "file" in values
    values, errors = submit(app, {"file": upload(odt, "a.docx")})
    assert "not a DOCX document" in errors["file"]


def test_consent_must_be_ticked(app):
    values, errors = submit(app, {"consent": ""})
    assert errors["consent"] == "You need to tick this box to send your contribution."


@pytest.mark.parametrize("key", ["single", "multi", "short", "number", "email", "country"])
def test_values_survive_a_storage_round_trip(app, key):
    sample = {
        "single": "b",
        "multi": ["a", "b"],
        "short": "Hi",
        "number": "7",
        "email": "x@example.org",
        "country": "FR",
    }[key]
    values, _ = submit(app, {key: sample})
    question = make_questionnaire().questions[key]
    rows = question.to_rows(values[key])
    assert question.from_rows(rows) == values[key]
