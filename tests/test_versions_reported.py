"""Questions replaced by a new questionnaire version stay reported under their own
question (issue 18, item 3): in the summary report, on the admin's page of a response,
and in the exports, profile columns included."""

import csv
import io
import re

import pytest

from consultation.reports import export, pdf
from consultation.reports.summary import build_summary

from .admin_helpers import signed_in_client
from .reporting import approve, pdf_text, submit
from .test_authoring import SOURCE, consultation
from .test_authoring_changes import current, find
from .test_versions import upload_versioned

OLD_EASE = "How easy is it for you to get the data you need from others?"
NEW_EASE = "How easy is it to get data from others?"
OLD_DATASET = "Name one dataset you would most like to be able to use."
#: Two contributions to version 1: a public company, an anonymous citizen.
FIRST = {
    "q_respondent_type": "company",
    "q_organisation_size": "small",
    "q_publication": "public",
    "q_organisation_name": "Acme Data",
    "q_data_ease": "fairly_hard",
    "q_wanted_dataset": "Census microdata by municipality",
}
SECOND = {
    "q_respondent_type": "eu_citizen",
    "q_publication": "anonymous",
    "q_first_name": "Zebulon",
    "q_surname": "Quixote",
    "q_data_ease": "very_hard",
    "q_wanted_dataset": "Hourly electricity prices",
}


@pytest.fixture
def admin(app, consultations):
    return signed_in_client(app)


def new_version(admin, change):
    definition = current(admin)
    change(definition)
    result = upload_versioned(admin, definition, new_version=True)
    assert result.status_code == 302, result.get_data(as_text=True)[:3000]
    return consultation(SOURCE)


def replace_ease_and_dataset(definition):
    """A choice question loses an option and a text question a tighter limit: both replaced."""
    ease = find(definition, "data_ease")
    ease["text"] = NEW_EASE
    ease["options"] = [o for o in ease["options"] if o["key"] != "not_applicable"]
    find(definition, "wanted_dataset")["max_length"] = 100


@pytest.fixture
def versioned(admin, client):
    """Two approved contributions to version 1, version 2 replacing two of their questions,
    and one contribution to version 2."""
    responses = [submit(client, consultation(SOURCE), person) for person in (FIRST, SECOND)]
    approve(responses)
    item = new_version(admin, replace_ease_and_dataset)
    later = submit(
        client,
        item,
        {
            "q_data_ease": "fairly_easy",
            "q_wanted_dataset": "Ports traffic",
            "q_publication": "public",
        },
    )
    approve([later])
    return [*responses, later]


def by_key(items):
    return {item.key: item for item in items}


def test_the_summary_reports_replaced_questions_under_their_own_question(versioned):
    item = consultation(SOURCE)
    summary = build_summary(item, locale="en")
    current = by_key(q for _, items in summary.sections for q in items)
    assert current["data_ease"].label == NEW_EASE and current["data_ease"].answered == 1
    assert current["wanted_dataset"].answered == 1
    # Of the one contribution to version 2: those to version 1 were never asked them.
    assert current["data_ease"].total == current["wanted_dataset"].total == 1
    assert current["data_types"].total == 3  # asked by both versions
    replaced = by_key(summary.replaced)
    assert set(replaced) == {"data_ease", "wanted_dataset"}
    ease, dataset = replaced["data_ease"], replaced["wanted_dataset"]
    assert ease.label == OLD_EASE
    assert ease.asked == "Asked in version 1 of the questionnaire, replaced in version 2."
    assert (ease.answered, ease.total) == (2, 2)  # of the contributions to version 1
    counts = {label: n for label, n, _ in ease.rows}
    assert counts["Fairly hard"] == 1 and counts["Very hard"] == 1
    assert counts["I don't need data from others"] == 0  # the option version 2 removed
    assert ease.chart
    assert ease.number > max(q.number for q in current.values())
    assert dataset.label == OLD_DATASET and (dataset.answered, dataset.total) == (2, 2)
    # Samples as a current text question's: each as its author chose to be published.
    assert dataset.excerpts == [
        ("Census microdata by municipality", "Acme Data, Company or business, Belgium"),
        ("Hourly electricity prices", "Anonymous, EU citizen, Belgium"),
    ]

    text = pdf_text(pdf.summary_pdf(item, locale="en"))
    part = text[text.index("Questions of earlier versions of the questionnaire A new version") :]
    assert OLD_EASE in part and OLD_DATASET in part
    assert "Asked in version 1 of the questionnaire, replaced in version 2." in part
    assert "Answered by 2 of 2 (100%)" in part
    assert "Fairly hard" in part and "Census microdata by municipality" in part
    assert "Zebulon" not in text and "Quixote" not in text
    assert NEW_EASE not in part  # the current question is reported before, on its own


def test_the_summary_filtered_counts_replaced_questions_of_that_filter(versioned):
    summary = build_summary(consultation(SOURCE), respondent_type="company", locale="en")
    ease = by_key(summary.replaced)["data_ease"]
    assert (ease.answered, ease.total) == (1, 1)
    assert {label: n for label, n, _ in ease.rows}["Fairly hard"] == 1


def test_the_response_page_shows_answers_to_replaced_questions(versioned, admin):
    first, _, later = versioned
    page = admin.get(f"/admin/responses/{first.id}").get_data(as_text=True)
    part = re.search(r'<section id="replaced-answers".*?</section>', page, re.S).group(0)
    assert "Asked in version 1 of the questionnaire" in part
    assert OLD_EASE in part and "Fairly hard" in part
    assert OLD_DATASET in part and "Census microdata by municipality" in part
    assert NEW_EASE not in part
    page = admin.get(f"/admin/responses/{later.id}").get_data(as_text=True)
    assert 'id="replaced-answers"' not in page and "Ports traffic" in page


def test_the_respondents_copy_keeps_their_answers_to_replaced_questions(versioned):
    first, _, later = versioned
    text = pdf_text(pdf.contribution_pdf(first))
    part = text[text.index("Answers to questions since replaced") :]
    assert "Asked in version 1 of the questionnaire" in part
    assert OLD_EASE in part and "Fairly hard" in part and "Census microdata" in part
    assert "Answers to questions since replaced" not in pdf_text(pdf.contribution_pdf(later))


def rows_of(item, personal=True):
    return list(csv.reader(io.StringIO("".join(export.iter_csv(item, personal))[1:])))


def test_the_exports_keep_the_answers_to_replaced_questions(versioned):
    item = consultation(SOURCE)
    header, *rows = rows_of(item)
    old, new = header.index("wanted_dataset@v1"), header.index("wanted_dataset")
    assert [row[old] for row in rows] == [
        "Census microdata by municipality",
        "Hourly electricity prices",
        "",
    ]
    assert [row[new] for row in rows] == ["", "", "Ports traffic"]
    ease = header.index("data_ease@v1")
    assert [row[ease] for row in rows] == ["Fairly hard", "Very hard", ""]
    header, *rows = rows_of(item, personal=False)  # published as a current question is
    assert "wanted_dataset@v1" in header


def test_a_removed_profile_question_stays_exported_and_shown(admin, client):
    """A profile question's answer is a column of the response row: a version without the
    question leaves the column filled, and the export and the response page still read it."""
    first = submit(client, consultation(SOURCE), FIRST)

    def drop_size(definition):
        for section in definition["sections"]:
            section["questions"] = [
                q for q in section["questions"] if q["key"] != "organisation_size"
            ]

    item = new_version(admin, drop_size)
    header, row = rows_of(item)
    assert "organisation_size" not in header
    column = header.index("organisation_size@v1")
    assert row[column] == "Small (10 to 49 employees)"
    page = admin.get(f"/admin/responses/{first.id}").get_data(as_text=True)
    part = re.search(r'<section id="replaced-answers".*?</section>', page, re.S).group(0)
    assert "Size of your organisation" in part and "Small (10 to 49 employees)" in part


def test_a_profile_option_a_new_version_removed_keeps_its_label(admin, client):
    """Version 2 of the respondent types drops "Company": the answers given in version 1
    keep its label in the export, and its "Other" texts their column."""
    submit(client, consultation(SOURCE), FIRST)
    submit(
        client,
        consultation(SOURCE),
        {"q_respondent_type": "other", "q_respondent_type-other": "A data cooperative"},
    )

    item = new_version(admin, drop_company)
    header, *rows = rows_of(item)
    column = header.index("respondent_type")
    assert [row[column] for row in rows] == ["Company or business", "Other"]
    other = header.index("respondent_type@v1:other:text")
    assert [row[other] for row in rows] == ["", "A data cooperative"]


def test_the_summary_labels_profile_options_a_new_version_removed(admin, client):
    """Version 2 drops "Company" from the respondent types and "Small" from the sizes: the
    summary's breakdowns, its filter line and the authors of its quotes keep the labels of
    version 1, not the keys stored on the response rows."""
    approve([submit(client, consultation(SOURCE), FIRST)])

    def drop_company_and_small(definition):
        drop_company(definition)
        size = find(definition, "organisation_size")
        size["options"] = [o for o in size["options"] if o["key"] != "small"]

    item = new_version(admin, drop_company_and_small)
    approve([submit(client, item, {"q_respondent_type": "ngo", "q_organisation_size": "micro"})])
    summary = build_summary(consultation(SOURCE), locale="en")
    types = {label: n for label, n, _ in summary.by_type}
    assert types["Company or business"] == 1 and types["Non-governmental organisation (NGO)"] == 1
    assert "company" not in types
    sizes = {label: n for label, n, _ in summary.by_size}
    assert sizes["Small (10 to 49 employees)"] == 1 and "small" not in sizes
    assert list(sizes)[:4] == [  # the removed option after the current ones
        "Micro (1 to 9 employees)",
        "Medium (50 to 249 employees)",
        "Large (250 employees or more)",
        "Small (10 to 49 employees)",
    ]
    assert summary.sme_count == 2  # still a small organisation
    quoted = by_key(q for _, items in summary.sections for q in items)["wanted_dataset"]
    assert quoted.excerpts[0] == (
        "Census microdata by municipality",
        "Acme Data, Company or business, Belgium",
    )
    french = build_summary(consultation(SOURCE), respondent_type="company", locale="fr")
    assert french.filters == ["Catégorie de répondant : Entreprise"]
    assert {label: n for label, n, _ in french.by_type}["Entreprise"] == 1
    text = pdf_text(pdf.summary_pdf(consultation(SOURCE), locale="en"))
    assert "Company or business" in text and "Small (10 to 49 employees)" in text


def drop_company(definition):
    """Version 2 of the respondent types without "Company" (and the conditions naming it)."""
    types = find(definition, "respondent_type")
    types["options"] = [o for o in types["options"] if o["key"] != "company"]
    for section in definition["sections"]:
        for question in section["questions"]:
            condition = question.get("show_if") or {}
            if "company" in condition.get("in", ()):
                condition["in"] = [key for key in condition["in"] if key != "company"]


def test_the_admin_filters_offer_profile_options_a_new_version_removed(app, admin, client):
    """Version 2 drops "Company": the responses list and the summary report can still be
    filtered to the companies that answered version 1, named by their label."""
    from .jobs_helpers import job, run_jobs, start

    first = submit(client, consultation(SOURCE), FIRST)
    item = new_version(admin, drop_company)
    base = f"/admin/consultations/{item.slug}"

    listed = admin.get(base + "/responses?respondent_type=company")
    page = listed.get_data(as_text=True)
    assert listed.status_code == 200, page[:2000]
    assert '<option selected value="company">Company or business</option>' in page
    assert f'href="/admin/responses/{first.id}"' in page
    row = page[page.index(f'href="/admin/responses/{first.id}"') :]
    assert row[: row.index("</tr>")].count("Company or business") == 1  # its label, not "company"

    overview = admin.get(base).get_data(as_text=True)
    form = overview[overview.index('id="report-type"') :]
    assert '<option value="company">Company or business</option>' in form[: form.index("</select>")]
    job_id = start(admin, base + "/reports/summary", respondent_type="company")
    assert job(job_id).parameters["respondent_type"] == "company"  # kept, not "all"
    run_jobs(app)
    assert job(job_id).state.value == "done", job(job_id).error
    assert "Summary report (PDF): Company or business" in admin.get(base).get_data(as_text=True)


def test_moderation_and_public_pages_label_profile_options_a_new_version_removed(admin, client):
    """The company that answered version 1 is "Company or business" in the moderation queue,
    on its moderation page, in the public list and in the list's filter, not "company"."""
    from consultation.extensions import db
    from consultation.publishing.models import WHEN_MODERATED

    first = submit(client, consultation(SOURCE), FIRST)
    item = new_version(admin, drop_company)
    queue = admin.get(f"/admin/consultations/{item.slug}/moderation").get_data(as_text=True)
    assert "Company or business" in queue
    page = admin.get(f"/admin/responses/{first.id}/moderation").get_data(as_text=True)
    assert "Company or business" in page

    item.publication_mode = WHEN_MODERATED
    db.session.commit()
    approve([first])
    public = client.get(f"/consultations/{item.slug}/contributions").get_data(as_text=True)
    assert first.public_id in public
    assert "Company or business (1)" in public  # the filter, with its count
    assert public.count("Company or business") >= 2  # and the contribution's line
