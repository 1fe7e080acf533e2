"""Exclusive options ("None of these") and "Other, please specify" (issue 12, items 3 and 4).

Over HTTP, as a browser sends the form: what is refused and how it is said in
each language, what is stored, counted, shown back, exported and quoted.
"""

import csv
import html
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from consultation.extensions import db
from consultation.questionnaires.definition import Questionnaire
from consultation.questionnaires.loader import definition_files, parse_file
from consultation.reports import export, tallies
from consultation.reports.queries import Scope, option_counts
from consultation.reports.summary import build_summary
from consultation.responses.models import Answer, Response
from consultation.responses.queries import response_values
from consultation.responses.tokens import hash_token

from .answers import valid_form_data
from .conftest import form_tokens
from .forms import answers_shown, shown_form
from .reporting import approve

DATA = "data-union-strategy"
APPLY = "apply-ai"


def post(client, slug, consultation, overrides=(), drop=()):
    data = {**form_tokens(client, slug), **valid_form_data(consultation.questionnaire)}
    data.update(overrides)
    for name in drop:
        data.pop(name, None)
    return client.post(
        f"/consultations/{slug}/respond", data=data, content_type="multipart/form-data"
    )


def stored(result) -> Response:
    assert result.status_code == 303, result.get_data(as_text=True)[:3000]
    token = result.headers["Location"].removeprefix("/contributions/receipt/")
    return db.session.scalar(
        select(Response).where(Response.receipt_token_hash == hash_token(token))
    )


def error_of(page, field) -> str:
    """The error message shown with a question (not elsewhere on the page)."""
    found = re.search(rf'<p class="error-message" id="{field}-error">(.*?)</p>', page, re.S)
    assert found, f"no error shown for {field}"
    return html.unescape(found.group(1))


def shipped():
    return {path.stem: Questionnaire(parse_file(path)) for path in definition_files()}


# -- exclusive options ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "language, message",
    [
        ("en", "“None of them” cannot be combined with other options."),
        (
            "fr",
            "L’option «\u00a0Aucun d’entre eux\u00a0» ne peut pas être combinée "
            "avec d’autres options.",
        ),
        ("de", "„Keiner davon“ kann nicht mit anderen Optionen kombiniert werden."),
    ],
)
def test_an_exclusive_option_with_others_is_refused_naming_it(
    client, consultations, language, message
):
    client.get(f"/language/{language}")
    consultation = consultations[DATA]
    result = post(client, DATA, consultation, {"q_laws_applied": ["data_act", "none_of_them"]})
    page = result.get_data(as_text=True)
    assert result.status_code == 400
    assert message in error_of(page, "q_laws_applied")
    assert 'href="#q_laws_applied"' in page  # in the error summary
    assert answers_shown(page)["q_laws_applied"] == ["data_act", "none_of_them"]  # kept
    assert db.session.scalar(select(Response)) is None


def test_an_exclusive_option_alone_is_accepted(client, consultations):
    consultation = consultations[DATA]
    response = stored(post(client, DATA, consultation, {"q_laws_applied": ["dont_know"]}))
    assert response_values(response)["laws_applied"] == ["dont_know"]


def test_two_exclusive_options_together_are_refused(client, consultations):
    result = post(
        client, DATA, consultations[DATA], {"q_laws_applied": ["none_of_them", "dont_know"]}
    )
    assert result.status_code == 400
    assert "“None of them” cannot be combined with other options." in result.get_data(as_text=True)


def test_the_shipped_none_and_dont_know_options_are_exclusive():
    marked = {
        (slug, q.key): set(q.exclusive_keys)
        for slug, questionnaire in shipped().items()
        for q in questionnaire
        if getattr(q, "exclusive_keys", None)
    }
    assert marked == {
        ("apply-ai", "ai_act_hardest"): {"dont_know"},
        ("cloud-ai-development-act", "critical_uses"): {"none"},
        ("cloud-ai-development-act", "expected_impacts"): {"no_real_effect"},
        ("data-union-strategy", "data_role"): {"no_role"},
        ("data-union-strategy", "laws_applied"): {"none_of_them", "dont_know"},
    }
    # And none is forgotten: an option that says "none" or "don't know" is exclusive.
    for questionnaire in shipped().values():
        for q in questionnaire:
            if q.kind != "multiple_choice":
                continue
            for key in q.option_keys:
                if key in ("none", "none_of_them", "no_role", "dont_know"):
                    assert key in q.exclusive_keys, (q.key, key)


def test_the_page_marks_exclusive_options_for_the_script(client, consultations):
    page = client.get(f"/consultations/{DATA}/respond").get_data(as_text=True)
    assert (
        'value="none_of_them" data-exclusive="“None of them” cannot be combined with other '
        'options."' in page
    )
    assert 'id="q_laws_applied-live" aria-live="polite"' in page
    assert 'value="data_act">' in page  # the others are plain tick boxes


# -- "Other, please specify" ----------------------------------------------------------------
def test_the_lists_that_need_it_have_an_other_option_with_a_text():
    for slug, questionnaire in shipped().items():
        questions = questionnaire.questions
        assert questions["respondent_type"].other_key == "other", slug
        lists = [key for key in questions if "obstacles" in key or "barriers" in key]
        assert lists, slug
        for key in lists:
            assert questions[key].other_key, (slug, key)
    assert shipped()[APPLY].questions["sectors"].other_key == "other_sector"


def test_the_other_box_is_in_the_page_with_its_label_without_javascript(client, consultations):
    page = client.get(f"/consultations/{APPLY}/respond").get_data(as_text=True)
    assert '<label for="q_sectors-other-text">“Another sector”: please specify</label>' in page
    assert 'name="q_sectors-other" value=""' in page
    assert "Needed only if you choose “Another sector”. Up to 200 characters." in page
    # Right under its own option, as part of the same group of answers.
    option = page.index('id="q_sectors-other_sector"')
    assert option < page.index('id="q_sectors-other-text-box"') < page.index('id="question-main_ai')
    client.get("/language/de")
    page = client.get(f"/consultations/{APPLY}/respond").get_data(as_text=True)
    assert "„Ein anderer Bereich“: bitte angeben" in page


def test_an_other_text_is_stored_on_its_option_row_counted_and_shown(client, consultations):
    consultation = consultations[APPLY]
    sent = post(
        client,
        APPLY,
        consultation,
        {
            "q_sectors": ["energy", "other_sector"],
            "q_sectors-other": "  Water utilities  ",
            "q_respondent_type": "other",
            "q_respondent_type-other": "Retired engineer",
        },
    )
    response = stored(sent)
    receipt_link = sent.headers["Location"]
    ids = {record.key: record.id for record in consultation.questions}
    rows = db.session.execute(
        select(Answer.question_id, Answer.option_key, Answer.text_value).where(
            Answer.response_id == response.id, Answer.text_value.is_not(None)
        )
    ).all()
    assert (ids["sectors"], "other_sector", "Water utilities") in rows
    assert (ids["respondent_type"], "other", "Retired engineer") in rows
    assert response.respondent_type == "other"  # the column holds the option, as before
    values = response_values(response)
    assert values["sectors"] == {"chosen": ["energy", "other_sector"], "other": "Water utilities"}
    assert values["respondent_type"] == {"chosen": "other", "other": "Retired engineer"}

    # Counted as the option, in the kept tallies too.
    counts = option_counts(Scope(consultation.id), [ids["sectors"]])
    assert counts[(ids["sectors"], None, "other_sector")] == 1
    assert not tallies.differences(consultation)

    # Shown on the receipt and in the PDF copy.
    receipt = client.get(receipt_link).get_data(as_text=True)
    assert "Another sector: Water utilities" in receipt
    assert "Other: Retired engineer" in receipt
    from .reporting import pdf_text

    copy = client.get(f"{receipt_link}/copy.pdf")
    text = pdf_text(copy.data)
    assert "Another sector: Water utilities" in text and "Other: Retired engineer" in text


@pytest.mark.parametrize(
    "language, message",
    [
        ("en", "You chose “Another sector”: please specify it in the box that goes with it."),
        ("fr", "Vous avez choisi «\u00a0Un autre secteur\u00a0»"),
        ("de", "Sie haben „Ein anderer Bereich“ gewählt"),
    ],
)
def test_other_chosen_without_its_text_is_refused(client, consultations, language, message):
    client.get(f"/language/{language}")
    result = post(client, APPLY, consultations[APPLY], {"q_sectors": ["other_sector"]})
    assert result.status_code == 400
    assert message in error_of(result.get_data(as_text=True), "q_sectors")


def test_a_text_without_its_option_is_refused_and_kept_in_the_form(client, consultations):
    result = post(
        client,
        APPLY,
        consultations[APPLY],
        {"q_sectors": ["energy"], "q_sectors-other": "Water utilities"},
    )
    page = result.get_data(as_text=True)
    assert result.status_code == 400
    assert (
        "You filled in the box for “Another sector” but did not choose “Another sector”. "
        "Choose it, or empty the box." in page
    )
    assert answers_shown(page)["q_sectors-other"] == ["Water utilities"]  # nothing lost
    assert 'aria-describedby="q_sectors-other-text-hint q_sectors-error"' in page
    assert db.session.scalar(select(Response)) is None


def test_a_text_without_its_option_is_refused_even_when_nothing_is_chosen(client, consultations):
    result = post(
        client,
        APPLY,
        consultations[APPLY],
        {"q_barriers-other": "Insurance"},
        drop=["q_barriers"],
    )
    assert result.status_code == 400
    assert "did not choose “Something else”" in result.get_data(as_text=True)


def test_a_long_other_text_is_refused_with_its_length(client, consultations):
    result = post(
        client,
        APPLY,
        consultations[APPLY],
        {"q_sectors": ["other_sector"], "q_sectors-other": "x" * 201},
    )
    page = result.get_data(as_text=True)
    assert result.status_code == 400
    assert "Use at most 200 characters in the box for “Another sector” (you used 201)." in page
    assert answers_shown(page)["q_sectors-other"] == ["x" * 201]


def test_an_other_text_comes_back_on_the_edit_page_and_survives_an_edit(client, consultations):
    from .forms import private_link

    consultation = consultations[APPLY]
    overrides = {"q_sectors": ["other_sector"], "q_sectors-other": "Water utilities"}
    result = post(client, APPLY, consultation, overrides)
    receipt = client.get(result.headers["Location"]).get_data(as_text=True)
    edit = private_link(receipt, "edit")
    form = client.get(edit).get_data(as_text=True)
    shown = answers_shown(form)
    assert shown["q_sectors"] == ["other_sector"]
    assert shown["q_sectors-other"] == ["Water utilities"]
    data = shown_form(form)  # every field as the page shows it, its own form token included
    data["q_sectors-other"] = "Water and waste utilities"
    changed = client.post(edit, data=data)
    assert changed.status_code == 303, changed.get_data(as_text=True)[:2000]
    response = db.session.scalar(select(Response))
    db.session.refresh(response)
    assert response_values(response)["sectors"]["other"] == "Water and waste utilities"
    assert not tallies.differences(consultation)


def test_a_draft_keeps_the_other_text(app, client, consultations):
    consultation = consultations[APPLY]
    data = {**form_tokens(client, APPLY), "action": "save_draft"}
    data.update({"q_sectors": "other_sector", "q_sectors-other": "Water utilities"})
    saved = client.post(f"/consultations/{APPLY}/respond", data=data)
    assert saved.status_code == 303
    from consultation.responses.models import Draft

    draft = db.session.scalar(select(Draft))
    assert draft.data["fields"]["q_sectors-other"] == ["Water utilities"]
    from consultation.responses.drafts import draft_form, draft_typed

    with app.test_request_context():
        form = draft_form(draft)
        assert form.q_sectors.other_text == "Water utilities"
        lines = dict(draft_typed(draft))
    assert lines[consultation.questionnaire.questions["sectors"].label()] == [
        "Another sector: Water utilities"
    ]


def known_others(client, consultation):
    """Three contributions with texts for "Other": public, anonymous, anonymous organisation."""
    hard = {"q_data_ease": "fairly_hard"}  # so that the obstacles question applies
    people = [
        {
            "q_respondent_type": "other",
            "q_respondent_type-other": "Retired engineer",
            "q_publication": "public",
            "q_first_name": "Ada",
            "q_surname": "Lovelace",
            "q_organisation_name": "Analytical Engines",
            "q_access_obstacles": ["price", "other"],
            "q_access_obstacles-other": "=Insurance questions",
        },
        {
            "q_respondent_type": "eu_citizen",
            "q_publication": "anonymous",
            "q_first_name": "Zebulon",
            "q_surname": "Secret",
            "q_access_obstacles": ["other"],
            "q_access_obstacles-other": "Slow public registers",
        },
        {
            "q_respondent_type": "ngo",
            "q_publication": "anonymous",
            "q_first_name": "Hortense",
            "q_surname": "Hidden",
            "q_organisation_name": "Open Rights Watch",
            "q_access_obstacles": ["price"],
        },
    ]
    made = [stored(post(client, DATA, consultation, {**hard, **person})) for person in people]
    approve(made)  # moderated: public outputs quote only what moderators cleared
    return made


def read_csv(consultation, personal):
    text = "".join(export.iter_csv(consultation, personal))
    rows = list(csv.reader(io.StringIO(text[1:])))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_other_texts_have_their_own_column_in_both_exports(client, consultations, tmp_path):
    consultation = consultations[DATA]
    known_others(client, consultation)
    for personal in (True, False):
        rows = read_csv(consultation, personal)
        assert [row["access_obstacles:other:text"] for row in rows] == [
            "'=Insurance questions",  # inert in a spreadsheet, as every typed text
            "Slow public registers",
            "",
        ]
        assert [row["access_obstacles:other"] for row in rows] == ["1", "1", "0"]
        assert [row["respondent_type:other:text"] for row in rows] == ["Retired engineer", "", ""]
        assert rows[0]["respondent_type"] == "Other"
    # The ready lines equal lines built from the answers.
    from .test_ready_lines import exported, from_raw_answers

    for personal in (True, False):
        assert exported(consultation, personal) == from_raw_answers(consultation, personal)

    path = tmp_path / "export.xlsx"
    with open(path, "wb") as handle:
        export.write_xlsx(consultation, True, handle)
    sheet = load_workbook(path, read_only=True)["Responses"]
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    keys = export.layout(consultation, True).headers
    column = keys.index("access_obstacles:other:text")
    label = "What makes it hardest to get the data you need? – Something else: text"
    assert table[0][column] == label  # the header row shows the question; keys on "Columns"
    assert [row[column] for row in table[1:]] == [
        "'=Insurance questions",
        "Slow public registers",
        None,
    ]
    legend = [
        list(row)
        for row in load_workbook(path, read_only=True)["Columns"].iter_rows(values_only=True)
    ]
    assert any("access_obstacles:other:text" in row and label in row for row in legend)


def test_the_summary_quotes_other_texts_as_respondents_allowed(client, consultations):
    consultation = consultations[DATA]
    known_others(client, consultation)
    summary = build_summary(consultation)
    item = next(
        item for _, items in summary.sections for item in items if item.key == "access_obstacles"
    )
    assert {label: n for label, n, _ in item.rows}["Something else"] == 2
    assert item.other_label == "Something else"
    assert item.others == [
        ("=Insurance questions", "Analytical Engines, Other, Belgium"),
        ("Slow public registers", "Anonymous, EU citizen, Belgium"),
    ]
    assert summary.type_others == [("Retired engineer", "Analytical Engines, Other, Belgium")]

    from consultation.reports.pdf import summary_pdf

    from .reporting import pdf_text

    text = pdf_text(summary_pdf(consultation))
    assert "Slow public registers" in text and "Retired engineer" in text
    assert "How some of those who answered “Other” described themselves" in text
    assert "Zebulon" not in text and "Secret" not in text  # anonymous: never named


@pytest.mark.parametrize("slug", [path.stem for path in definition_files()])
def test_element_ids_stay_unique_with_the_other_boxes(client, consultations, slug):
    page = client.get(f"/consultations/{slug}/respond").get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    # The option "other" and the text box that goes with it are two elements.
    assert 'id="q_respondent_type-other"' in page and 'id="q_respondent_type-other-text"' in page
