"""The administration area: authorisation, closing and extending, responses, audit trail."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from consultation.audit.models import AuditRecord
from consultation.consultations.models import Consultation
from consultation.extensions import db
from consultation.responses.models import Response

from .admin_helpers import csrf_from, make_user, sign_in, signed_in_client, signed_in_csrf
from .answers import valid_form_data
from .conftest import form_tokens

SLUG = "apply-ai"


@pytest.fixture
def admin_client(app, consultations):
    make_user("admin@example.org", "admin")
    client = app.test_client()
    assert sign_in(client, "admin@example.org").status_code == 302
    return client


@pytest.fixture
def analyst_client(app, consultations):
    make_user("analyst@example.org", "analyst")
    client = app.test_client()
    assert sign_in(client, "analyst@example.org").status_code == 302
    return client


def audit_records():
    db.session.expire_all()
    return list(db.session.scalars(select(AuditRecord).order_by(AuditRecord.id)))


def consultation(slug=SLUG):
    db.session.expire_all()
    return db.session.scalar(select(Consultation).where(Consultation.slug == slug))


def confirm(client, url, **data):
    """Post an action, check the confirmation page, then confirm it."""
    token = signed_in_csrf(client)
    first = client.post(url, data={"csrf_token": token, **data})
    assert first.status_code == 200, first.get_data(as_text=True)[:500]
    assert "Please confirm" in first.get_data(as_text=True)
    return client.post(url, data={"csrf_token": token, "confirm": "yes", **data})


def prepared(client, slug=SLUG, **overrides):
    """A complete contribution on a form served now."""
    data = {**form_tokens(client, slug), **valid_form_data(consultation(slug).questionnaire)}
    data.update(overrides)
    return data


def submit(client, slug=SLUG, data=None, **overrides):
    data = data or prepared(client, slug, **overrides)
    return client.post(f"/consultations/{slug}/respond", data=data)


# -- authorisation by construction ---------------------------------------------------

#: Reached before signing in: the password, the code step, the e-mailed link to set a password
#: (tests/test_accounts.py and tests/test_two_factor.py test them).
ADMIN_RULES_OUTSIDE_GUARD = {
    "auth.sign_in",
    "auth.sign_out",
    "auth.two_factor_code",
    "auth.set_password",
}


def admin_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin") and rule.endpoint not in ADMIN_RULES_OUTSIDE_GUARD
    ]


def concrete(rule):
    values = {arg: 1 if "id" in arg else SLUG for arg in rule.arguments}
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(values[m.group(1)]), rule.rule)


def test_every_admin_page_needs_sign_in(app, client, consultations):
    rules = admin_rules(app)
    assert len(rules) >= 10
    token = csrf_from(client.get("/admin/sign-in"))  # a valid token: the guard itself must refuse
    for rule in rules:
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            result = client.open(
                concrete(rule), method=method, data={"csrf_token": token, "confirm": "yes"}
            )
            assert result.status_code == 302, (rule.rule, method)
            assert "/admin/sign-in" in result.headers["Location"]


#: What analysts may POST to: it prepares a report or an export for them (a job), nothing else.
OPEN_TO_ANALYSTS = {"admin.prepare_summary", "admin.prepare_export", "admin.retry_job"}
#: Themes and coding are the analysts' own work (tests/test_themes.py walks these).
OPEN_TO_ANALYSTS |= {
    "admin.find_themes",
    "admin.rename_theme",
    "admin.split_theme",
    "admin.merge_themes",
    "admin.save_coding",
    "admin.code_response",
    "admin.create_code",
    "admin.rename_code",
    "admin.delete_code",
}


#: A person's own account, whatever their role: their sessions and their two-factor sign-in
#: (tests/test_accounts.py checks that nobody reaches another person's sessions).
OWN_ACCOUNT = {
    "admin.sessions",
    "admin.end_session",
    "admin.end_other_sessions_view",
    "admin.two_factor",
    "admin.new_recovery_codes",
}
#: Pages only admins may even read: the accounts.
ADMINS_ONLY = {
    "admin.users",
    "admin.invite",
    "admin.user_role",
    "admin.user_disable",
    "admin.user_enable",
    "admin.user_force_reset",
    "admin.user_reinvite",
    "admin.user_reset_two_factor",
}


def marked(app, attribute):
    return {
        rule.endpoint
        for rule in admin_rules(app)
        if getattr(app.view_functions[rule.endpoint], attribute, False)
    }


def test_own_account_and_admin_only_pages_are_marked(app):
    assert marked(app, "own_account") == OWN_ACCOUNT
    assert marked(app, "admins_only") == ADMINS_ONLY
    assert not OWN_ACCOUNT & (OPEN_TO_ANALYSTS | ADMINS_ONLY)


@pytest.mark.parametrize("role", ["analyst", "moderator"])
def test_analysts_and_moderators_cannot_even_read_the_accounts(app, consultations, role):
    client = signed_in_client(app, f"{role}@example.org", role)
    token = signed_in_csrf(client)
    walked = 0
    for rule in admin_rules(app):
        if rule.endpoint not in ADMINS_ONLY:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            walked += 1
            result = client.open(concrete(rule), method=method, data={"csrf_token": token})
            assert result.status_code == 403, (rule.rule, method)
    assert walked >= len(ADMINS_ONLY)
    assert "/admin/users" not in client.get("/admin/").get_data(as_text=True)


def test_analysts_read_but_change_nothing(app, analyst_client):
    token = signed_in_csrf(analyst_client)
    changing = 0
    marked = {
        rule.endpoint
        for rule in admin_rules(app)
        if getattr(app.view_functions[rule.endpoint], "open_to_analysts", False)
    }
    assert marked == OPEN_TO_ANALYSTS
    for rule in admin_rules(app):
        if rule.endpoint in OPEN_TO_ANALYSTS | OWN_ACCOUNT:
            continue  # tests/test_jobs.py::test_who_may_start_and_download, tests/test_accounts
        for method in rule.methods - {"HEAD", "OPTIONS", "GET"}:
            changing += 1
            result = analyst_client.open(
                concrete(rule), method=method, data={"csrf_token": token, "confirm": "yes"}
            )
            assert result.status_code == 403, (rule.rule, method)
    assert changing >= 5
    assert analyst_client.get("/admin/").status_code == 200
    assert analyst_client.get(f"/admin/consultations/{SLUG}/responses").status_code == 200
    assert [r.action for r in audit_records()] == ["user.create", "auth.sign_in"]
    assert consultation().closed_at is None


#: What moderators may POST to besides: their decisions on contributions, nothing else.
OPEN_TO_MODERATORS = {
    "admin.moderation_approve",
    "admin.moderation_withhold",
    "admin.moderation_reopen",
    "admin.moderation_part",
    "admin.moderation_redact",
    "admin.moderation_unredact",
    "admin.moderation_campaign",
    "admin.moderation_campaign_undo",
}


def test_moderators_moderate_and_change_nothing_else(app, consultations):
    client = app.test_client()
    make_user("moderator@example.org", "moderator")
    assert sign_in(client, "moderator@example.org").status_code == 302
    token = signed_in_csrf(client)
    marked = {
        rule.endpoint
        for rule in admin_rules(app)
        if getattr(app.view_functions[rule.endpoint], "open_to_moderators", False)
    }
    assert marked == OPEN_TO_MODERATORS
    changing = 0
    for rule in admin_rules(app):
        if rule.endpoint in OPEN_TO_ANALYSTS | OPEN_TO_MODERATORS | OWN_ACCOUNT:
            continue  # tests/test_moderation.py (and tests/test_jobs.py for the analysts' ones)
        for method in rule.methods - {"HEAD", "OPTIONS", "GET"}:
            changing += 1
            result = client.open(
                concrete(rule), method=method, data={"csrf_token": token, "confirm": "yes"}
            )
            assert result.status_code == 403, (rule.rule, method)
    assert changing >= 5
    assert client.get(f"/admin/consultations/{SLUG}/moderation").status_code == 200
    assert consultation().closed_at is None
    assert consultation().publication_mode == "after_closing"


def test_moderation_endpoints_are_walked(app):
    """The walks above reach the moderation routes (they are admin routes like any other)."""
    endpoints = {rule.endpoint for rule in admin_rules(app)}
    assert OPEN_TO_MODERATORS | {"admin.moderation_queue", "admin.moderate"} <= endpoints
    assert "admin.publication_mode" in endpoints


# -- closing, reopening, extending ----------------------------------------------------


def test_close_then_reopen_controls_public_submissions(admin_client, client):
    data = prepared(client)
    result = confirm(admin_client, f"/admin/consultations/{SLUG}/close", reason="Legal review")
    assert result.status_code == 302
    assert consultation().closed_reason == "Legal review"
    refused = submit(client, data=data)
    assert refused.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0

    confirm(admin_client, f"/admin/consultations/{SLUG}/reopen", reason="Review done")
    assert submit(client).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1

    records = [r for r in audit_records() if r.target_type == "consultation"]
    assert [r.action for r in records] == ["consultation.close", "consultation.reopen"]
    close, reopen = records
    assert close.actor == "admin@example.org" and close.reason == "Legal review"
    assert close.before["state"] == "open" and close.after["state"] == "closed"
    assert reopen.before["closed_at"] and reopen.after["closed_at"] is None


def test_first_post_only_asks_for_confirmation(admin_client):
    token = signed_in_csrf(admin_client)
    admin_client.post(f"/admin/consultations/{SLUG}/close", data={"csrf_token": token})
    assert consultation().closed_at is None
    assert not [r for r in audit_records() if r.target_type == "consultation"]


def test_missing_csrf_changes_nothing(admin_client):
    result = admin_client.post(f"/admin/consultations/{SLUG}/close", data={"confirm": "yes"})
    assert result.status_code == 400
    assert consultation().closed_at is None
    assert not [r for r in audit_records() if r.target_type == "consultation"]


def test_extend_moves_the_deadline_to_the_end_of_the_new_day(admin_client, frozen_clock):
    frozen_clock.set_brussels("2025-06-05T09:00:00")  # the official window has ended
    sign_in(admin_client, "admin@example.org")  # ten days later: that session has ended
    result = confirm(admin_client, f"/admin/consultations/{SLUG}/extend", closing_date="2025-07-15")
    assert result.status_code == 302
    item = consultation()
    assert item.closes_at.isoformat() == "2025-07-15T22:00:00+00:00"  # midnight CEST
    assert item.state.value == "open"
    (record,) = [r for r in audit_records() if r.action == "consultation.extend"]
    assert record.before["closes_at"] == "2025-06-04T22:00:00+00:00"
    assert record.after["closes_at"] == "2025-07-15T22:00:00+00:00"


def test_extend_into_winter_uses_cet(admin_client):
    confirm(admin_client, f"/admin/consultations/{SLUG}/extend", closing_date="2025-12-01")
    assert consultation().closes_at.isoformat() == "2025-12-01T23:00:00+00:00"


def test_extend_into_the_past_is_refused(admin_client):
    token = signed_in_csrf(admin_client)
    data = {"csrf_token": token, "closing_date": "2025-05-01"}
    result = admin_client.post(f"/admin/consultations/{SLUG}/extend", data=data)
    assert result.status_code == 400  # on the first form, before any confirmation page
    page = result.get_data(as_text=True)
    assert "1 May 2025 is in the past; choose today or a later date." in page
    assert "Please confirm" not in page
    assert consultation().closing_date == date(2025, 6, 4)
    assert not [r for r in audit_records() if r.action == "consultation.extend"]


# -- responses -------------------------------------------------------------------------


def test_response_list_filters(admin_client, client):
    submit(client, q_respondent_type="eu_citizen", q_country="FR", q_final_comments="Solar")
    submit(client, q_respondent_type="company", q_country="DE", q_final_comments="Wind power")
    base = f"/admin/consultations/{SLUG}/responses"
    assert "2 responses found" in admin_client.get(base).get_data(as_text=True)
    for query, expected in [
        ("?respondent_type=company", 1),
        ("?country=FR", 1),
        ("?country=IT", 0),
        ("?text=wind", 1),
        ("?text=WIND&country=DE", 1),
        ("?text=%25", 0),
        ("?since=2025-05-26&until=2025-05-26", 2),
        ("?since=2025-05-27", 0),
        ("?flag=spam", 0),
    ]:
        page = admin_client.get(base + query).get_data(as_text=True)
        assert f"{expected} response{'' if expected == 1 else 's'} found" in page, query
    bad = admin_client.get(base + "?since=yesterday").get_data(as_text=True)
    assert "Enter a date such as 2025-06-04" in bad


def test_flag_leaves_response_out_and_is_reversible(admin_client, client):
    submit(client)
    response = db.session.scalars(select(Response)).one()
    confirm(admin_client, f"/admin/responses/{response.id}/flag", flag="spam")
    db.session.expire_all()
    assert db.session.get(Response, response.id).flag == "spam"
    dashboard = admin_client.get("/admin/").get_data(as_text=True)
    assert "Set aside (spam or duplicate)" in dashboard
    confirm(admin_client, f"/admin/responses/{response.id}/flag", flag="")
    db.session.expire_all()
    assert db.session.get(Response, response.id).flag is None
    actions = [r.action for r in audit_records() if r.target_type == "response"]
    assert actions == ["response.flag", "response.unflag"]


def test_erase_personal_data(admin_client, client):
    sent = submit(
        client, q_first_name="Henrietta", q_surname="Lacks-Unique", q_email="hl@example.org"
    )
    response = db.session.scalars(select(Response)).one()
    detail = admin_client.get(f"/admin/responses/{response.id}").get_data(as_text=True)
    assert "Henrietta" in detail and "hl@example.org" in detail

    url = f"/admin/responses/{response.id}/erase"
    confirm(admin_client, url, reason="DSR-42", reference=response.reference.lower())

    detail = admin_client.get(f"/admin/responses/{response.id}").get_data(as_text=True)
    for personal in ("Henrietta", "Lacks-Unique", "hl@example.org", "person@example.org"):
        assert personal not in detail
    assert "Erased on" in detail
    receipt = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Henrietta" not in receipt and "hl@example.org" not in receipt
    (record,) = [r for r in audit_records() if r.action == "response.erase_personal_data"]
    assert record.reason == "DSR-42"
    assert record.after["request_reference"] == response.reference
    assert "Henrietta" not in str(record.before) and "hl@example.org" not in str(record.after)


def test_large_figures_are_written_as_numbers_are_read(admin_client, consultations):
    """1,203 in English and 1.203 in German, not 1203."""
    from consultation.i18n import COOKIE
    from consultation.reports import generate

    generate.generate_responses(consultations["apply-ai"], 1203, seed=3)
    db.session.commit()
    page = admin_client.get("/admin/consultations/apply-ai").get_data(as_text=True)
    assert re.search(r"<dd>1,\d{3}</dd>", page)  # responses counted (some are flagged)
    assert re.search(r"EU \d,\d{3}, outside the EU", page)
    admin_client.set_cookie(COOKIE, "de")
    german = admin_client.get("/admin/consultations/apply-ai").get_data(as_text=True)
    assert re.search(r"<dd>\d\.\d{3}</dd>", german) and re.search(r"EU \d\.\d{3},", german)


def test_dashboard_shows_figures(admin_client, client):
    submit(client, q_respondent_type="company", q_country="DE")
    submit(client, q_respondent_type="eu_citizen", q_country="US")
    page = admin_client.get("/admin/").get_data(as_text=True)
    assert "Apply AI Strategy" in page and "<svg" in page
    assert "EU 1, outside the EU 1" in page
    assert "Company or business" in page and "Germany" in page


def test_audit_log_lists_newest_first(admin_client):
    confirm(admin_client, f"/admin/consultations/{SLUG}/close", reason="first")
    confirm(admin_client, f"/admin/consultations/{SLUG}/reopen", reason="second")
    page = admin_client.get("/admin/audit").get_data(as_text=True)
    assert page.index("Reopened Apply AI Strategy") < page.index("Closed Apply AI Strategy")


def test_uploads_are_served_to_staff_as_attachments(admin_client, client):
    submit(client)
    response = db.session.scalars(select(Response)).one()
    upload = response.uploads[0]
    result = admin_client.get(f"/admin/uploads/{upload.id}")
    assert result.status_code == 200
    assert result.headers["Content-Type"] == "application/pdf"
    assert result.headers["Content-Disposition"].startswith("attachment")
    assert client.get(f"/admin/uploads/{upload.id}").status_code == 302


def test_erasure_reaches_earlier_versions_of_an_edited_contribution(admin_client, client):
    from consultation.responses.models import ResponseVersion

    from .forms import private_link, shown_form

    data = prepared(client, q_first_name="Ottoline", q_email="ottoline@example.org")
    result = client.post(f"/consultations/{SLUG}/respond", data=data)
    link = private_link(client.get(result.headers["Location"]).get_data(as_text=True), "edit")
    form = shown_form(client.get(link).get_data(as_text=True))
    form["q_final_comments"] = "Changed my mind"
    assert client.post(link, data=form, content_type="multipart/form-data").status_code == 303
    response = db.session.scalars(select(Response)).one()
    (version,) = db.session.scalars(select(ResponseVersion)).all()
    assert "Ottoline" in str(version.snapshot)

    confirm(admin_client, f"/admin/responses/{response.id}/erase", reference=response.reference)

    db.session.expire_all()
    (version,) = db.session.scalars(select(ResponseVersion)).all()
    assert "Ottoline" not in str(version.snapshot)
    assert "ottoline@example.org" not in str(version.snapshot)
    assert version.snapshot["values"]["final_comments"] != "Changed my mind"  # answers stay
    (record,) = [r for r in audit_records() if r.action == "response.erase_personal_data"]
    assert "earlier versions" in record.before["fields"]


def test_reports_and_exports_from_the_admin_area(app, analyst_client, client):
    from .jobs_helpers import prepared

    submit(client, q_first_name="Philippa", q_publication="anonymous", q_country="FR")
    base = f"/admin/consultations/{SLUG}"
    page = analyst_client.get(base).get_data(as_text=True)
    assert "Prepare the summary report (PDF, in the language of this page)" in page
    assert "Prepare the CSV file" in page

    report = prepared(app, analyst_client, base + "/reports/summary", country="FR")
    assert report.status_code == 200 and report.data.startswith(b"%PDF")
    assert report.headers["Content-Disposition"].startswith("attachment")

    export = base + "/reports/export"
    personal = prepared(app, analyst_client, export, format="csv", variant="personal")
    public = prepared(app, analyst_client, export, format="csv", variant="public")
    personal, public = personal.get_data(as_text=True), public.get_data(as_text=True)
    assert "Philippa" in personal and "person@example.org" in personal
    assert "Philippa" not in public and "person@example.org" not in public

    xlsx = prepared(app, analyst_client, export, format="xlsx", variant="personal")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"

    response = db.session.scalars(select(Response)).one()
    copy = analyst_client.get(f"/admin/responses/{response.id}/copy.pdf")
    assert copy.status_code == 200 and copy.data.startswith(b"%PDF")


def test_erased_personal_data_is_gone_from_exports(app, admin_client, client):
    from .jobs_helpers import prepared

    submit(client, q_first_name="Bartholomew", q_email="bart@example.org")
    response = db.session.scalars(select(Response)).one()
    confirm(admin_client, f"/admin/responses/{response.id}/erase", reference=response.reference)
    export = prepared(
        app,
        admin_client,
        f"/admin/consultations/{SLUG}/reports/export",
        format="csv",
        variant="personal",
    ).get_data(as_text=True)
    assert response.id and "Bartholomew" not in export and "bart@example.org" not in export
