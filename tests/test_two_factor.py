"""Two-factor sign-in: enrolment with a QR code, the code step, recovery codes, replays,
lock-out, and who must use it (admins always; everyone with REQUIRE_TWO_FACTOR_FOR_ALL)."""

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from consultation import clock
from consultation.audit.models import AuditRecord
from consultation.auth.models import RecoveryCode
from consultation.auth.operations import user_by_email
from consultation.auth.two_factor import STEP_SECONDS, current_step
from consultation.extensions import db

from .admin_helpers import CODE_STEP, PASSWORD, csrf_from, make_user, signed_in_csrf, totp_code

ENROL = "/admin/account/two-factor"
CODES_RE = re.compile(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>")


def advance(seconds):
    clock.freeze(clock.now_utc() + timedelta(seconds=seconds))


def password_step(client, email, password=PASSWORD):
    token = csrf_from(client.get("/admin/sign-in"))
    return client.post(
        "/admin/sign-in", data={"email": email, "password": password, "csrf_token": token}
    )


def code_step(client, code):
    token = csrf_from(client.get(CODE_STEP))
    return client.post(CODE_STEP, data={"code": code, "csrf_token": token})


def actions():
    db.session.expire_all()
    return [r.action for r in db.session.scalars(select(AuditRecord).order_by(AuditRecord.id))]


def secret_of(email):
    db.session.expire_all()
    return user_by_email(email).totp_secret


def enrol(client, email) -> list[str]:
    """Set up the app from the enrolment page; the recovery codes shown."""
    page = client.get(ENROL)
    assert page.status_code == 200
    code = pyotp.TOTP(secret_of(email)).at(current_step() * STEP_SECONDS)
    done = client.post(ENROL, data={"code": code, "csrf_token": csrf_from(page)})
    assert done.status_code == 200, done.get_data(as_text=True)[:300]
    return CODES_RE.findall(done.get_data(as_text=True))


@pytest.fixture
def enrolled(app):
    """An admin who enrolled through the page; their recovery codes."""
    make_user("admin@example.org", "admin", two_factor=False)
    client = app.test_client()
    assert password_step(client, "admin@example.org").headers["Location"] == ENROL
    codes = enrol(client, "admin@example.org")
    advance(STEP_SECONDS)  # the enrolment's code is used: the next sign-in gives the next one
    return codes


def test_an_admin_without_two_factor_is_sent_to_enrol_and_reaches_nothing_else(app):
    make_user("admin@example.org", "admin", two_factor=False)
    client = app.test_client()
    result = password_step(client, "admin@example.org")
    assert result.status_code == 302 and result.headers["Location"] == ENROL
    for path in ["/admin/", "/admin/audit", "/admin/users", "/admin/account/sessions"]:
        blocked = client.get(path)
        assert blocked.status_code == 302 and blocked.headers["Location"] == ENROL, path
    token = csrf_from(client.get(ENROL))
    refused = client.post("/admin/users/invite", data={"csrf_token": token, "email": "x@y.org"})
    assert refused.status_code == 302 and refused.headers["Location"] == ENROL
    assert user_by_email("x@y.org") is None

    page = client.get(ENROL).get_data(as_text=True)
    assert "<svg" in page and "<path" in page  # the QR code, drawn inline
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "http" not in svg and "<image" not in svg  # nothing fetched
    assert not re.search(r"<(img|script)[^>]+src=\"https?:", page)
    secret = secret_of("admin@example.org")
    assert re.sub(r"\s", "", re.search(r'id="totp-secret">([^<]+)<', page).group(1)) == secret
    assert client.get(ENROL).status_code == 200 and secret_of("admin@example.org") == secret

    wrong = client.post(ENROL, data={"code": "000000", "csrf_token": token})
    assert wrong.status_code == 400 and "error-summary" in wrong.get_data(as_text=True)
    assert client.get("/admin/").headers["Location"] == ENROL

    codes = enrol(client, "admin@example.org")
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/admin/").status_code == 200
    assert "user.two_factor_on" in actions()
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(c.replace("-", "") for c in codes) & set(stored)


def test_sign_in_with_a_code_and_the_same_code_is_refused_again(app, enrolled):
    client = app.test_client()
    result = password_step(client, "admin@example.org")
    assert result.status_code == 302 and result.headers["Location"] == CODE_STEP
    assert client.get("/admin/").status_code == 302  # not signed in before the code
    assert actions().count("auth.sign_in") == 1  # the enrolment's, not this one yet
    code = totp_code("admin@example.org")
    done = code_step(client, code)
    assert done.status_code == 302 and done.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    db.session.expire_all()
    query = select(AuditRecord).where(AuditRecord.action == "auth.sign_in")
    [enrolment, record] = db.session.scalars(query.order_by(AuditRecord.id))
    assert "second_factor" not in enrolment.after and record.after["second_factor"] == "totp"

    other = app.test_client()
    password_step(other, "admin@example.org")
    replay = code_step(other, code)
    assert replay.status_code == 401 and "not right" in replay.get_data(as_text=True)
    assert other.get("/admin/").status_code == 302


def test_a_code_of_the_step_before_or_after_is_accepted_but_not_further(app, enrolled):
    for offset, accepted in [(2, False), (-2, False), (-1, True)]:
        advance(10)  # past the pause after a failure
        client = app.test_client()
        password_step(client, "admin@example.org")
        result = code_step(client, totp_code("admin@example.org", current_step() + offset))
        assert (result.status_code == 302) is accepted, offset


def test_sign_in_with_a_recovery_code_once(app, enrolled):
    client = app.test_client()
    password_step(client, "admin@example.org")
    result = code_step(client, enrolled[3].upper().replace("-", " "))
    assert result.status_code == 302 and client.get("/admin/").status_code == 200

    again = app.test_client()
    password_step(again, "admin@example.org")
    refused = code_step(again, enrolled[3])
    assert refused.status_code == 401
    assert again.get("/admin/").status_code == 302
    advance(10)
    assert code_step(again, enrolled[4]).status_code == 302  # another code still works
    page = again.get(ENROL).get_data(as_text=True)
    assert "Unused recovery codes: 8 of 10." in page


def test_new_recovery_codes_replace_the_old_ones(app, enrolled):
    client = app.test_client()
    password_step(client, "admin@example.org")
    code_step(client, totp_code("admin@example.org"))
    page = client.post(
        "/admin/account/two-factor/recovery-codes", data={"csrf_token": signed_in_csrf(client)}
    )
    fresh = CODES_RE.findall(page.get_data(as_text=True))
    assert len(fresh) == 10 and not set(fresh) & set(enrolled)
    other = app.test_client()
    password_step(other, "admin@example.org")
    assert code_step(other, enrolled[0]).status_code == 401
    advance(10)
    assert code_step(other, fresh[0]).status_code == 302


def test_wrong_codes_lead_to_lock_out(app, enrolled):
    client = app.test_client()
    password_step(client, "admin@example.org")
    for _ in range(5):
        assert code_step(client, "123456").status_code == 401
        advance(20)
    locked = code_step(client, totp_code("admin@example.org"))
    assert locked.status_code == 429 and "locked" in locked.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302
    # The password step is locked too: the failures count for the account and address.
    assert password_step(app.test_client(), "admin@example.org").status_code == 429
    db.session.expire_all()
    failed = db.session.scalars(
        select(AuditRecord)
        .where(AuditRecord.action == "auth.sign_in_failed")
        .order_by(AuditRecord.id)
    ).all()
    assert [r.after["why"] for r in failed] == ["code"] * 5 + ["locked", "locked"]
    advance(15 * 60)
    fresh = app.test_client()
    password_step(fresh, "admin@example.org")
    assert code_step(fresh, totp_code("admin@example.org")).status_code == 302


def test_the_code_step_runs_out_after_five_minutes(app, enrolled):
    client = app.test_client()
    password_step(client, "admin@example.org")
    token = csrf_from(client.get(CODE_STEP))
    advance(5 * 60 + 1)
    late = client.post(
        CODE_STEP, data={"code": totp_code("admin@example.org"), "csrf_token": token}
    )
    assert late.status_code == 302 and late.headers["Location"] == "/admin/sign-in"
    assert client.get("/admin/").status_code == 302


def test_analysts_may_skip_it_unless_the_setting_requires_it_of_everyone(app, monkeypatch):
    make_user("ana@example.org", "analyst", two_factor=False)
    client = app.test_client()
    assert password_step(client, "ana@example.org").headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200

    monkeypatch.setitem(app.config, "REQUIRE_TWO_FACTOR_FOR_ALL", True)
    assert client.get("/admin/").headers["Location"] == ENROL  # at once, in the open session
    other = app.test_client()
    assert password_step(other, "ana@example.org").headers["Location"] == ENROL
    enrol(other, "ana@example.org")
    assert other.get("/admin/").status_code == 200
    advance(STEP_SECONDS)
    third = app.test_client()
    assert password_step(third, "ana@example.org").headers["Location"] == CODE_STEP


def test_an_admin_resets_the_two_factor_of_someone_who_lost_their_phone(app, enrolled):
    make_user("boss@example.org", "admin")
    from .admin_helpers import sign_in

    boss = app.test_client()
    assert sign_in(boss, "boss@example.org").status_code == 302
    uid = user_by_email("admin@example.org").id
    boss.post(f"/admin/users/{uid}/reset-two-factor", data={"csrf_token": signed_in_csrf(boss)})
    assert "user.two_factor_off" in actions()
    client = app.test_client()
    assert password_step(client, "admin@example.org").headers["Location"] == ENROL
    assert db.session.scalars(select(RecoveryCode)).all() == []


def test_the_command_line_resets_a_lost_second_factor(app, enrolled):
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["users", "list"])
    assert "admin@example.org\tadmin\tactive\ttwo-factor on" in listed.output
    result = runner.invoke(args=["users", "reset-two-factor", "admin@example.org"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert not user_by_email("admin@example.org").two_factor_enabled
    assert password_step(app.test_client(), "admin@example.org").headers["Location"] == ENROL
    again = runner.invoke(args=["users", "reset-two-factor", "admin@example.org"])
    assert again.exit_code != 0 and "not on" in again.output
