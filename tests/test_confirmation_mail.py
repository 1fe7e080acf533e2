"""The confirmation e-mail (issue 12, item 7): reference, private links and the PDF copy,
sent by a job through a real SMTP server once the contribution is stored, retried, never
twice, never with its links or address in clear in the jobs table."""

import email
import email.policy
import io
import re
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader
from sqlalchemy import select, text

from consultation import clock
from consultation.audit.models import AuditRecord
from consultation.extensions import db
from consultation.jobs.models import Job
from consultation.jobs.tasks import MAIL_DELAYS
from consultation.responses.models import Response
from consultation.sealing import Unreadable, seal, unseal

from . import test_mail
from .admin_helpers import make_user, sign_in
from .answers import valid_form_data
from .conftest import form_tokens
from .forms import answers_shown, private_link, shown_form
from .jobs_helpers import Worker, run_jobs, wait_for
from .jobs_helpers import job as job_row
from .test_i18n_admin_drafts import speak
from .test_mail import Inbox, free_port

smtp_server = test_mail.smtp_server  # the fixture: a real SMTP server on loopback

SLUG = "apply-ai"
ADDRESS = "ada.lovelace@example.org"


def contribution(consultation, **overrides):
    """A complete contribution as the form posts it (no file: the test client sends none)."""
    answers = valid_form_data(consultation.questionnaire, {"q_email": ADDRESS, **overrides})
    return {k: v for k, v in answers.items() if k != "q_position_paper"}


def send(client, consultation, **overrides):
    """POST a contribution; (the response stored, the receipt's path, its page, the form)."""
    data = {**form_tokens(client, SLUG), **contribution(consultation, **overrides)}
    result = client.post(f"/consultations/{SLUG}/respond", data=data)
    assert result.status_code == 303, result.get_data(as_text=True)[:2000]
    receipt = result.headers["Location"]
    response = db.session.scalars(select(Response).order_by(Response.id.desc())).first()
    return response, receipt, client.get(receipt).get_data(as_text=True), data


def body_of(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode().replace("\r\n", "\n")


def subject_of(message) -> str:
    """The subject as a mail program shows it (unfolded, encoded words decoded)."""
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)["Subject"]


def pdf_of(message) -> tuple[str, bytes]:
    (part,) = [p for p in message.walk() if p.get_filename()]
    return part.get_filename(), part.get_payload(decode=True)


def jobs_table_text() -> str:
    """Every column of every row of the jobs table, as anyone reading the database sees it."""
    rows = db.session.execute(text("SELECT * FROM jobs")).all()
    return repr([tuple(row) for row in rows])


def tokens_of(receipt_page: str) -> tuple[str, str]:
    receipt = private_link(receipt_page, "receipt").rsplit("/", 1)[1]
    edit = private_link(receipt_page, "edit").rsplit("/", 1)[1]
    return receipt, edit


# -- the e-mail ---------------------------------------------------------------------------
def test_a_ticked_copy_arrives_with_the_reference_the_private_links_and_the_pdf(
    app, client, consultations, smtp_server
):
    consultation = consultations[SLUG]
    page = client.get(f"/consultations/{SLUG}/respond").get_data(as_text=True)
    assert 'name="send_copy"' in page and "Send me a copy by e-mail" in page
    assert page.index('id="q_email"') < page.index('id="send_copy"')  # just below the address

    response, receipt, page, _ = send(client, consultation, send_copy="y")
    receipt_token, edit_token = tokens_of(page)

    assert smtp_server.messages == []  # a job sends it after the commit, not the request
    notice = page.split('id="copy-notice"')[1].split("</div>")[0]
    assert f"A copy of your contribution is being sent to {ADDRESS}." in notice
    for secret in (ADDRESS, receipt_token, edit_token):
        assert secret not in jobs_table_text()

    assert run_jobs(app) == 1
    [(recipients, message)] = smtp_server.messages
    assert recipients == [ADDRESS]
    assert message["From"] == "consultations@example.eu"
    assert message["Message-ID"] == f"<confirmation.{response.reference}@example.eu>"
    title = consultation.text("title")
    assert subject_of(message) == (
        f"Your contribution to “{title}” (reference {response.reference})"
    )
    body = body_of(message)
    assert f"Your contribution reference: {response.reference}" in body
    assert f"http://localhost/contributions/receipt/{receipt_token}\n" in body
    assert f"http://localhost/contributions/edit/{edit_token}\n" in body
    assert "These links are private." in body and "do not forward this message" in body
    assert "attached to this message as a PDF file" in body
    name, pdf = pdf_of(message)
    assert name == f"contribution-{response.reference}.pdf" and pdf.startswith(b"%PDF")
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert response.reference in pdf_text and ADDRESS in pdf_text

    # The links in the e-mail work, in another browser.
    reader = app.test_client()
    shown = reader.get(body.split("http://localhost")[1].split("\n")[0])
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert ADDRESS in html and "Answer to first_name" in html and response.reference in html
    edit = reader.get(f"/contributions/edit/{edit_token}").get_data(as_text=True)
    assert answers_shown(edit)["q_email"] == [ADDRESS]

    # Once sent: the receipt says so, and the jobs table keeps no sealed links either.
    page = client.get(receipt).get_data(as_text=True)
    assert f"A copy of your contribution was sent to {ADDRESS} on" in page
    job = db.session.scalars(select(Job)).one()
    assert job.kind == "confirmation" and job.response_id == response.id
    assert job.parameters == {"sent": True} and job.state.value == "done"
    for secret in (ADDRESS, receipt_token, edit_token):
        assert secret not in jobs_table_text()
    assert run_jobs(app, scheduled=True) == 0 and len(smtp_server.messages) == 1


def test_the_e_mail_is_in_the_language_of_the_page_it_was_sent_from(
    app, client, consultations, smtp_server
):
    consultation = consultations[SLUG]
    speak(client, "fr")
    page = client.get(f"/consultations/{SLUG}/respond").get_data(as_text=True)
    assert "M’envoyer une copie par courriel" in page
    response, _, page, _ = send(client, consultation, send_copy="y")
    assert f"Une copie de votre contribution est en cours d’envoi à {ADDRESS}." in page

    run_jobs(app)
    [(_, message)] = smtp_server.messages
    title = consultation.text("title", "fr")
    assert subject_of(message) == (
        f"Votre contribution à « {title} » (référence {response.reference})"
    )
    body = body_of(message)
    assert f"Référence de votre contribution : {response.reference}" in body
    assert "Ces liens sont privés." in body
    assert "Une copie de votre contribution est jointe à ce message" in body
    _, pdf = pdf_of(message)
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Vos réponses" in pdf_text and "Vous concernant" in pdf_text
    # What admins read of the job stays in the site's language.
    assert db.session.scalars(select(Job)).one().outcome == "Sent."


def test_german_wording(app, client, consultations, smtp_server):
    speak(client, "de")
    response, _, page, _ = send(client, consultations[SLUG], send_copy="y")
    run_jobs(app)
    [(_, message)] = smtp_server.messages
    assert f"(Referenz {response.reference})" in subject_of(message)
    assert "Diese Links sind privat." in body_of(message)


def test_not_ticked_no_job_and_no_e_mail(app, client, consultations, smtp_server):
    _, _, page, _ = send(client, consultations[SLUG])
    assert 'id="copy-notice"' not in page
    assert run_jobs(app) == 0 and smtp_server.messages == []
    assert db.session.scalars(select(Job)).all() == []


def test_without_a_mail_server_the_box_is_not_offered_and_nothing_is_queued(
    app, client, consultations
):
    page = client.get(f"/consultations/{SLUG}/respond").get_data(as_text=True)
    assert 'name="send_copy"' not in page
    send(client, consultations[SLUG], send_copy="y")  # a forged tick changes nothing
    assert db.session.scalars(select(Job)).all() == []


def test_the_box_is_offered_again_when_mail_is_set_up_after_a_blank_page_was_cached(
    app, client, consultations, monkeypatch
):
    assert 'name="send_copy"' not in client.get(f"/consultations/{SLUG}/respond").text
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    assert 'name="send_copy"' in client.get(f"/consultations/{SLUG}/respond").text


def test_ticked_without_an_address_says_so_and_keeps_everything(
    app, client, consultations, smtp_server, monkeypatch
):
    consultation = consultations[SLUG]
    question = consultation.questionnaire.profile_questions()["email"]
    monkeypatch.setattr(question, "required", False)  # a questionnaire where it is optional
    data = {**form_tokens(client, SLUG), **contribution(consultation, send_copy="y")}
    data["q_email"] = ""

    result = client.post(f"/consultations/{SLUG}/respond", data=data)

    assert result.status_code == 400
    html = result.get_data(as_text=True)
    message = (
        "To get a copy by e-mail, enter your e-mail address above, or untick “Send me a copy "
        "by e-mail”."
    )
    summary = html.split('id="error-summary"')[1].split("</div>")[0]
    assert f'<a href="#send_copy">Send me a copy by e-mail – {message}</a>' in summary
    assert 'id="send_copy-error"' in html
    assert 'aria-describedby="send_copy-hint send_copy-error"' in html
    form = shown_form(html)
    assert form["send_copy"] == "y"  # still ticked
    assert form["q_first_name"] == "Answer to first_name"  # nothing typed is lost
    assert answers_shown(html) == {
        k: v if isinstance(v, list) else [v]
        for k, v in data.items()
        if k.startswith("q_") and v not in ("", [])
    }
    assert db.session.scalars(select(Response)).all() == []

    # Unticked, it goes through without an address and without a copy.
    data["send_copy"] = ""
    assert client.post(f"/consultations/{SLUG}/respond", data=data).status_code == 303
    assert db.session.scalars(select(Job)).all() == []


def test_with_the_address_required_and_missing_its_own_message_is_enough(
    client, consultations, smtp_server
):
    consultation = consultations[SLUG]
    data = {**form_tokens(client, SLUG), **contribution(consultation, send_copy="y")}
    data["q_email"] = ""
    html = client.post(f"/consultations/{SLUG}/respond", data=data).get_data(as_text=True)
    assert "Enter your e-mail address." in html
    assert "To get a copy by e-mail" not in html  # one message, right above the box
    assert shown_form(html)["send_copy"] == "y"


def test_a_form_sent_twice_gives_one_e_mail(app, client, consultations, smtp_server):
    _, _, _, data = send(client, consultations[SLUG], send_copy="y")
    again = client.post(f"/consultations/{SLUG}/respond", data=data)
    assert again.status_code in (200, 303)
    assert db.session.scalars(select(Response)).all() != []
    assert len(db.session.scalars(select(Job)).all()) == 1
    run_jobs(app)
    assert len(smtp_server.messages) == 1


def test_one_contribution_has_one_confirmation_job_at_most(app, client, consultations):
    from consultation.responses.confirmation import queue_confirmation
    from consultation.responses.operations import issue_private_links

    response, _, _, _ = send(client, consultations[SLUG])
    first = queue_confirmation(response, issue_private_links(response), "en")
    db.session.commit()
    assert queue_confirmation(response, issue_private_links(response), "en").id == first.id
    second = Job(kind="confirmation", parameters={}, requested_by="x", response_id=response.id)
    db.session.add(second)
    with pytest.raises(Exception, match="(?i)unique"):  # the database refuses a second one
        db.session.commit()
    db.session.rollback()


def test_a_draft_keeps_the_tick_and_sends_the_copy(app, client, consultations, smtp_server):
    consultation = consultations[SLUG]
    data = {**form_tokens(client, SLUG), **contribution(consultation, send_copy="y")}
    saved = client.post(f"/consultations/{SLUG}/respond", data={**data, "action": "save_draft"})
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    link = private_link(page, "draft")
    resumed = client.get(link).get_data(as_text=True)
    form = shown_form(resumed)
    assert form["send_copy"] == "y"

    sent = client.post(link, data=form)
    assert sent.status_code == 303, sent.get_data(as_text=True)[:1000]
    run_jobs(app)
    [(recipients, message)] = smtp_server.messages
    response = db.session.scalars(select(Response)).one()
    assert recipients == [ADDRESS] and response.reference in body_of(message)


# -- when it does not go smoothly -----------------------------------------------------------
def test_smtp_down_the_contribution_is_stored_and_the_copy_follows_when_it_is_back(
    app, client, consultations, monkeypatch, frozen_clock
):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    monkeypatch.setitem(app.config, "MAIL_SENDER", "consultations@example.eu")
    response, receipt, page, _ = send(client, consultations[SLUG], send_copy="y")
    receipt_token, _ = tokens_of(page)
    assert db.session.get(Response, response.id) is not None  # stored, whatever the mail does

    run_jobs(app)
    job = db.session.scalars(select(Job)).one()
    assert job.state.value == "queued" and job.attempts == 1
    assert job.error.startswith("The mail server did not take the message")
    assert ADDRESS not in job.error
    assert "taking longer than usual" in client.get(receipt).get_data(as_text=True)

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
        frozen_clock.set(clock.now_utc() + timedelta(seconds=MAIL_DELAYS[0] + 1))
        run_jobs(app, scheduled=True)
        assert job_row(job.id).state.value == "done" and job_row(job.id).attempts == 2
        [(recipients, message)] = inbox.messages
        assert recipients == [ADDRESS]
        assert f"/contributions/receipt/{receipt_token}" in body_of(message)
        run_jobs(app, scheduled=True)
        assert len(inbox.messages) == 1  # never twice
    finally:
        controller.stop()


def test_after_the_last_try_the_failure_is_visible_to_administrators(
    app, client, consultations, monkeypatch, frozen_clock
):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    response, receipt, _, _ = send(client, consultations[SLUG], send_copy="y")
    run_jobs(app)
    for delay in MAIL_DELAYS:
        frozen_clock.set(clock.now_utc() + timedelta(seconds=delay + 1))
        run_jobs(app, scheduled=True)
    job = db.session.scalars(select(Job)).one()
    assert job.state.value == "failed" and job.attempts == len(MAIL_DELAYS) + 1

    page = client.get(receipt).get_data(as_text=True)
    assert f"We could not send the copy of your contribution to {ADDRESS}." in page

    (entry,) = db.session.scalars(
        select(AuditRecord).where(AuditRecord.action == "response.confirmation_failed")
    ).all()
    assert entry.target_id == str(response.id) and ADDRESS not in repr(entry.after)
    make_user("admin@example.org", "admin")
    admin = app.test_client()
    sign_in(admin, "admin@example.org")
    audit = admin.get("/admin/audit").get_data(as_text=True)
    assert (
        f"The confirmation e-mail of response {response.id} (reference {response.reference}) "
        "could not be sent after 5 tries: The mail server did not take the message"
    ) in audit
    detail = admin.get(f"/admin/responses/{response.id}").get_data(as_text=True)
    shown = detail.split('id="confirmation-mail"')[1].split("</dd>")[0]
    assert "Not sent after 5 tries" in shown


class Refusing(Inbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return f"550 5.1.1 <{address}>: no such mailbox"


def test_an_address_refused_for_good_is_not_tried_again(app, client, consultations, monkeypatch):
    inbox = Refusing()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
        send(client, consultations[SLUG], send_copy="y")
        run_jobs(app)
    finally:
        controller.stop()
    job = db.session.scalars(select(Job)).one()
    assert job.state.value == "failed" and job.attempts == 1
    assert "refused the address" in job.error and ADDRESS not in job.error
    assert ADDRESS not in jobs_table_text()


def test_a_try_that_may_have_handed_the_message_over_is_not_repeated(
    app, client, consultations, smtp_server
):
    """A worker killed between the mark and the end: the next try does not send it again."""
    send(client, consultations[SLUG], send_copy="y")
    job = db.session.scalars(select(Job)).one()
    job.parameters = {**job.parameters, "handing_over": 1}
    db.session.commit()
    run_jobs(app)
    assert smtp_server.messages == []
    assert job_row(job.id).state.value == "failed"
    assert "it is not sent again" in job_row(job.id).error


def test_erased_before_it_was_sent_no_e_mail(app, client, consultations, smtp_server):
    from consultation.audit.operations import Actor
    from consultation.responses.moderation import erase_personal_data

    response, _, _, _ = send(client, consultations[SLUG], send_copy="y")
    erase_personal_data(response, Actor("tests"))
    db.session.commit()
    run_jobs(app)
    assert smtp_server.messages == []
    job = db.session.scalars(select(Job)).one()
    assert job.state.value == "done" and job.parameters == {"sent": False}


def test_sent_by_a_real_worker(app, client, consultations, smtp_server, tmp_path):
    """A ``flask worker`` process, on the real clock, sends it through the real SMTP server."""
    consultation = consultations[SLUG]
    clock.freeze(None)
    now = clock.now_utc()
    consultation.opens_at, consultation.closes_at = now - timedelta(days=1), now + timedelta(30)
    db.session.commit()
    response, _, page, _ = send(client, consultation, send_copy="y")
    receipt_token, _ = tokens_of(page)

    worker = Worker(
        app,
        tmp_path / "worker.log",
        SECRET_KEY=app.config["SECRET_KEY"],
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(app.config["MAIL_PORT"]),
        MAIL_SENDER="consultations@example.eu",
        PUBLIC_BASE_URL="https://consult.example.eu",
    )
    try:
        wait_for(lambda: smtp_server.messages, timeout=90, what="the e-mail")
        mail_job = select(Job.id).where(Job.kind == "confirmation")  # (grouping runs too)
        wait_for(lambda: job_row(db.session.scalars(mail_job).one()).state.value == "done")
    finally:
        worker.stop()
    [(recipients, message)] = smtp_server.messages
    body = body_of(message)
    assert recipients == [ADDRESS] and response.reference in body
    assert f"https://consult.example.eu/contributions/receipt/{receipt_token}" in body
    assert pdf_of(message)[1].startswith(b"%PDF")
    assert ADDRESS not in worker.output() and receipt_token not in worker.output()


# -- sealing -------------------------------------------------------------------------------
def test_sealed_texts_open_only_with_the_key_and_unchanged(app, monkeypatch):
    sealed = seal("links", {"receipt": "secret-token"})
    assert "secret-token" not in sealed
    assert unseal("links", sealed) == {"receipt": "secret-token"}
    assert seal("links", {"receipt": "secret-token"}) != sealed  # a fresh nonce each time
    with pytest.raises(Unreadable):
        unseal("other purpose", sealed)
    changed = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    with pytest.raises(Unreadable):
        unseal("links", changed)
    with pytest.raises(Unreadable):
        unseal("links", "not sealed at all")
    monkeypatch.setitem(app.config, "SECRET_KEY", "a new key")
    with pytest.raises(Unreadable):
        unseal("links", sealed)
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", ["testing-secret"])
    assert unseal("links", sealed) == {"receipt": "secret-token"}


def test_a_changed_secret_key_fails_the_job_in_words(
    app, client, consultations, smtp_server, monkeypatch
):
    send(client, consultations[SLUG], send_copy="y")
    monkeypatch.setitem(app.config, "SECRET_KEY", "rotated")
    run_jobs(app)
    job = db.session.scalars(select(Job)).one()
    assert job.state.value == "failed" and "SECRET_KEY" in job.error
    assert smtp_server.messages == []


def test_the_links_are_never_in_the_log(app, client, consultations, smtp_server, caplog):
    caplog.set_level("DEBUG")
    _, _, page, _ = send(client, consultations[SLUG], send_copy="y")
    receipt_token, edit_token = tokens_of(page)
    run_jobs(app)
    assert smtp_server.messages
    # Ours, the queue's and the database's; not the test SMTP server's ("mail.log").
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]
    logged = "\n".join(record.getMessage() for record in ours)
    for secret in (ADDRESS, receipt_token, edit_token):
        assert secret not in logged
    assert re.search(r"job \d+: done", logged)


def test_the_draft_link_e_mail_is_sealed_in_its_job_too(app, client, consultations, smtp_server):
    """The other e-mail with a private link (a draft's) keeps nothing in clear either."""
    page = test_mail.save_draft(client, {"q_first_name": "Ada", "q_email": ADDRESS})
    link = private_link(page, "draft")
    sent = client.post(
        link + "/email", data={"csrf_token": shown_form(page)["csrf_token"], "email": ADDRESS}
    )
    assert sent.status_code == 200
    token = link.rsplit("/", 1)[1]
    for secret in (ADDRESS, token):
        assert secret not in jobs_table_text()
    run_jobs(app)
    [(recipients, message)] = smtp_server.messages
    assert recipients == [ADDRESS] and token in body_of(message)
    assert db.session.scalars(select(Job)).one().parameters == {
        "subject": "Your saved draft: " + consultations[SLUG].text("title")
    }
    for secret in (ADDRESS, token):
        assert secret not in jobs_table_text()
