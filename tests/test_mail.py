"""E-mailing a draft's link: through a local SMTP server, or not offered at all."""

import email
import smtplib
import socket
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from consultation import clock
from consultation.extensions import db
from consultation.jobs.models import Job
from consultation.jobs.queue import queue_of
from consultation.mail import MailNotSent, send_mail

from .conftest import form_tokens
from .forms import private_link, shown_form
from .jobs_helpers import job as job_row
from .jobs_helpers import run_jobs
from .live_server import Browser, live_server

SLUG = "apply-ai"


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 OK"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(app, monkeypatch):
    """A real SMTP server on loopback, and the settings that point at it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    monkeypatch.setitem(app.config, "MAIL_SENDER", "consultations@example.eu")
    yield inbox
    controller.stop()


def save_draft(client, data):
    result = client.post(
        f"/consultations/{SLUG}/respond",
        data={**form_tokens(client, SLUG), **data, "action": "save_draft"},
        content_type="multipart/form-data",
    )
    return client.get(result.headers["Location"]).get_data(as_text=True)


def test_the_draft_link_is_e_mailed_through_smtp(app, client, consultations, smtp_server):
    page = save_draft(client, {"q_first_name": "Ada", "q_email": "ada@example.org"})
    link = private_link(page, "draft")
    assert "Send me the link" in page
    form = shown_form(page)
    assert form["email"] == "ada@example.org"  # offered from the answers

    sent = client.post(
        link + "/email", data={"csrf_token": form["csrf_token"], "email": "ada@example.org"}
    )

    assert sent.status_code == 200, sent.get_data(as_text=True)
    html = sent.get_data(as_text=True)
    assert "The link is on its way" in html and private_link(html, "draft") == link
    assert smtp_server.messages == []  # a job sends it, not the request
    assert run_jobs(app) == 1
    [(recipients, message)] = smtp_server.messages
    assert recipients == ["ada@example.org"]
    assert message["From"] == "consultations@example.eu"
    assert message["Subject"] == "Your saved draft: " + consultations[SLUG].text("title")
    body = message.get_payload(decode=True).decode()
    assert f"http://localhost{link}" in body
    assert client.get(link).status_code == 200
    (job,) = db.session.scalars(select(Job)).all()
    assert job.kind == "mail" and job.state.value == "done"
    assert "body" not in job.parameters and link not in str(job.parameters)  # not kept


def test_a_malformed_address_is_refused_and_nothing_is_sent(client, consultations, smtp_server):
    page = save_draft(client, {"q_first_name": "Ada"})
    link = private_link(page, "draft")

    result = client.post(
        link + "/email", data={"csrf_token": shown_form(page)["csrf_token"], "email": "ada@"}
    )

    assert result.status_code == 400
    assert "Enter an e-mail address" in result.get_data(as_text=True)
    assert smtp_server.messages == []


def test_a_server_that_does_not_answer_is_tried_again_later(
    app, client, consultations, monkeypatch, frozen_clock
):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    page = save_draft(client, {"q_first_name": "Ada"})
    link = private_link(page, "draft")

    result = client.post(
        link + "/email",
        data={"csrf_token": shown_form(page)["csrf_token"], "email": "ada@example.org"},
    )

    assert result.status_code == 200 and "on its way" in result.get_data(as_text=True)
    run_jobs(app)
    (job,) = db.session.scalars(select(Job)).all()
    assert job.state.value == "queued" and job.attempts == 1
    assert job.error.startswith("The mail server did not take the message")
    assert queue_of(app).huey.scheduled_count() == 1  # handed to the queue for later

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
        frozen_clock.set(clock.now_utc() + timedelta(seconds=61))
        run_jobs(app, scheduled=True)
    finally:
        controller.stop()
    assert job_row(job.id).state.value == "done" and job_row(job.id).attempts == 2
    [(recipients, message)] = inbox.messages
    assert link in message.get_payload(decode=True).decode()


def test_when_the_queue_is_down_the_link_stays_on_the_page(app, client, consultations, smtp_server):
    page = save_draft(client, {"q_first_name": "Ada"})
    link = private_link(page, "draft")
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    try:
        result = client.post(
            link + "/email",
            data={"csrf_token": shown_form(page)["csrf_token"], "email": "ada@example.org"},
        )
    finally:
        app.config["REDIS_URL"] = None
    assert result.status_code == 503
    html = result.get_data(as_text=True)
    assert "could not send" in html and private_link(html, "draft") == link
    assert db.session.scalars(select(Job)).all() == []


def test_attachments_go_with_a_queued_message(app, smtp_server):
    from consultation.mail import enqueue_mail

    enqueue_mail(
        "ada@example.org",
        "Your copy",
        "Attached.",
        [("copy.pdf", "application/pdf", b"%PDF-1.7 x")],
    )
    db.session.commit()
    run_jobs(app)
    [(_, message)] = smtp_server.messages
    (attachment,) = [part for part in message.walk() if part.get_filename()]
    assert attachment.get_filename() == "copy.pdf"
    assert attachment.get_payload(decode=True) == b"%PDF-1.7 x"


def test_without_a_mail_server_no_e_mail_is_offered(client, consultations):
    page = save_draft(client, {"q_first_name": "Ada"})
    link = private_link(page, "draft")

    assert "Send me the link" not in page
    csrf = shown_form(client.get(link + "/delete").get_data(as_text=True))["csrf_token"]
    result = client.post(link + "/email", data={"csrf_token": csrf, "email": "ada@example.org"})
    assert result.status_code == 404


def test_tls_and_login_are_used_when_configured(app, monkeypatch):
    calls = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            calls.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            calls.append(("starttls",))

        def login(self, user, password):
            calls.append(("login", user, password))

        def send_message(self, message):
            calls.append(("send", message["To"]))

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    for key, value in {
        "MAIL_SERVER": "smtp.example.eu",
        "MAIL_PORT": 587,
        "MAIL_USE_TLS": True,
        "MAIL_USERNAME": "user",
        "MAIL_PASSWORD": "secret",
    }.items():
        monkeypatch.setitem(app.config, key, value)

    send_mail("ada@example.org", "Subject", "Body")

    assert calls == [
        ("connect", "smtp.example.eu", 587),
        ("starttls",),
        ("login", "user", "secret"),
        ("send", "ada@example.org"),
    ]


def test_a_refused_message_raises_mail_not_sent(app, monkeypatch):
    class Refusing:
        def __init__(self, *args, **kwargs):
            raise smtplib.SMTPConnectError(421, b"busy")

    monkeypatch.setattr(smtplib, "SMTP", Refusing)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.eu")

    with pytest.raises(MailNotSent):
        send_mail("ada@example.org", "Subject", "Body")
    db.session.rollback()


# -- links in e-mail never take their host from the request (issue 13, item 2) -----------


def email_the_link(app, host):
    """Over real HTTP: save a draft, then ask for its link by e-mail with a forged Host."""
    with live_server(app) as base:
        browser = Browser(base)
        tokens = browser.form_tokens(SLUG)
        status, url, page = browser.post(
            f"/consultations/{SLUG}/respond",
            {**tokens, "q_first_name": "Ada", "action": "save_draft"},
        )
        assert status == 200 and url.endswith("/drafts/saved"), page[:300]
        link = private_link(page, "draft").removeprefix(base)
        body = urllib.parse.urlencode(
            {"csrf_token": shown_form(page)["csrf_token"], "email": "ada@example.org"}
        ).encode()
        request = urllib.request.Request(base + link + "/email", data=body, method="POST")
        request.add_header("Host", host)
        status, _, page = browser._open(request)
    return link, status, page


def test_a_forged_host_never_reaches_a_mailed_link(consultations, smtp_server, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://consultations.example.eu")
    link, status, page = email_the_link(app, "evil.example")
    assert status == 200, page[:500]
    run_jobs(app)  # the e-mail is a job
    [(_, message)] = smtp_server.messages
    body = message.get_payload(decode=True).decode()
    assert f"https://consultations.example.eu{link}" in body
    assert "evil.example" not in body


def test_with_trusted_hosts_a_forged_host_is_refused(consultations, smtp_server, app, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["127.0.0.1"])
    _, status, page = email_the_link(app, "evil.example")
    assert status == 400
    assert "The request could not be understood" in page
    run_jobs(app)
    assert smtp_server.messages == []
