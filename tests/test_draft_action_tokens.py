"""A draft's small forms (e-mail me the link, delete) carry the questionnaire's own token
(``form_token``), so an ended session loses nothing; a refused token keeps the person on
the page with what they typed."""

from datetime import timedelta

from sqlalchemy import func, select

from consultation import clock
from consultation.extensions import db
from consultation.responses.models import Draft

from . import test_mail
from .forms import private_link, shown_form
from .jobs_helpers import run_jobs

smtp_server = test_mail.smtp_server  # the fixture: a real SMTP server on loopback


def drafts() -> int:
    return db.session.scalar(select(func.count()).select_from(Draft))


def saved(client):
    page = test_mail.save_draft(client, {"q_first_name": "Ada"})
    return page, private_link(page, "draft")


def end_the_session(client, frozen_clock, app, hours=2):
    """What a person who left the page open finds: the session gone, hours later."""
    client.delete_cookie("session")
    frozen_clock.set(clock.now_utc() + timedelta(hours=hours))
    assert timedelta(hours=hours) > app.config["PERMANENT_SESSION_LIFETIME"]


def test_a_draft_is_deleted_after_the_session_ended(app, client, consultations, frozen_clock):
    _, link = saved(client)
    asked = client.get(link + "/delete").get_data(as_text=True)
    end_the_session(client, frozen_clock, app)

    deleted = client.post(link + "/delete", data={"csrf_token": shown_form(asked)["csrf_token"]})

    assert deleted.status_code == 200, deleted.get_data(as_text=True)[:500]
    assert "Your draft is deleted" in deleted.get_data(as_text=True)
    assert drafts() == 0


def test_the_link_is_e_mailed_after_the_session_ended(
    app, client, consultations, frozen_clock, smtp_server
):
    page, link = saved(client)
    end_the_session(client, frozen_clock, app)

    sent = client.post(
        link + "/email",
        data={"csrf_token": shown_form(page)["csrf_token"], "email": "ada@example.org"},
    )

    assert sent.status_code == 200 and "The link is on its way" in sent.get_data(as_text=True)
    run_jobs(app)
    [(recipients, _)] = smtp_server.messages
    assert recipients == ["ada@example.org"]


def test_a_token_past_its_time_is_refused_in_words_and_nothing_is_lost(
    app, client, consultations, frozen_clock, smtp_server
):
    page, link = saved(client)
    asked = client.get(link + "/delete").get_data(as_text=True)
    hours = app.config["QUESTIONNAIRE_TOKEN_HOURS"]
    frozen_clock.set(clock.now_utc() + timedelta(hours=hours, minutes=1))

    refused = client.post(link + "/delete", data={"csrf_token": shown_form(asked)["csrf_token"]})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert f"Please confirm again: this page was open for more than {hours} hours" in html
    assert "Your draft was not deleted" in html and drafts() == 1
    again = client.post(link + "/delete", data={"csrf_token": shown_form(html)["csrf_token"]})
    assert again.status_code == 200 and drafts() == 0  # the page shown again works

    page, link = saved(client)
    frozen_clock.set(clock.now_utc() + timedelta(hours=hours, minutes=1))
    refused = client.post(
        link + "/email",
        data={"csrf_token": shown_form(page)["csrf_token"], "email": "ada@example.org"},
    )
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "Please send it again" in html
    assert shown_form(html)["email"] == "ada@example.org"  # what was typed is kept
    assert private_link(html, "draft") == link  # and the link is still there to copy
    run_jobs(app)
    assert smtp_server.messages == []


def test_a_token_works_for_its_action_and_draft_only(app, client, consultations, smtp_server):
    page, link = saved(client)
    _, other = saved(client)
    email_token = shown_form(page)["csrf_token"]
    delete_token = shown_form(client.get(link + "/delete").get_data(as_text=True))["csrf_token"]

    assert client.post(other + "/delete", data={"csrf_token": delete_token}).status_code == 400
    assert client.post(link + "/delete", data={"csrf_token": email_token}).status_code == 400
    assert client.post(link + "/delete", data={}).status_code == 400
    assert drafts() == 2
    stranger = app.test_client()  # another browser: no form_key cookie
    assert stranger.post(link + "/delete", data={"csrf_token": delete_token}).status_code == 400
    assert drafts() == 2
    assert client.post(link + "/delete", data={"csrf_token": delete_token}).status_code == 200
    assert drafts() == 1
