"""A person answers a questionnaire and gets a receipt; what is stored is exactly what applies."""

import io
import re

import pytest
from sqlalchemy import func, select

from consultation.extensions import db
from consultation.questionnaires.forms import field_name
from consultation.responses.fingerprint import text_fingerprint
from consultation.responses.models import Answer, Response, Upload
from consultation.responses.operations import submit_response
from consultation.responses.queries import response_values
from consultation.responses.tokens import hash_token

from .answers import PDF, valid_form_data
from .conftest import form_tokens

SLUGS = ["cloud-ai-development-act", "apply-ai", "data-union-strategy"]


def post(client, slug, data):
    return client.post(
        f"/consultations/{slug}/respond", data=data, content_type="multipart/form-data"
    )


def response_count():
    return db.session.scalar(select(func.count()).select_from(Response))


@pytest.mark.parametrize("slug", SLUGS)
def test_complete_contribution_is_stored_and_shown_on_the_receipt(client, consultations, slug):
    consultation = consultations[slug]
    questionnaire = consultation.questionnaire
    data = {**form_tokens(client, slug), **valid_form_data(questionnaire)}

    result = post(client, slug, data)

    assert result.status_code == 303, result.get_data(as_text=True)[:2000]
    response = db.session.scalars(select(Response)).one()
    # The receipt is at a private link; the reference is a short label to quote.
    token = result.headers["Location"].removeprefix("/contributions/receipt/")
    assert len(token) == 43 and response.receipt_token_hash == hash_token(token)
    assert re.fullmatch(r"[2-9A-HJKMNP-TV-Z]{4}(-[2-9A-HJKMNP-TV-Z]{4}){2}", response.reference)
    assert (response.respondent_type, response.country, response.email) == (
        "company",
        "BE",
        "person@example.org",
    )
    assert response.organisation_size == "small"
    assert response.language == "en"

    values = response_values(response)
    visible = questionnaire.visible_questions(values)
    assert set(values) == {q.key for q in visible}
    assert db.session.scalar(select(func.count()).select_from(Upload)) == 1

    receipt = client.get(result.headers["Location"])
    assert receipt.status_code == 200
    page = receipt.get_data(as_text=True)
    assert response.reference in page
    assert receipt.headers["Cache-Control"] == "no-store"
    for question in visible:
        assert question.label() in page or question.kind == "consent"
        for line in question.display(values[question.key]):
            assert line.replace("'", "&#39;") in page or line in page


def test_hidden_conditional_questions_are_not_required_nor_stored(client, consultations):
    slug = "apply-ai"
    questionnaire = consultations[slug].questionnaire
    data = {**form_tokens(client, slug), **valid_form_data(questionnaire)}
    # A citizen: the organisation questions do not apply. Leave the required
    # organisation name blank and forge answers to the other hidden ones.
    data["q_respondent_type"] = "eu_citizen"
    data["q_organisation_name"] = ""
    data["q_organisation_size"] = "large"
    data["q_authority_scope"] = "national"

    result = post(client, slug, data)

    assert result.status_code == 303
    response = db.session.scalars(select(Response)).one()
    assert response.organisation_name is None
    assert response.organisation_size is None
    values = response_values(response)
    assert "authority_scope" not in values
    assert "transparency_register" not in values


def test_visible_conditional_question_is_required(client, consultations):
    slug = "apply-ai"
    data = {**form_tokens(client, slug), **valid_form_data(consultations[slug].questionnaire)}
    data["q_respondent_type"] = "public_authority"
    data.pop("q_authority_scope")

    result = post(client, slug, data)

    assert result.status_code == 400
    assert "Scope of your public authority" in result.get_data(as_text=True)
    assert response_count() == 0


def test_errors_are_summarised_and_every_answer_is_kept(client, consultations):
    slug = "apply-ai"
    data = {**form_tokens(client, slug), **valid_form_data(consultations[slug].questionnaire)}
    data["q_email"] = "not-an-address"
    data["q_first_name"] = "Zoë <b>bold</b>"
    data.pop("q_privacy_consent")

    result = post(client, slug, data)

    page = result.get_data(as_text=True)
    assert result.status_code == 400
    assert 'id="error-summary"' in page
    assert 'href="#q_email"' in page and 'href="#q_privacy_consent"' in page
    assert 'value="not-an-address"' in page
    assert "Zoë &lt;b&gt;bold&lt;/b&gt;" in page  # kept, and inert
    assert 'aria-describedby="q_email-hint q_email-error"' in page
    assert response_count() == 0


def test_double_submit_stores_one_response(client, consultations):
    slug = "data-union-strategy"
    tokens = form_tokens(client, slug)
    questionnaire = consultations[slug].questionnaire

    first = post(client, slug, {**tokens, **valid_form_data(questionnaire)})
    second = post(client, slug, {**tokens, **valid_form_data(questionnaire)})

    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert response_count() == 1


def test_two_forms_make_two_responses(client, consultations):
    slug = "data-union-strategy"
    questionnaire = consultations[slug].questionnaire
    for _ in range(2):
        assert post(client, slug, {**form_tokens(client, slug), **valid_form_data(questionnaire)})
    assert response_count() == 2


def test_expired_session_keeps_the_answers(app, client, consultations):
    slug = "apply-ai"
    data = {**form_tokens(client, slug), **valid_form_data(consultations[slug].questionnaire)}
    data["csrf_token"] = "expired"
    data["q_surname"] = "Dupont-Ørsted"

    result = post(client, slug, data)

    page = result.get_data(as_text=True)
    assert result.status_code == 400
    assert "Please send the form again" in page
    assert 'value="Dupont-Ørsted"' in page
    assert response_count() == 0


def test_upload_with_a_fake_extension_is_refused(client, consultations):
    slug = "apply-ai"
    data = {**form_tokens(client, slug), **valid_form_data(consultations[slug].questionnaire)}
    data["q_position_paper"] = (io.BytesIO(b"MZ\x90\x00 an executable"), "paper.pdf")

    result = post(client, slug, data)

    assert result.status_code == 400
    assert "is not a PDF document" in result.get_data(as_text=True)
    assert response_count() == 0


def test_uploaded_file_is_stored_outside_the_web_root_under_a_random_name(
    app, client, consultations
):
    slug = "apply-ai"
    data = {**form_tokens(client, slug), **valid_form_data(consultations[slug].questionnaire)}
    post(client, slug, data)
    upload = db.session.scalars(select(Upload)).one()
    assert upload.original_name == "position.pdf"
    assert upload.stored_name != "position.pdf" and len(upload.stored_name) == 32
    stored = app.config["UPLOAD_FOLDER"] + "/" + upload.stored_name
    with open(stored, "rb") as handle:
        assert handle.read() == PDF
    assert upload.content_type == "application/pdf"


def test_answers_are_rows_sql_can_count(client, consultations):
    slug = "apply-ai"
    questionnaire = consultations[slug].questionnaire
    sectors = questionnaire.questions["sectors"]
    for _ in range(3):
        data = {**form_tokens(client, slug), **valid_form_data(questionnaire)}
        data[field_name(sectors)] = sectors.option_keys[:2]
        post(client, slug, data)
    question_id = next(r.id for r in consultations[slug].questions if r.key == "sectors")
    counts = dict(
        db.session.execute(
            select(Answer.option_key, func.count())
            .where(Answer.question_id == question_id)
            .group_by(Answer.option_key)
        ).all()
    )
    assert counts == {sectors.option_keys[0]: 3, sectors.option_keys[1]: 3}


def test_stored_answers_get_their_defaults_and_the_response_sees_them(app, client, consultations):
    """Answers go in as one statement: text fingerprints are still made, nothing is stale."""
    slug = "apply-ai"
    consultation = consultations[slug]
    post(client, slug, {**form_tokens(client, slug), **valid_form_data(consultation.questionnaire)})
    first = db.session.scalars(select(Response)).one()
    rows = db.session.execute(
        select(Answer.text_value, Answer.text_fingerprint).where(Answer.response_id == first.id)
    ).all()
    typed = [(text, stored) for text, stored in rows if text is not None]
    assert typed and all(stored == text_fingerprint(text) for text, stored in typed)
    assert any(stored is None for text, stored in rows if text is None)

    values = {k: v for k, v in response_values(first).items() if k != "position_paper"}
    second, created = submit_response(
        consultation, values, submission_token="second", upload_folder=app.config["UPLOAD_FOLDER"]
    )
    stored = db.session.scalars(select(Answer).where(Answer.response_id == second.id)).all()
    assert created and len(second.answers) == len(stored) > 30
    assert response_values(second) == values


def test_a_contribution_is_stored_whole_or_not_at_all(app, client, consultations):
    """Until the caller commits, no other connection sees any of it, and a failure later in
    the request (the edit link, a file) leaves nothing behind, on SQLite too."""
    slug = "apply-ai"
    consultation = consultations[slug]
    post(client, slug, {**form_tokens(client, slug), **valid_form_data(consultation.questionnaire)})
    first = db.session.scalars(select(Response)).one()
    values = {k: v for k, v in response_values(first).items() if k != "position_paper"}
    db.session.commit()

    def seen_elsewhere():
        with db.engine.connect() as other:
            return other.scalar(select(func.count()).select_from(Response))

    second, created = submit_response(
        consultation, values, submission_token="whole", upload_folder=app.config["UPLOAD_FOLDER"]
    )
    assert created and response_count() == 2  # this transaction sees it
    assert seen_elsewhere() == 1  # nothing committed yet
    db.session.rollback()  # what a failure before the caller's commit does
    assert response_count() == seen_elsewhere() == 1
    assert (
        db.session.scalar(
            select(func.count()).select_from(Answer).where(Answer.response_id != first.id)
        )
        == 0
    )


def test_the_same_form_racing_itself_gives_back_the_first_response(
    app, client, consultations, monkeypatch
):
    """Two requests with one submission token at once: the second finds the row the first
    stored only when its own insert fails; it then gives back the first response."""
    from consultation.responses import operations

    slug = "apply-ai"
    consultation = consultations[slug]
    post(client, slug, {**form_tokens(client, slug), **valid_form_data(consultation.questionnaire)})
    first = db.session.scalars(select(Response)).one()
    values = {k: v for k, v in response_values(first).items() if k != "position_paper"}
    token = first.submission_token
    db.session.commit()
    real, calls = operations._by_token, []

    def not_yet_then_found(value):
        calls.append(value)
        return None if len(calls) == 1 else real(value)  # the race: not there when first asked

    monkeypatch.setattr(operations, "_by_token", not_yet_then_found)
    again, created = submit_response(
        consultation, values, submission_token=token, upload_folder=app.config["UPLOAD_FOLDER"]
    )
    assert not created and again.id == first.id and len(calls) == 2
    db.session.commit()
    assert response_count() == 1
