"""Known contributions for the report tests, submitted the way a browser sends them."""

import io

from pypdf import PdfReader
from sqlalchemy import select

from consultation.extensions import db
from consultation.responses.models import Response
from consultation.responses.tokens import hash_token

from .answers import valid_form_data
from .conftest import form_tokens

SLUG = "data-union-strategy"
SCRIPT = "<script>alert('x')</script> <b>bold</b>"
FORMULA = '=HYPERLINK("http://evil.example", "click")'

#: Five contributions; the last is flagged as spam after it is sent.
PEOPLE = [
    dict(
        q_respondent_type="company",
        q_organisation_size="small",
        q_country="BE",
        q_publication="public",
        q_first_name="Ada",
        q_surname="Lovelace",
        q_email="ada@example.org",
        q_organisation_name="Acme Data",
        q_data_ease="fairly_hard",
        q_final_comments="Protect our data!",
    ),
    dict(
        q_respondent_type="eu_citizen",
        q_country="FR",
        q_publication="anonymous",
        q_first_name="Zebulon",
        q_surname="Quixote",
        q_email="zebulon.secret@example.org",
        q_data_ease="very_hard",
        q_final_comments=f"{SCRIPT} Please help.",
        q_data_use_case=FORMULA,
    ),
    dict(
        q_respondent_type="ngo",
        q_organisation_size="micro",
        q_country="US",
        q_publication="anonymous",
        q_first_name="Hortense",
        q_surname="Hiddenname",
        q_email="hortense@example.org",
        q_organisation_name="Open Rights Watch",
        q_data_ease="fairly_hard",
        q_final_comments="  PROTECT our   data.",
    ),
    dict(
        q_respondent_type="business_association",
        q_organisation_size="large",
        q_country="DE",
        q_publication="public",
        q_first_name="Bruno",
        q_surname="Bauer",
        q_email="bruno@example.org",
        q_organisation_name="Verband Daten e.V.",
        q_data_ease="very_easy",
        q_final_comments="protect our data",
    ),
    dict(
        q_respondent_type="eu_citizen",
        q_country="BE",
        q_publication="public",
        q_first_name="Spam",
        q_surname="Bot",
        q_email="spam@example.org",
        q_data_ease="very_easy",
        q_final_comments="Buy cheap things",
    ),
]


def submit(client, consultation, overrides) -> Response:
    """Send one contribution through the public form and return it."""
    return submit_with_link(client, consultation, overrides)[0]


def submit_with_link(client, consultation, overrides) -> tuple[Response, str]:
    """Send one contribution through the public form; return it and its private receipt link."""
    data = {**form_tokens(client, SLUG), **valid_form_data(consultation.questionnaire, overrides)}
    result = client.post(
        f"/consultations/{SLUG}/respond", data=data, content_type="multipart/form-data"
    )
    assert result.status_code == 303, result.get_data(as_text=True)[:1000]
    link = result.headers["Location"]
    token = link.removeprefix("/contributions/receipt/")
    found = select(Response).where(Response.receipt_token_hash == hash_token(token))
    return db.session.scalar(found), link


def submit_known(client, consultation) -> list[Response]:
    """The five known contributions, approved by a moderator; the fifth is flagged as spam."""
    responses = [submit(client, consultation, person) for person in PEOPLE]
    approve(responses)
    responses[-1].flag = "spam"
    db.session.commit()
    return responses


def approve(responses) -> None:
    """Approve ``responses`` for publication as they stand (a moderator's decision), and commit:
    public outputs quote only moderated texts."""
    from consultation.audit.operations import Actor
    from consultation.publishing.operations import approve as approve_one

    for response in responses:
        if response.moderation != "approved":
            approve_one(response, Actor("moderator@example.org"))
    db.session.commit()


def pdf_text(data: bytes) -> str:
    """The text of a PDF, as a reader would select it (whitespace collapsed)."""
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())
