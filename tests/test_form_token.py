"""A respondent's questionnaire stays valid for a day, whatever the session's idle limit."""

import io
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consultation import clock
from consultation.extensions import db
from consultation.responses.models import Response, Upload

from .answers import PDF, valid_form_data
from .conftest import form_tokens
from .forms import shown_form

SLUG = "apply-ai"
AGAIN = "Please send the form again"


def respond(client, data):
    return client.post(
        f"/consultations/{SLUG}/respond", data=data, content_type="multipart/form-data"
    )


def stored():
    return db.session.scalar(select(func.count()).select_from(Response))


@pytest.fixture
def idle_limit_passed(app):
    """The admins' idle limit (the session's lifetime) passes; Flask checks it on the real clock."""
    original = app.permanent_session_lifetime
    app.permanent_session_lifetime = timedelta(seconds=1)

    def wait():
        time.sleep(2.1)

    yield wait
    app.permanent_session_lifetime = original


@pytest.mark.parametrize("later", [timedelta(minutes=31), timedelta(hours=23)])
def test_the_form_still_sends_long_after_the_session_would_have_ended(
    client, consultations, frozen_clock, idle_limit_passed, later
):
    data = {**form_tokens(client, SLUG), **valid_form_data(consultations[SLUG].questionnaire)}
    idle_limit_passed()
    frozen_clock.set(clock.now_utc() + later)

    result = respond(client, data)

    assert result.status_code == 303, result.get_data(as_text=True)[:3000]
    assert stored() == 1
    assert db.session.scalars(select(Upload)).one().original_name == "position.pdf"


def test_past_the_limit_every_answer_and_the_file_are_kept(client, consultations, frozen_clock):
    data = {**form_tokens(client, SLUG), **valid_form_data(consultations[SLUG].questionnaire)}
    data["q_surname"] = "Dupont-Ørsted"
    frozen_clock.set(clock.now_utc() + timedelta(hours=24, minutes=1))

    result = respond(client, data)

    page = result.get_data(as_text=True)
    assert result.status_code == 400 and stored() == 0
    assert AGAIN in page and "open for more than 24 hours" in page
    assert 'href="#send"' in page  # the error summary leads to the send button
    assert 'value="Dupont-Ørsted"' in page
    assert "Attached: <strong>position.pdf</strong>. It is kept" in page
    shown = shown_form(page).to_dict(flat=False)
    assert "q_position_paper" not in shown  # a browser never sends the file again...

    again = respond(client, shown)

    assert again.status_code == 303, again.get_data(as_text=True)[:3000]  # ...yet it is sent
    response = db.session.scalars(select(Response)).one()
    assert response.surname == "Dupont-Ørsted"
    assert db.session.scalars(select(Upload)).one().original_name == "position.pdf"


def test_a_form_posted_from_another_browser_is_refused(app, client, consultations):
    tokens = form_tokens(client, SLUG)
    questionnaire = consultations[SLUG].questionnaire
    elsewhere = app.test_client()  # another site's page cannot send this browser's cookie

    result = respond(elsewhere, {**tokens, **valid_form_data(questionnaire)})

    assert result.status_code == 400 and AGAIN in result.get_data(as_text=True)
    assert stored() == 0
    assert respond(client, {**tokens, **valid_form_data(questionnaire)}).status_code == 303


def test_a_token_belongs_to_the_form_it_was_served_with(client, consultations):
    first, second = form_tokens(client, SLUG), form_tokens(client, SLUG)
    questionnaire = consultations[SLUG].questionnaire
    mixed = {**first, "csrf_token": second["csrf_token"], **valid_form_data(questionnaire)}

    assert respond(client, mixed).status_code == 400
    assert stored() == 0
    assert respond(client, {**second, **valid_form_data(questionnaire)}).status_code == 303


def test_the_form_cookie_is_private_and_lasts_as_long_as_the_token(client, consultations):
    page = client.get(f"/consultations/{SLUG}/respond")
    cookie = next(c for c in page.headers.getlist("Set-Cookie") if c.startswith("form_key="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=86400" in cookie
    assert cookie.split(";")[0].split("=", 1)[1] not in page.get_data(as_text=True)
    assert not any(c.startswith("session=") for c in page.headers.getlist("Set-Cookie"))


def test_a_file_chosen_in_a_form_refused_for_its_token_is_kept(client, consultations):
    data = {**form_tokens(client, SLUG), "q_first_name": "Ada", "csrf_token": "forged"}
    data["q_position_paper"] = (io.BytesIO(PDF), "paper.pdf")
    page = respond(client, {**data, "action": "save_draft"}).get_data(as_text=True)
    assert AGAIN in page and "<strong>paper.pdf</strong>" in page


def test_wtforms_messages_come_in_the_readers_language_from_a_catalogue_read_once(app):
    from flask_babel import refresh
    from flask_wtf.i18n import translations as flask_wtf_messages

    from consultation.questionnaires.forms import _MESSAGES, _wtforms_catalogue

    _wtforms_catalogue.cache_clear()
    for language in ("fr", "de", "en"):
        with app.test_request_context(f"/?lang={language}"):
            refresh()  # the locale of this request, not one the app context kept
            for message in ("This field is required.", "Not a valid integer value."):
                assert _MESSAGES.gettext(message) == flask_wtf_messages.gettext(message)
            plural = ("Field must be at least %(min)d character long.",) * 2
            assert _MESSAGES.ngettext(*plural, 3) == flask_wtf_messages.ngettext(*plural, 3)
            if language == "fr":
                assert _MESSAGES.gettext("This field is required.") != "This field is required."
    assert _wtforms_catalogue.cache_info().misses == 3
