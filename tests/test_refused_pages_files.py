"""The "too fast", 429 and 503 pages cannot keep a chosen file (a flood must not write
files; a database that is down cannot record them): they say so by the file's name and
offer to choose it again in the form that sends everything again (lead's defect c)."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consultation import clock
from consultation.extensions import db
from consultation.responses.models import Response, Upload

from .answers import PDF, valid_form_data
from .conftest import form_tokens
from .test_rate_limits import app_with_limits
from .test_resilience import database_down

SLUG = "apply-ai"
NAME = "Our position on the Apply AI Strategy.pdf"


def contribution(client, consultations):
    data = {**form_tokens(client, SLUG), **valid_form_data(consultations[SLUG].questionnaire)}
    data["q_position_paper"] = (io.BytesIO(PDF), NAME)
    data["q_final_comments"] = "Typed by a person"
    return data


def resend_data(page):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


def asks_for_the_file_again(page):
    assert 'id="files-again"' in page
    assert "The file you chose could not be kept on this page: choose it again here" in page
    assert f"Choose “{NAME}” again</label>" in page
    box = re.search(r'<input type="file"[^>]*name="q_position_paper"[^>]*>', page)
    assert box and 'accept=".pdf' in box.group(0)
    assert "Typed by a person" in page and 'name="submission_token"' in page


def stored_with_the_file():
    (response,) = db.session.scalars(select(Response)).all()
    (upload,) = db.session.scalars(select(Upload).where(Upload.response_id == response.id)).all()
    return upload.original_name == NAME


@pytest.fixture
def min_time(app):
    app.config["MIN_FORM_SECONDS"] = 3
    yield
    app.config["MIN_FORM_SECONDS"] = 0


def test_too_fast_asks_for_the_file_again_and_the_resend_carries_it(
    client, consultations, min_time, frozen_clock
):
    result = client.post(
        f"/consultations/{SLUG}/respond",
        data=contribution(client, consultations),
        content_type="multipart/form-data",
    )
    page = result.get_data(as_text=True)
    assert result.status_code == 422
    asks_for_the_file_again(page)

    frozen_clock.set(clock.now_utc() + timedelta(seconds=5))
    again = {**resend_data(page), "q_position_paper": (io.BytesIO(PDF), NAME)}
    sent = client.post(
        f"/consultations/{SLUG}/respond", data=again, content_type="multipart/form-data"
    )
    assert sent.status_code == 303, sent.get_data(as_text=True)[:800]
    assert stored_with_the_file()


def test_the_429_page_asks_for_the_file_again(app, consultations):
    limited = app_with_limits(app, RATELIMIT_SUBMIT="1 per minute")
    client = limited.test_client()
    first = contribution(client, consultations)
    assert client.post(f"/consultations/{SLUG}/respond", data=first).status_code == 303
    result = client.post(
        f"/consultations/{SLUG}/respond",
        data=contribution(client, consultations),
        content_type="multipart/form-data",
    )
    assert result.status_code == 429
    asks_for_the_file_again(result.get_data(as_text=True))


def test_the_503_page_asks_for_the_file_again(client, consultations):
    data = contribution(client, consultations)
    with database_down():
        result = client.post(
            f"/consultations/{SLUG}/respond", data=data, content_type="multipart/form-data"
        )
    page = result.get_data(as_text=True)
    assert result.status_code == 503
    asks_for_the_file_again(page)
    again = {**resend_data(page), "q_position_paper": (io.BytesIO(PDF), NAME)}
    sent = client.post(
        f"/consultations/{SLUG}/respond", data=again, content_type="multipart/form-data"
    )
    assert sent.status_code == 303 and stored_with_the_file()


def test_without_a_file_no_file_box_is_offered(client, consultations, min_time):
    data = contribution(client, consultations)
    data.pop("q_position_paper")
    page = client.post(f"/consultations/{SLUG}/respond", data=data).get_data(as_text=True)
    assert "Typed by a person" in page and 'id="files-again"' not in page


def test_a_draft_sent_too_fast_keeps_its_answers_on_the_page(client, consultations, min_time):
    """The page knew only new and edited contributions; a resumed draft showed nothing."""
    data = contribution(client, consultations)
    saved = client.post(
        f"/consultations/{SLUG}/respond",
        data={**data, "action": "save_draft"},
        content_type="multipart/form-data",
    )
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    link = re.search(r'id="draft-url" type="text" readonly value="http://localhost([^"]+)"', page)
    form = {**form_tokens(client, SLUG), **valid_form_data(consultations[SLUG].questionnaire)}
    form.pop("q_position_paper")
    form["q_final_comments"] = "Typed by a person"
    result = client.post(link.group(1), data=form)
    assert result.status_code == 422
    html = result.get_data(as_text=True)
    assert "Typed by a person" in html and "Try sending it again" in html
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
