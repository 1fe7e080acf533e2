"""Honeypot and minimum time: blind bots are refused politely; people can always send again."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consultation import clock
from consultation.extensions import db
from consultation.responses.models import Response

from .answers import valid_form_data
from .conftest import form_tokens

SLUG = "apply-ai"


@pytest.fixture
def min_time(app):
    app.config["MIN_FORM_SECONDS"] = 3
    yield
    app.config["MIN_FORM_SECONDS"] = 0


def stored():
    return db.session.scalar(select(func.count()).select_from(Response))


def resend_data(page):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


def prepared(client, consultations):
    data = {**form_tokens(client, SLUG), **valid_form_data(consultations[SLUG].questionnaire)}
    data.pop("q_position_paper")
    data["q_final_comments"] = "Typed by a person"
    return data


def test_the_honeypot_is_in_the_form_but_hidden(client, consultations):
    page = client.get(f"/consultations/{SLUG}/respond").get_data(as_text=True)
    assert '<div class="hp"><label for="website">' in page
    css = client.get("/static/app.css").get_data(as_text=True)
    assert ".hp { display: none; }" in css


def test_a_filled_honeypot_is_refused_politely_and_a_person_can_resend(client, consultations):
    data = prepared(client, consultations)
    data["website"] = "http://spam.example"
    result = client.post(f"/consultations/{SLUG}/respond", data=data)
    page = result.get_data(as_text=True)
    assert result.status_code == 422
    assert "Please send your contribution again" in page and "Typed by a person" in page
    assert stored() == 0
    again = client.post(f"/consultations/{SLUG}/respond", data=resend_data(page))
    assert again.status_code == 303
    assert stored() == 1


def test_a_form_sent_back_too_fast_is_refused_then_accepted(
    client, consultations, min_time, frozen_clock
):
    data = prepared(client, consultations)
    result = client.post(f"/consultations/{SLUG}/respond", data=data)
    page = result.get_data(as_text=True)
    assert result.status_code == 422 and "wait 3 seconds" in page
    assert stored() == 0
    frozen_clock.set(clock.now_utc() + timedelta(seconds=5))
    again = client.post(f"/consultations/{SLUG}/respond", data=resend_data(page))
    assert again.status_code == 303
    assert stored() == 1


def test_a_person_taking_their_time_is_never_bothered(
    client, consultations, min_time, frozen_clock
):
    data = prepared(client, consultations)
    frozen_clock.set(clock.now_utc() + timedelta(minutes=20))
    assert client.post(f"/consultations/{SLUG}/respond", data=data).status_code == 303


def test_a_forged_serving_time_counts_as_too_fast(client, consultations, min_time, frozen_clock):
    data = prepared(client, consultations)
    data["form_served"] = "1.0"
    frozen_clock.set(clock.now_utc() + timedelta(minutes=20))
    assert client.post(f"/consultations/{SLUG}/respond", data=data).status_code == 422
    assert stored() == 0


def test_save_and_continue_later_pressed_at_once_saves_the_draft(client, consultations, min_time):
    """The timer is for contributions: a draft saved a second after opening is stored."""
    from consultation.responses.models import Draft

    data = {**form_tokens(client, SLUG), "q_first_name": "Quick", "action": "save_draft"}

    result = client.post(f"/consultations/{SLUG}/respond", data=data)

    assert result.status_code == 303 and result.headers["Location"].endswith("/drafts/saved")
    assert "Please send your contribution again" not in client.get(
        result.headers["Location"]
    ).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 1
    assert stored() == 0
    # A contribution sent as fast is still held back.
    sent = {**prepared(client, consultations)}
    assert client.post(f"/consultations/{SLUG}/respond", data=sent).status_code == 422


def test_a_draft_caught_by_the_honeypot_is_worded_as_a_draft(client, consultations):
    data = {**form_tokens(client, SLUG), "q_first_name": "Ada", "action": "save_draft"}
    result = client.post(f"/consultations/{SLUG}/respond", data={**data, "website": "x"})
    page = result.get_data(as_text=True)
    assert result.status_code == 422
    assert "Please save your draft again" in page and "we did not save the draft" in page
    assert "Please send your contribution again" not in page
