"""Drafts: saved as typed, reached by a private link stored only hashed, sent, deleted, purged."""

import hashlib
import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from consultation.extensions import db
from consultation.responses.drafts import purge_drafts
from consultation.responses.models import Draft, Response, Upload
from consultation.responses.queries import response_values
from consultation.responses.tokens import hash_token

from .answers import PDF, valid_form_data
from .conftest import form_tokens
from .forms import answers_shown, private_link, shown_form

SLUG = "apply-ai"

#: Unfinished and partly wrong answers: required questions left blank, malformed values.
UNFINISHED = {
    "q_language": "en",
    "q_respondent_type": "company",
    "q_first_name": "Ada",
    "q_email": "ada at example dot org",  # not an address
    "q_ai_stage": "exploring",
    "q_staff_using_ai": "about forty",  # not a number
    "q_use_cases": "Line one\nLine two " + "x" * 1600,  # over the 1,500 characters
}


def unfinished(questionnaire):
    """UNFINISHED, with choices the questionnaire would refuse when sent."""
    data = dict(UNFINISHED)
    data["q_barriers"] = questionnaire.questions["barriers"].option_keys[:4]  # at most 3
    enablers = questionnaire.questions["enablers"]
    data[f"q_enablers-{enablers.row_keys[0]}"] = enablers.scale_keys[1]
    priorities = questionnaire.questions["priorities"].option_keys
    # Two items at the same position: refused when sent, kept as typed in a draft.
    data[f"q_priorities-{priorities[0]}"] = "1"
    data[f"q_priorities-{priorities[1]}"] = "1"
    return data


def post(client, url, data):
    return client.post(url, data=data, content_type="multipart/form-data")


def save_new_draft(client, data, slug=SLUG):
    """Save ``data`` as a new draft from the questionnaire; return the saved page and link."""
    result = post(
        client,
        f"/consultations/{slug}/respond",
        {**form_tokens(client, slug), **data, "action": "save_draft"},
    )
    assert result.status_code == 303, result.get_data(as_text=True)[:2000]
    assert result.headers["Location"].endswith("/drafts/saved")
    page = client.get(result.headers["Location"]).get_data(as_text=True)
    return page, private_link(page, "draft")


def as_lists(data):
    return {
        name: value if isinstance(value, list) else [value]
        for name, value in data.items()
        if name.startswith("q_") and not isinstance(value, tuple)
    }


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_unfinished_and_invalid_answers_are_saved_and_resumed_as_typed(client, consultations):
    questionnaire = consultations[SLUG].questionnaire
    data = unfinished(questionnaire)

    page, link = save_new_draft(client, data)

    assert "Your answers are saved" in page
    assert count(Draft) == 1 and count(Response) == 0
    resumed = client.get(link)
    assert resumed.status_code == 200
    assert resumed.headers["Cache-Control"] == "no-store"
    assert resumed.headers["Referrer-Policy"] == "no-referrer"
    html = resumed.get_data(as_text=True)
    assert "You are continuing the draft" in html
    assert "error-summary" not in html  # nothing is checked until it is sent
    assert answers_shown(html) == as_lists(data)


def test_a_resumed_draft_keeps_every_answer_type_including_the_file(client, consultations):
    questionnaire = consultations[SLUG].questionnaire
    data = valid_form_data(questionnaire)

    _, link = save_new_draft(client, data)

    draft = db.session.scalars(select(Draft)).one()
    html = client.get(link).get_data(as_text=True)
    assert answers_shown(html) == as_lists(data)
    assert "Attached: <strong>position.pdf</strong>" in html
    kept = draft.data["files"]["position_paper"]
    assert kept["sha256"] == hashlib.sha256(PDF).hexdigest()

    # Sent as it is shown, without choosing the file again: the draft's file goes with it.
    sent = post(client, link, shown_form(html))

    assert sent.status_code == 303, sent.get_data(as_text=True)[:2000]
    response = db.session.scalars(select(Response)).one()
    assert response.receipt_token_hash == hash_token(sent.headers["Location"].rsplit("/", 1)[1])
    upload = db.session.scalars(select(Upload)).one()
    assert upload.stored_name == kept["stored_name"] and upload.original_name == "position.pdf"
    assert response_values(response)["position_paper"] == "position.pdf"
    assert count(Draft) == 0
    assert client.get(link).status_code == 404
    receipt = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert private_link(receipt, "edit").startswith("/contributions/edit/")


def test_a_sent_draft_sent_again_shows_the_receipt_and_stores_nothing_more(client, consultations):
    questionnaire = consultations[SLUG].questionnaire
    _, link = save_new_draft(client, valid_form_data(questionnaire))
    form = shown_form(client.get(link).get_data(as_text=True))
    first = post(client, link, form)
    assert first.status_code == 303

    again = post(client, link, form)  # Back, then Send again

    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert count(Response) == 1
    form["submission_token"] = "another"
    assert post(client, link, form).status_code == 404


def test_token_is_stored_only_as_its_hash(client, consultations):
    page, link = save_new_draft(client, {"q_first_name": "Ada"})

    token = link.rsplit("/", 1)[1]
    assert len(token) >= 43  # 256 random bits
    draft = db.session.scalars(select(Draft)).one()
    assert draft.token_hash == hashlib.sha256(token.encode()).hexdigest()
    for column in Draft.__table__.columns:
        assert token not in str(getattr(draft, column.key))
    # A reload soon after (a change of language) still shows it; ten minutes later it is gone.
    assert token in client.get("/drafts/saved").get_data(as_text=True)
    from consultation import clock

    clock.freeze(clock.now_utc() + timedelta(minutes=11))
    again = client.get("/drafts/saved").get_data(as_text=True)
    assert token not in again and "shown only for a few minutes" in again


def test_wrong_token_is_404(client, consultations):
    _, link = save_new_draft(client, {"q_first_name": "Ada"})
    wrong = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")

    assert client.get(wrong).status_code == 404
    assert post(client, wrong, {"q_first_name": "Eve"}).status_code == 404
    assert client.get(wrong + "/my-answers.txt").status_code == 404
    assert client.get(wrong + "/delete").status_code == 404
    assert client.get("/drafts/" + "x" * 43).status_code == 404


def test_saving_again_updates_the_same_draft(client, consultations, frozen_clock):
    _, link = save_new_draft(client, {"q_first_name": "Ada"})
    first = db.session.scalars(select(Draft)).one()
    created = first.created_at
    html = client.get(link).get_data(as_text=True)
    frozen_clock.set(created + timedelta(hours=2))
    form = shown_form(html)
    form["q_surname"] = "Lovelace"
    form["action"] = "save_draft"

    result = post(client, link, form)

    assert result.status_code == 303
    db.session.expire_all()
    draft = db.session.scalars(select(Draft)).one()
    assert draft.created_at == created and draft.updated_at == created + timedelta(hours=2)
    assert draft.data["fields"]["q_surname"] == ["Lovelace"]
    assert client.get(link).status_code == 200  # same link
    saved = client.get(result.headers["Location"]).get_data(as_text=True)
    assert private_link(saved, "draft") == link


def test_sending_an_incomplete_draft_shows_errors_and_keeps_it(client, consultations):
    questionnaire = consultations[SLUG].questionnaire
    _, link = save_new_draft(client, unfinished(questionnaire))
    html = client.get(link).get_data(as_text=True)

    result = post(client, link, shown_form(html))

    assert result.status_code == 400
    page = result.get_data(as_text=True)
    assert "error-summary" in page and "Enter a number" in page
    assert count(Response) == 0 and count(Draft) == 1
    assert answers_shown(page) == as_lists(unfinished(questionnaire))


def test_a_refused_file_is_reported_and_the_rest_is_saved(client, consultations):
    data = {"q_first_name": "Ada", "q_position_paper": (io.BytesIO(b"MZ\x90\x00"), "virus.pdf")}

    page, link = save_new_draft(client, data)

    assert "A file could not be kept" in page and "virus.pdf" in page
    draft = db.session.scalars(select(Draft)).one()
    assert draft.data == {"fields": {"q_first_name": ["Ada"]}, "files": {}}


def test_a_kept_file_can_be_removed_or_replaced(client, consultations, app):
    data = {"q_first_name": "Ada", "q_position_paper": (io.BytesIO(PDF), "first.pdf")}
    _, link = save_new_draft(client, data)
    first = db.session.scalars(select(Draft)).one().data["files"]["position_paper"]
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert (folder / first["stored_name"]).is_file()
    form = shown_form(client.get(link).get_data(as_text=True))

    post(
        client,
        link,
        {**form, "action": "save_draft", "q_position_paper": (io.BytesIO(PDF), "second.pdf")},
    )
    db.session.expire_all()
    second = db.session.scalars(select(Draft)).one().data["files"]["position_paper"]
    assert second["filename"] == "second.pdf"
    assert not (folder / first["stored_name"]).exists()

    post(client, link, {**form, "action": "save_draft", "q_position_paper-remove": "y"})
    db.session.expire_all()
    assert db.session.scalars(select(Draft)).one().data["files"] == {}
    assert not (folder / second["stored_name"]).exists()


def test_draft_can_be_deleted_by_its_owner_after_confirming(client, consultations, app):
    data = {"q_first_name": "Ada", "q_position_paper": (io.BytesIO(PDF), "paper.pdf")}
    _, link = save_new_draft(client, data)
    stored = db.session.scalars(select(Draft)).one().data["files"]["position_paper"]

    confirm = client.get(link + "/delete")
    assert confirm.status_code == 200 and count(Draft) == 1
    html = confirm.get_data(as_text=True)
    assert "Delete your draft?" in html
    csrf = shown_form(html)["csrf_token"]
    assert client.post(link + "/delete").status_code == 400  # no CSRF token: refused
    assert count(Draft) == 1

    deleted = client.post(link + "/delete", data={"csrf_token": csrf})

    assert deleted.status_code == 200 and "Your draft is deleted" in deleted.get_data(as_text=True)
    assert count(Draft) == 0
    assert not (Path(app.config["UPLOAD_FOLDER"]) / stored["stored_name"]).exists()
    assert client.get(link).status_code == 404


def close(consultation, frozen_clock, after=timedelta(seconds=1)):
    frozen_clock.set(consultation.closes_at + after)


def test_after_the_deadline_a_draft_cannot_be_sent_but_can_be_read_and_downloaded(
    client, consultations, frozen_clock
):
    consultation = consultations[SLUG]
    questionnaire = consultation.questionnaire
    data = {**unfinished(questionnaire), "q_position_paper": (io.BytesIO(PDF), "paper.pdf")}
    _, link = save_new_draft(client, data)
    form = shown_form(client.get(link).get_data(as_text=True))
    complete = {**form, **valid_form_data(questionnaire)}
    del complete["q_position_paper"]
    close(consultation, frozen_clock)

    page = client.get(link)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "can no longer be sent" in html
    assert "Ada" in html and "about forty" in html and "paper.pdf" in html
    assert 'name="q_first_name"' not in html  # read only

    sent = post(client, link, complete)
    assert sent.status_code == 403 and "Your contribution was not stored" in sent.get_data(
        as_text=True
    )
    saved = post(client, link, {**form, "q_first_name": "Changed", "action": "save_draft"})
    assert saved.status_code == 403
    db.session.expire_all()
    assert count(Response) == 0
    assert db.session.scalars(select(Draft)).one().data["fields"]["q_first_name"] == ["Ada"]

    download = client.get(link + "/my-answers.txt")
    assert download.status_code == 200
    assert download.mimetype == "text/plain"
    assert "attachment" in download.headers["Content-Disposition"]
    text = download.get_data(as_text=True)
    assert consultation.text("title") in text
    for typed in ("Ada", "about forty", "ada at example dot org", "Line one", "paper.pdf"):
        assert typed in text

    assert "/my-draft.pdf" in html
    pdf = client.get(link + "/my-draft.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]
    from .reporting import pdf_text

    words = pdf_text(pdf.data)
    for typed in ("Ada", "about forty", "Line one", "paper.pdf"):
        assert typed in words


def test_a_new_draft_cannot_be_saved_after_the_deadline_but_nothing_is_lost(
    client, consultations, frozen_clock
):
    consultation = consultations[SLUG]
    data = {**form_tokens(client, SLUG), "q_first_name": "Ada", "action": "save_draft"}
    close(consultation, frozen_clock)

    result = post(client, f"/consultations/{SLUG}/respond", data)

    assert result.status_code == 403
    page = result.get_data(as_text=True)
    assert "has closed" in page and "Ada" in page and "Download my answers" in page
    assert count(Draft) == 0


def test_saving_a_draft_needs_a_valid_session_but_keeps_the_answers(client, consultations):
    data = {"q_first_name": "Ada", "csrf_token": "expired", "action": "save_draft"}

    result = post(client, f"/consultations/{SLUG}/respond", data)

    assert result.status_code == 400
    page = result.get_data(as_text=True)
    assert "Please send the form again" in page and 'value="Ada"' in page
    assert count(Draft) == 0


@pytest.mark.parametrize("days", [30, 7])
def test_purge_respects_the_retention_time(client, consultations, frozen_clock, app, days):
    open_one, closing = consultations["data-union-strategy"], consultations[SLUG]
    assert open_one.closes_at > closing.closes_at
    save_new_draft(client, {"q_first_name": "Early"}, slug=SLUG)
    save_new_draft(client, {"q_first_name": "Late"}, slug="data-union-strategy")
    folder = app.config["UPLOAD_FOLDER"]

    frozen_clock.set(closing.closes_at + timedelta(days=days) - timedelta(seconds=1))
    assert purge_drafts(days, folder) == 0

    frozen_clock.set(closing.closes_at + timedelta(days=days))
    assert purge_drafts(days, folder) == 1
    db.session.commit()
    remaining = db.session.scalars(select(Draft)).one()
    assert remaining.consultation_id == open_one.id


def test_purge_counts_from_an_early_closing(client, consultations, frozen_clock, app):
    consultation = consultations[SLUG]
    save_new_draft(client, {"q_first_name": "Ada"})
    consultation.closed_at = consultation.opens_at + timedelta(days=50)
    db.session.commit()

    frozen_clock.set(consultation.closed_at + timedelta(days=30))

    assert purge_drafts(30, app.config["UPLOAD_FOLDER"]) == 1


def test_flask_drafts_purge_uses_the_configured_retention(client, consultations, frozen_clock, app):
    consultation = consultations[SLUG]
    save_new_draft(client, {"q_first_name": "Ada"})
    runner = app.test_cli_runner()
    frozen_clock.set(consultation.closes_at + timedelta(days=29))

    kept = runner.invoke(args=["drafts", "purge"])
    assert kept.exit_code == 0 and "0 drafts deleted" in kept.output
    assert count(Draft) == 1

    shorter = runner.invoke(args=["drafts", "purge", "--days", "7"])
    assert shorter.exit_code == 0 and "1 draft deleted" in shorter.output
    assert count(Draft) == 0


def test_saved_page_says_until_when_the_draft_is_kept(client, consultations, app, monkeypatch):
    monkeypatch.setitem(app.config, "DRAFT_RETENTION_DAYS", 30)
    page, _ = save_new_draft(client, {"q_first_name": "Ada"})
    # Closes at the end of 4 June 2025; kept 30 days more: readable through 4 July.
    assert "until 4 June 2025, midnight Brussels time" in page
    assert "until 4 July 2025, midnight Brussels time, when the draft is deleted" in page
