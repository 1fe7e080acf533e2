"""The audit log speaks to people: a sentence per record, filters, sign-ins and downloads."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from consultation.audit.models import AuditRecord
from consultation.audit.sentences import ACTIONS, sentences
from consultation.extensions import db
from consultation.responses.models import Response

from .admin_helpers import PASSWORD, make_user, sign_in, signed_in_client, signed_in_csrf
from .answers import valid_form_data
from .conftest import form_tokens

ROOT = Path(__file__).resolve().parent.parent
SLUG = "apply-ai"
#: Actions other branches write (shared names agreed in advance).
WRITTEN_ELSEWHERE = {"export.download", "report.download"}


@pytest.fixture
def admin(app, consultations):
    return signed_in_client(app)


def records(action=None):
    db.session.expire_all()
    query = select(AuditRecord).order_by(AuditRecord.id)
    if action:
        query = query.where(AuditRecord.action == action)
    return list(db.session.scalars(query))


def confirmed(client, url, **data):
    token = signed_in_csrf(client)
    return client.post(url, data={"csrf_token": token, "confirm": "yes", **data})


def audit_page(client, **args):
    return client.get("/admin/audit", query_string=args)


def test_an_extension_reads_as_a_sentence_in_the_reader_s_language(admin):
    confirmed(admin, f"/admin/consultations/{SLUG}/extend", closing_date="2025-07-15")
    page = audit_page(admin).get_data(as_text=True)
    expected = "Extended Apply AI Strategy: closing 4 Jun 2025 → 15 Jul 2025 (by admin@example.org)"
    assert expected in page
    admin.set_cookie("locale", "fr")
    page = audit_page(admin).get_data(as_text=True)
    assert "4 juin 2025 → 15 juil. 2025 (par admin@example.org)" in page
    admin.set_cookie("locale", "de")
    assert "04.06.2025 → 15.07.2025 (von admin@example.org)" in audit_page(admin).get_data(
        as_text=True
    )


def actions_written_in_the_code():
    pattern = re.compile(r'record\(\s*[^,]+,\s*"([a-z_]+\.[a-z_]+)"')
    conditional = re.compile(r'"([a-z_]+\.[a-z_]+)" if [^"]+ else "([a-z_]+\.[a-z_]+)"')
    found = set()
    for path in (ROOT / "consultation").rglob("*.py"):
        text = path.read_text()
        found.update(pattern.findall(text))
        for pair in conditional.findall(text):
            found.update(pair)
    return found


def test_every_action_has_a_sentence():
    written = actions_written_in_the_code()
    assert {"consultation.extend", "auth.sign_in", "upload.download"} <= written
    assert written | WRITTEN_ELSEWHERE <= set(ACTIONS), "add the new action to ACTIONS"


@pytest.mark.parametrize("locale", ["en", "fr", "de"])
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_each_sentence_is_written_from_the_record(app, action, locale):
    values = {
        "closes_at": "2026-12-29T23:00:00+00:00",
        "closed_at": "2026-12-01T09:30:00+00:00",
        "role": "analyst",
        "flag": "spam",
        "address": "203.0.113.9",
        "email": "someone@example.org",
        "why": "password",
        "file": "position paper.pdf",
        "response": 12,
        "format": "csv",
        "variant": "personal",
        "rows": 1203,
        "job": 7,
    }
    record = AuditRecord(
        actor="admin@example.org",
        action=action,
        target_type="consultation",
        target_id="9999",
        target_label="apply-ai",
        before={**values, "role": "admin", "closes_at": "2026-12-15T23:00:00+00:00"},
        after=values,
    )
    with app.test_request_context(headers={"Cookie": f"locale={locale}"}):
        [(_, sentence)] = sentences([record])
    assert action not in sentence and "{" not in sentence and "%(" not in sentence
    assert "admin@example.org" in sentence or "203.0.113.9" in sentence  # who, or from where


def test_sign_ins_and_failures_are_recorded_without_the_password(app, consultations):
    make_user("admin@example.org", "admin")
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert sign_in(client, "nobody@example.org", "guess one two").status_code == 401
    assert sign_in(client, "admin@example.org", "guess three four").status_code == 401
    assert sign_in(client, "admin@example.org").status_code == 302
    client.post("/admin/sign-out", data={"csrf_token": signed_in_csrf(client)})

    actions = [r.action for r in records()]
    assert actions[1:] == [
        "auth.sign_in_failed",
        "auth.sign_in_failed",
        "auth.sign_in",
        "auth.sign_out",
    ]
    stored = str([(r.actor, r.target_label, r.before, r.after) for r in records()])
    assert "guess" not in stored and PASSWORD not in stored
    admin = signed_in_client(app, "other@example.org")
    page = audit_page(admin).get_data(as_text=True)
    assert (
        "Failed sign-in as nobody@example.org from 203.0.113.9: "
        "no account has this e-mail address" in page
    )
    assert "Failed sign-in as admin@example.org from 203.0.113.9: wrong password" in page
    assert "admin@example.org signed in from 203.0.113.9" in page
    assert "admin@example.org signed out" in page


def test_a_locked_sign_in_is_recorded_too(app, consultations):
    make_user("admin@example.org", "admin")
    client = app.test_client()
    for _ in range(2):
        sign_in(client, "admin@example.org", "wrong")
    assert sign_in(client, "admin@example.org").status_code == 429  # waits after 2 failures
    [last] = records("auth.sign_in_failed")[-1:]
    assert last.after["why"] == "locked"


def test_downloading_a_respondent_s_file_is_recorded(admin, client, consultations):
    data = {**form_tokens(client, SLUG), **valid_form_data(consultations[SLUG].questionnaire)}
    client.post(f"/consultations/{SLUG}/respond", data=data)
    upload = db.session.scalars(select(Response)).one().uploads[0]
    assert admin.get(f"/admin/uploads/{upload.id}").status_code == 200
    [entry] = records("upload.download")
    assert entry.after == {"response": upload.response_id, "file": upload.original_name}
    page = audit_page(admin).get_data(as_text=True)
    assert f"Downloaded the file “{upload.original_name}” of response {upload.response_id}" in page


def test_filters_by_action_person_and_date(app, admin, frozen_clock):
    confirmed(admin, f"/admin/consultations/{SLUG}/close", reason="legal review")
    frozen_clock.set_brussels("2025-05-28T10:00:00")
    sign_in(admin, "admin@example.org")  # two days later: the first session has ended
    analyst = signed_in_client(app, "analyst@example.org", "analyst")
    analyst_id = records("user.create")[-1].target_id

    by_action = audit_page(admin, action="consultation.close").get_data(as_text=True)
    assert "Closed Apply AI Strategy" in by_action and "signed in" not in by_action
    by_person = audit_page(admin, person=analyst_id).get_data(as_text=True)
    assert "analyst@example.org signed in" in by_person
    assert "Created the account analyst@example.org" in by_person  # done to their account
    assert "Closed Apply AI Strategy" not in by_person
    before = audit_page(admin, until="2025-05-27").get_data(as_text=True)
    assert "Closed Apply AI Strategy" in before and "analyst@example.org signed" not in before
    after = audit_page(admin, since="2025-05-28").get_data(as_text=True)
    assert "analyst@example.org signed in" in after and "Closed Apply AI" not in after
    by_cli = audit_page(admin, person="cli").get_data(as_text=True)
    assert "1 entry found" not in by_cli and "Nothing matches these filters." in by_cli
    assert analyst.get("/admin/audit").status_code == 200  # analysts read it too


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"since": "2025-13-45"}, "Enter a date such as 2025-06-04."),
        ({"until": "9999-12-31"}, "Enter a date between 1 January 2000 and 31 December 2099."),
        (
            {"since": "2025-06-01", "until": "2025-05-01"},
            "The end date (1 May 2025) is before the start date (1 June 2025).",
        ),
    ],
)
def test_bad_dates_get_a_clear_message(admin, args, message):
    result = audit_page(admin, **args)
    assert result.status_code == 400
    page = result.get_data(as_text=True)
    assert message in page and 'aria-invalid="true"' in page


def test_pages_keep_the_filters(app, admin):
    app.config["ADMIN_PAGE_SIZE"], size = 2, app.config["ADMIN_PAGE_SIZE"]
    try:
        for _ in range(3):
            sign_in(app.test_client(), "admin@example.org")
        page = audit_page(admin, action="auth.sign_in").get_data(as_text=True)
        assert "/admin/audit?page=2&amp;action=auth.sign_in" in page
    finally:
        app.config["ADMIN_PAGE_SIZE"] = size
