"""Every public output follows one allow-list: what each kind of respondent and choice publishes.

Citizens who chose "public" are named; anonymous citizens are not; organisations
are named by their organisation, never by the person who answered for them,
whatever they chose. E-mail addresses never appear.
"""

import csv
import io

import pytest
from openpyxl import load_workbook

from consultation.reports import export, pdf, publication

from .reporting import SLUG, approve, pdf_text, submit


def person(kind, country, first, surname, comments, organisation=None, size=None):
    """A contribution's "About you" answers and a final comment."""
    answers = dict(
        q_respondent_type=kind,
        q_country=country,
        q_first_name=first,
        q_surname=surname,
        q_email=f"{first.lower()}.mail@example.org",
        q_final_comments=comments,
    )
    if organisation:
        answers.update(q_organisation_name=organisation, q_organisation_size=size)
    return answers


#: One contribution per audience, each with names found nowhere else.
PEOPLE = {
    ("citizen", "public"): person(
        "eu_citizen", "IE", "Philippa", "Publicworth", "Citizens deserve open data."
    ),
    ("citizen", "anonymous"): person(
        "non_eu_citizen", "NO", "Anselm", "Hiddenbury", "Please keep me anonymous."
    ),
    ("organisation", "public"): person(
        "company",
        "PT",
        "Cornelius",
        "Contactperson",
        "Our company wants clear rules.",
        "Quillfeather Analytics",
        "small",
    ),
    ("organisation", "anonymous"): person(
        "ngo",
        "AT",
        "Ottilie",
        "Obscurova",
        "Our NGO asks for safeguards.",
        "Tidewater Rights Collective",
        "micro",
    ),
}
PERSONS = {where: (p["q_first_name"], p["q_surname"]) for where, p in PEOPLE.items()}
ORGANISATIONS = {
    where: p["q_organisation_name"] for where, p in PEOPLE.items() if "q_organisation_name" in p
}


@pytest.fixture
def contributions(client, consultations):
    consultation = consultations[SLUG]
    approve(  # moderated: public outputs hold only what moderators cleared
        [
            submit(client, consultation, {**person, "q_publication": choice})
            for (_, choice), person in PEOPLE.items()
        ]
    )
    return consultation


def published_names(where) -> set:
    """The names the rule publishes for an audience."""
    kind, choice = where
    if kind == "citizen":
        return set(PERSONS[where]) if choice == "public" else set()
    return {ORGANISATIONS[where]}


def hidden_names(where) -> set:
    every = set(PERSONS[where]) | {ORGANISATIONS.get(where)}
    return every - published_names(where) - {None}


def test_the_allow_list_per_audience():
    fields = publication.published_fields
    assert fields("eu_citizen", "public") >= {"first_name", "surname", "country"}
    assert not fields("eu_citizen", "anonymous") & {"first_name", "surname", "organisation_name"}
    for choice in ("public", "anonymous", None, "something else"):
        company = fields("company", choice)
        assert "organisation_name" in company and not company & {"first_name", "surname"}
    assert fields(None, "public") == fields("eu_citizen", "public")  # no type: as a citizen
    assert fields("eu_citizen", None) == fields("eu_citizen", "anonymous")  # not asked: anonymous
    for kind in ("eu_citizen", "company"):
        for choice in ("public", "anonymous"):
            assert not fields(kind, choice) & {"email", "reference"}


def public_csv_rows(consultation):
    text = "".join(export.iter_csv(consultation, False)).removeprefix("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text)))
    return [dict(zip(header, row, strict=True)) for row in rows]


def public_xlsx_rows(consultation):
    buffer = io.BytesIO()
    export.write_xlsx(consultation, False, buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue()), read_only=True)["Responses"]
    keys = export.layout(consultation, False).headers
    return [
        dict(zip(keys, [("" if v is None else str(v)) for v in row], strict=False))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    ]


@pytest.mark.parametrize("output", ["csv", "xlsx"])
def test_public_spreadsheets_publish_only_what_each_choice_allows(contributions, output):
    rows = (public_csv_rows if output == "csv" else public_xlsx_rows)(contributions)
    assert len(rows) == len(PEOPLE)
    for where, row in zip(PEOPLE, rows, strict=True):
        cells = set(row.values())
        assert published_names(where) <= cells, (where, row)
        assert not hidden_names(where) & cells, (where, hidden_names(where) & cells)
        assert row["country:code"] == PEOPLE[where]["q_country"]  # type and country: always
        assert row["final_comments"] == PEOPLE[where]["q_final_comments"]  # answers: always
        assert row.get("position_paper", "") == ("position.pdf" if where[1] == "public" else "")
        assert not any("@" in cell for cell in cells)
    assert "email" not in rows[0] and "reference" not in rows[0]


def test_summary_quotes_name_only_what_each_choice_allows(contributions):
    text = pdf_text(pdf.summary_pdf(contributions))
    for where, person in PEOPLE.items():
        assert person["q_final_comments"] in text
        for name in published_names(where):
            assert name in text, (where, name)
        for name in hidden_names(where):
            assert name not in text, (where, name)
        assert person["q_email"] not in text
    assert "Anonymous, Non-EU citizen, Norway" in text
    assert "Philippa Publicworth, EU citizen, Ireland" in text
    assert "Quillfeather Analytics, Company or business, Portugal" in text


def test_the_personal_export_still_holds_everyone(contributions):
    text = "".join(export.iter_csv(contributions, True))
    for first, surname in PERSONS.values():
        assert first in text and surname in text
    assert all(person["q_email"] in text for person in PEOPLE.values())
