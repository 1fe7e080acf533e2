"""We asked, you said, we did: the admin writes the outcome, the public page shows it with its
summary report, and the respondents who asked are e-mailed once, in their language, with a
way out that needs no account."""

import re
from datetime import UTC, datetime
from email.header import decode_header, make_header

import pytest
from sqlalchemy import func, select

from consultation import clock
from consultation.audit.models import AuditRecord
from consultation.extensions import db
from consultation.jobs.models import Job
from consultation.outcomes.models import Outcome, OutcomeRecipient
from consultation.outcomes.notices import public_summary_path
from consultation.reports import generate
from consultation.responses.models import Response

from .admin_helpers import make_user, sign_in, signed_in_csrf
from .answers import valid_form_data
from .conftest import form_tokens
from .jobs_helpers import Worker, run_jobs, wait_for
from .test_mail import smtp_server  # noqa: F401 (the fixture)

SLUG = "apply-ai"
BASE = f"/admin/consultations/{SLUG}"
AFTER_CLOSING = datetime(2025, 10, 9, 9, 0, tzinfo=UTC)

OUTCOME = {
    "decision_title": "Apply AI Strategy, COM(2025) 723",
    "decision_url": "https://digital-strategy.ec.europa.eu/en/library/apply-ai-strategy",
    "decision_date": "2025-10-08",
    "report_url": "",
    "we_asked_en": "We asked how to **apply AI** in strategic sectors.",
    "you_said_en": "You said <script>alert('x')</script> and [click](javascript:alert(1)).",
    "we_did_en": "We adopted the [strategy](https://example.eu/strategy).\n\n- eleven sectors",
    "we_asked_fr": "",
    "you_said_fr": "Vous avez dit qu’il fallait des **données**.",
    "we_did_fr": "Nous avons adopté la stratégie.",
    "we_asked_de": "",
    "you_said_de": "",
    "we_did_de": "",
}


def signed_in_admin(app):
    make_user("admin@example.org", "admin")
    client = app.test_client()
    assert sign_in(client, "admin@example.org").status_code == 302
    return client


#: The interface languages these tests offer: each public summary is a PDF per offered
#: language (24 of them take a minute), and these are the languages the tests read.
FEW_LANGUAGES = ["en", "de", "fr"]


@pytest.fixture(autouse=True)
def few_languages(app, monkeypatch):
    monkeypatch.setitem(app.config, "LANGUAGES", FEW_LANGUAGES)
    app.extensions.pop("offered_languages", None)
    yield
    app.extensions.pop("offered_languages", None)


@pytest.fixture
def admin_while_open(app, consultations):
    return signed_in_admin(app)


@pytest.fixture
def admin(app, consultations, frozen_clock):
    """An admin signed in after the closing of the consultation."""
    frozen_clock.set(AFTER_CLOSING)
    return signed_in_admin(app)


def closed(frozen_clock):
    frozen_clock.set(AFTER_CLOSING)


def write(admin, **changes):
    return admin.post(
        f"{BASE}/outcome", data={"csrf_token": signed_in_csrf(admin), **OUTCOME, **changes}
    )


def publish(admin):
    token = signed_in_csrf(admin)
    first = admin.post(f"{BASE}/outcome/publish", data={"csrf_token": token})
    assert "Please confirm" in first.get_data(as_text=True)
    return admin.post(f"{BASE}/outcome/publish", data={"csrf_token": token, "confirm": "yes"})


def people(consultation, rows):
    """Responses with the given (e-mail, language, outcome_updates, flag) on generated rows."""
    generate.generate_responses(consultation, len(rows), seed=3)
    ids = db.session.scalars(
        select(Response.id).where(Response.consultation_id == consultation.id).order_by(Response.id)
    ).all()
    for response_id, (email, language, wants, flag) in zip(ids[-len(rows) :], rows, strict=True):
        response = db.session.get(Response, response_id)  # through the ORM: tallies follow
        response.email, response.language, response.outcome_updates = email, language, wants
        response.flag = flag
    db.session.commit()


def test_the_answer_to_tell_me_is_kept_on_the_response(app, client, consultations):
    questionnaire = consultations[SLUG].questionnaire
    data = {**form_tokens(client, SLUG), **valid_form_data(questionnaire)}
    data["q_outcome_updates"] = "yes"
    clock.freeze(clock.now_utc().replace(minute=5))  # past the minimum time to fill the form
    sent = client.post(f"/consultations/{SLUG}/respond", data=data)
    assert sent.status_code == 303, sent.get_data(as_text=True)[:400]
    assert db.session.scalar(select(Response.outcome_updates)) == "yes"
    # Its answer is private: the allow-list publishes no column it does not name.
    from consultation.reports.publication import answer_audiences

    assert answer_audiences(questionnaire.questions["outcome_updates"]) == frozenset()


def test_the_outcome_waits_for_the_closing(admin_while_open):
    admin = admin_while_open
    page = admin.get(f"{BASE}/outcome").get_data(as_text=True)
    assert "once the consultation has closed" in page
    refused = write(admin)
    assert refused.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Outcome)) == 0


def test_an_admin_writes_it_and_the_public_page_shows_it_safely(app, admin, client, frozen_clock):
    closed(frozen_clock)
    missing = write(admin, decision_title="", you_said_en="", decision_url="ftp://x")
    assert missing.status_code == 400
    text = missing.get_data(as_text=True)
    assert "Enter the title of the decision or act." in text
    assert "Write what people said, at least in English." in text
    assert "Enter a web address starting with https://" in text
    assert "We adopted the [strategy]" in text  # what was typed is kept

    saved = write(admin)
    assert saved.status_code == 302
    assert "COM(2025) 723" in admin.get(f"{BASE}/outcome").get_data(as_text=True)
    # Not public until published.
    assert "We asked, you said, we did" not in client.get(f"/consultations/{SLUG}").get_data(
        as_text=True
    )
    assert publish(admin).status_code == 302

    page = client.get(f"/consultations/{SLUG}").get_data(as_text=True)
    assert "We asked, you said, we did" in page
    assert "<strong>apply AI</strong>" in page
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert 'href="javascript' not in page
    assert '<a href="https://example.eu/strategy" rel="nofollow">strategy</a>' in page
    assert "COM(2025) 723" in page and "8 October 2025" in page
    assert "<li>eleven sectors</li>" in page

    french = client.get(f"/consultations/{SLUG}?lang=fr").get_data(as_text=True)
    assert "Vous avez dit qu’il fallait des <strong>données</strong>." in french
    assert "8 octobre 2025" in french
    german = client.get(f"/consultations/{SLUG}?lang=de").get_data(as_text=True)
    assert 'class="outcome" lang="en"' in german  # no German text: the English, marked so

    actions = db.session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)).all()
    assert [a for a in actions if a.startswith("outcome.")] == ["outcome.save", "outcome.publish"]
    saved_record = db.session.scalar(
        select(AuditRecord).where(AuditRecord.action == "outcome.save")
    )
    assert saved_record.before is None
    assert saved_record.after["texts"]["fr"]["we_did"] == "Nous avons adopté la stratégie."
    assert "de" not in saved_record.after["texts"]  # left blank: not kept
    log = admin.get("/admin/audit").get_data(as_text=True)
    assert "Published the outcome of Apply AI Strategy" in log

    # A change is audited with before and after.
    write(admin, we_did_en="We adopted it on 8 October 2025.")
    changed = db.session.scalars(
        select(AuditRecord).where(AuditRecord.action == "outcome.save").order_by(AuditRecord.id)
    ).all()[-1]
    assert changed.before["texts"]["en"]["we_did"].startswith("We adopted the [strategy]")
    assert changed.after["texts"]["en"]["we_did"] == "We adopted it on 8 October 2025."


def test_the_summary_report_is_offered_beside_the_outcome(app, admin, client, frozen_clock):
    closed(frozen_clock)
    generate.generate_responses(admin_consultation(), 12, seed=5)
    db.session.commit()
    write(admin)
    assert client.get(f"/consultations/{SLUG}/summary.pdf").status_code == 404  # not published
    publish(admin)
    assert client.get(f"/consultations/{SLUG}/summary.pdf").status_code == 503  # preparing
    assert "being prepared" in client.get(f"/consultations/{SLUG}").get_data(as_text=True)
    run_jobs(app)
    page = client.get(f"/consultations/{SLUG}").get_data(as_text=True)
    assert "Download the summary report (PDF)" in page
    pdf = client.get(f"/consultations/{SLUG}/summary.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]
    french = client.get(f"/consultations/{SLUG}/summary.pdf?lang=fr")
    assert french.data.startswith(b"%PDF") and french.data != pdf.data
    assert public_summary_path(admin_consultation(), "de").is_file()


def admin_consultation():
    from consultation.consultations.queries import consultation_by_slug

    return consultation_by_slug(SLUG)


def test_respondents_who_asked_are_told_once_in_their_language(
    app,
    admin,
    client,
    frozen_clock,
    smtp_server,  # noqa: F811
):
    closed(frozen_clock)
    people(
        admin_consultation(),
        [
            ("ada@example.org", "en", "yes", None),
            ("ADA@example.org ", "en", "yes", None),  # the same person again: one e-mail
            ("bertha@example.de", "de", "yes", None),
            ("carla@example.jp", "ja", "yes", None),  # a language not offered: English
            ("dora@example.fr", "fr", "no", None),
            ("eve@example.org", "en", None, None),
            ("spam@example.org", "en", "yes", "spam"),
        ],
    )
    closed(frozen_clock)
    write(admin)
    assert publish(admin).status_code == 302
    run_jobs(app)  # the notices job queues one e-mail job per person
    run_jobs(app)  # then the e-mails and the summary
    got = {tuple(to)[0]: message for to, message in smtp_server.messages}
    assert set(got) == {"ada@example.org", "bertha@example.de", "carla@example.jp"}, set(got)
    german = got["bertha@example.de"]
    subject = str(make_header(decode_header(german["Subject"])))
    assert subject == "Ergebnis der Konsultation „Strategie für die Anwendung von KI“"
    body = german.get_payload(decode=True).decode()
    assert "COM(2025) 723" in body and "8. Oktober 2025" in body
    english = got["carla@example.jp"].get_payload(decode=True).decode()
    assert "You asked to be told" in english
    assert "http://localhost/consultations/apply-ai?lang=en#outcome" in english
    link = re.search(r"http://localhost(/outcomes/unsubscribe/\S+)", english).group(1)

    # The link alone changes nothing; the button, without an account, does.
    page = client.get(link)
    assert page.status_code == 200 and "Stop the e-mails" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    done = client.post(link, data={"csrf_token": token.group(1)})
    assert "You will get no further e-mail" in done.get_data(as_text=True)
    assert (
        db.session.scalar(select(func.count()).where(OutcomeRecipient.unsubscribed_at.is_not(None)))
        == 1
    )
    forged = link.split("?")[0][:-3] + "xyz"
    assert client.get(forged).status_code == 404
    assert "This link does not work" in client.get(forged).get_data(as_text=True)

    # Withdrawn and published again: nobody is e-mailed twice.
    token = signed_in_csrf(admin)
    admin.post(f"{BASE}/outcome/withdraw", data={"csrf_token": token, "confirm": "yes"})
    publish(admin)
    run_jobs(app)
    run_jobs(app)
    assert len(smtp_server.messages) == 3
    kinds = db.session.scalars(select(Job.kind).where(Job.kind == "outcome_notices")).all()
    assert kinds == ["outcome_notices"]


def test_the_e_mails_go_through_a_real_worker(app, consultations, smtp_server, tmp_path):  # noqa: F811
    people(
        consultations[SLUG],
        [("fritz@example.de", "de", "yes", None), ("gina@example.org", "en", "yes", None)],
    )
    clock.freeze(None)  # the worker runs on the real clock: the consultation closed in 2025
    make_user("admin@example.org", "admin")
    admin = app.test_client()
    sign_in(admin, "admin@example.org")
    write(admin)
    publish(admin)
    worker = Worker(
        app,
        tmp_path / "worker.log",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(app.config["MAIL_PORT"]),
        MAIL_SENDER="consultations@example.eu",
        LANGUAGES=",".join(FEW_LANGUAGES),
    )
    try:
        wait_for(lambda: "Worker " in worker.output(), timeout=90, what="the worker to start")
        try:
            wait_for(lambda: len(smtp_server.messages) >= 2, timeout=180, what="two e-mails")
        except AssertionError as timed_out:
            raise AssertionError(worker.output()[-3000:]) from timed_out
    finally:
        worker.stop()
    assert sorted(tuple(to)[0] for to, _ in smtp_server.messages) == [
        "fritz@example.de",
        "gina@example.org",
    ]


def test_the_demo_publishes_the_data_union_outcome_once(app, consultations, frozen_clock):
    frozen_clock.set(AFTER_CLOSING)
    people(consultations["data-union-strategy"], [("hana@example.org", "en", "yes", None)])
    runner = app.test_cli_runner()
    first = runner.invoke(args=["outcomes", "demo"])
    assert first.exit_code == 0, first.output
    assert (
        "data-union-strategy: outcome published (European Data Union Strategy, COM(2025) 835)"
        in (first.output)
    )
    again = runner.invoke(args=["outcomes", "demo"])
    assert "has an outcome already" in again.output
    page = app.test_client().get("/consultations/data-union-strategy?lang=de")
    assert "am 19. November 2025 angenommen" in page.get_data(as_text=True)
    # Without a mail server no e-mail is offered, so none is queued when it is published.
    run_jobs(app)
    assert db.session.scalar(select(func.count()).where(Job.kind == "mail")) == 0
