"""A flash crowd, small: beyond the submission slots a form gets a "too busy" page that keeps
every answer; nothing is lost, nothing half-stored, and the same form sent again is stored once."""

import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from html import unescape

import pytest
from sqlalchemy import func, select

from consultation.extensions import db
from consultation.responses import admission
from consultation.responses.models import Answer, Response

from .answers import valid_form_data
from .conftest import form_tokens
from .live_server import Browser, live_server

SLUG = "apply-ai"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@pytest.fixture
def gate(app, tmp_path):
    """One slot, in a folder of this test's own; the app's settings put back afterwards."""
    saved = {k: app.config[k] for k in ("SUBMISSION_SLOTS", "SUBMISSION_WAIT_SECONDS")}
    saved["SUBMISSION_GATE_FOLDER"] = app.config.get("SUBMISSION_GATE_FOLDER")
    app.config.update(
        SUBMISSION_SLOTS=1, SUBMISSION_WAIT_SECONDS=0.05, SUBMISSION_GATE_FOLDER=str(tmp_path)
    )
    yield tmp_path
    app.config.update(saved)


@contextmanager
def slot_held(folder):
    """Someone else is storing a contribution: the one slot is taken."""
    descriptor = admission._take_slot(folder, 1)
    assert descriptor is not None
    try:
        yield
    finally:
        os.close(descriptor)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def resend_form(page: str) -> list:
    """The fields of the busy page's "Try sending it again" form, as a browser sends them."""
    form = page.split('<form method="post"', 1)[1].split("</form>", 1)[0]
    return [(name, unescape(value)) for name, value in HIDDEN.findall(form)]


def test_a_form_finding_no_slot_gets_a_busy_page_with_every_answer(client, consultations, gate):
    data = {**form_tokens(client, SLUG), **valid_form_data(consultations[SLUG].questionnaire)}
    data.pop("q_position_paper")
    data["q_final_comments"] = "Words I do not want to lose"

    with slot_held(gate):
        busy = client.post(f"/consultations/{SLUG}/respond", data=data)

    page = busy.get_data(as_text=True)
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "10"
    assert busy.headers["Cache-Control"] == "no-store"
    assert "Too many people are sending their contributions at this moment" in page
    assert "nothing was stored" in page and "Words I do not want to lose" in page
    assert count(Response) == 0 and count(Answer) == 0  # nothing, not half of it

    # the slot is free again: "Try sending it again" stores it, once
    fields = resend_form(page)
    assert ("submission_token", data["submission_token"]) in fields
    assert ("q_final_comments", "Words I do not want to lose") in fields
    again = client.post(f"/consultations/{SLUG}/respond", data=_multi(fields))
    assert again.status_code == 303 and "/contributions/receipt/" in again.headers["Location"]
    assert client.post(f"/consultations/{SLUG}/respond", data=_multi(fields)).status_code == 303
    assert count(Response) == 1


def test_the_busy_page_speaks_the_language_of_the_form(client, consultations, gate):
    client.get("/language/fr")
    data = {**form_tokens(client, SLUG), **valid_form_data(consultations[SLUG].questionnaire)}
    data.pop("q_position_paper")
    with slot_held(gate):
        busy = client.post(f"/consultations/{SLUG}/respond", data=data)
    assert busy.status_code == 503
    assert "Trop de personnes envoient leur contribution" in busy.get_data(as_text=True)


def test_without_slots_the_gate_is_open(client, consultations, gate, app):
    app.config["SUBMISSION_SLOTS"] = 0
    data = {**form_tokens(client, SLUG), **valid_form_data(consultations[SLUG].questionnaire)}
    data.pop("q_position_paper")
    with slot_held(gate):
        assert client.post(f"/consultations/{SLUG}/respond", data=data).status_code == 303


def test_a_crowd_through_one_slot_loses_nothing(app, consultations, gate):
    """Twelve forms at once through a real server: each is stored with a receipt, or refused
    with its answers; the refused ones, sent again, are stored; no contribution is partial."""
    app.config["SUBMISSION_WAIT_SECONDS"] = 0
    questionnaire = consultations[SLUG].questionnaire
    respondents = 12
    with live_server(app) as base:
        browsers = [Browser(base) for _ in range(respondents)]
        forms = []
        for index, browser in enumerate(browsers):
            data = {**browser.form_tokens(SLUG), **valid_form_data(questionnaire)}
            data.pop("q_position_paper")
            data["q_final_comments"] = f"Comment of respondent {index}"
            forms.append(data)
        start = threading.Barrier(respondents)

        def send(index):
            start.wait()
            return browsers[index].post(f"/consultations/{SLUG}/respond", forms[index])

        with ThreadPoolExecutor(respondents) as pool:
            results = list(pool.map(send, range(respondents)))

        received, busy = [], []
        for index, (status, url, page) in enumerate(results):
            assert status in (200, 503), (status, page[:300])
            if status == 200:
                assert "/contributions/receipt/" in url
                received.append(forms[index]["submission_token"])
            else:
                assert f"Comment of respondent {index}" in page
                busy.append((index, resend_form(page)))
        assert received and busy, "one slot for twelve at once: some stored, some refused"
        assert stored_tokens() == set(received)  # refused forms left nothing behind
        complete_answers(len(received))

        for index, fields in busy:  # the crowd is gone: each sends again, once
            status, url, _ = browsers[index].post(f"/consultations/{SLUG}/respond", fields)
            assert status == 200 and "/contributions/receipt/" in url
    assert stored_tokens() == {form["submission_token"] for form in forms}
    complete_answers(respondents)


def stored_tokens() -> set:
    db.session.expire_all()
    return set(db.session.scalars(select(Response.submission_token)))


def complete_answers(responses: int) -> None:
    """Every stored response has all its answer rows: the same number as every other."""
    rows = db.session.execute(
        select(Answer.response_id, func.count()).group_by(Answer.response_id)
    ).all()
    assert len(rows) == responses and len({n for _, n in rows}) == 1, rows


def _multi(fields):
    from werkzeug.datastructures import MultiDict

    return MultiDict(fields)
