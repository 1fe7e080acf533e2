"""Accounts in the admin area: invitations by e-mail, roles, disabling, forced password
resets, the password rules, and each person's list of sessions."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from consultation import clock
from consultation.audit.models import AuditRecord
from consultation.auth.models import AccountLink, User, UserSession
from consultation.auth.operations import user_by_email
from consultation.auth.passwords import common_passwords, password_problem
from consultation.extensions import db

from . import test_mail
from .admin_helpers import PASSWORD, csrf_from, make_user, sign_in, signed_in_csrf
from .jobs_helpers import run_jobs

smtp_server = test_mail.smtp_server  # the fixture: a real SMTP server on loopback
LINK_RE = re.compile(r"http://localhost(/admin/set-password/[A-Za-z0-9_\-]+)")
NEW_PASSWORD = "lilac kettle orbit meadow"


@pytest.fixture
def admin(app):
    make_user("admin@example.org", "admin")
    client = app.test_client()
    assert sign_in(client, "admin@example.org").status_code == 302
    return client


def audit(action):
    db.session.expire_all()
    query = select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.id)
    return list(db.session.scalars(query))


def post(client, url, **data):
    return client.post(url, data={"csrf_token": signed_in_csrf(client), **data})


def invite(client, email, role="analyst"):
    token = csrf_from(client.get("/admin/users/invite"))
    return client.post(
        "/admin/users/invite", data={"csrf_token": token, "email": email, "role": role}
    )


def mailed_link(app, inbox, to) -> str:
    """Send the queued e-mails; the set-password link of the last one addressed to ``to``."""
    run_jobs(app)
    bodies = [m.get_payload(decode=True).decode() for rcpt, m in inbox.messages if rcpt == [to]]
    assert bodies, [rcpt for rcpt, _ in inbox.messages]
    return LINK_RE.search(bodies[-1]).group(1)


def choose(client, link, password, confirm=None):
    token = csrf_from(client.get(link))
    data = {"csrf_token": token, "password": password, "confirm": confirm or password}
    return client.post(link, data=data)


def user_id(email) -> int:
    db.session.expire_all()
    return user_by_email(email).id


def open_sessions(email):
    db.session.expire_all()
    query = select(UserSession).where(
        UserSession.user_id == user_id(email), UserSession.revoked_at.is_(None)
    )
    return list(db.session.scalars(query))


# -- invitations ---------------------------------------------------------------------


def test_an_invitation_arrives_by_smtp_and_its_link_works_once(app, admin, client, smtp_server):
    result = invite(admin, "New.Analyst@example.org")
    assert result.status_code == 302 and result.headers["Location"] == "/admin/users"
    assert smtp_server.messages == []  # a job sends it, not the request
    link = mailed_link(app, smtp_server, "new.analyst@example.org")
    [(_, message)] = smtp_server.messages
    assert message["Subject"] == "You are invited to the consultation administration"
    assert "72 hours" in message.get_payload(decode=True).decode()
    (row,) = db.session.scalars(select(AccountLink)).all()
    assert link.rsplit("/", 1)[1] not in row.token_hash  # only its hash is kept
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "new.analyst@example.org" in page and "invited" in page
    assert sign_in(client, "new.analyst@example.org", "").status_code == 400  # no password yet

    page = client.get(link)
    assert page.status_code == 200 and "Choose your password" in page.get_data(as_text=True)
    done = choose(client, link, NEW_PASSWORD)
    assert done.status_code == 302 and done.headers["Location"] == "/admin/sign-in"
    assert sign_in(client, "new.analyst@example.org", NEW_PASSWORD).status_code == 302
    assert client.get("/admin/").status_code == 200

    again = app.test_client().get(link)
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)
    unknown = app.test_client().get("/admin/set-password/" + "x" * 43)
    assert unknown.status_code == 404 and "not known" in unknown.get_data(as_text=True)
    [invited] = audit("user.invite")
    assert invited.actor == "admin@example.org"
    assert invited.after == {"email": "new.analyst@example.org", "role": "analyst", "active": True}
    assert [r.after for r in audit("user.set_password")] == [{"through": "invitation"}]


def test_an_invitation_expires_after_72_hours(app, admin, smtp_server, frozen_clock):
    invite(admin, "late@example.org")
    link = mailed_link(app, smtp_server, "late@example.org")
    start = clock.now_utc()
    frozen_clock.set(start + timedelta(hours=71, minutes=59))
    slow = app.test_client()
    token = csrf_from(slow.get(link))  # the form is open in a browser...
    frozen_clock.set(start + timedelta(hours=72))
    expired = app.test_client().get(link)
    assert expired.status_code == 410
    text = expired.get_data(as_text=True)
    assert "expired" in text and "new invitation" in text
    data = {"csrf_token": token, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert slow.post(link, data=data).status_code == 410  # ...and sent too late
    assert not user_by_email("late@example.org").has_password

    # The admin sends a new one; it works, and only it.
    frozen_clock.set(start + timedelta(hours=80))
    assert sign_in(admin, "admin@example.org").status_code == 302  # the earlier session is over
    post(admin, f"/admin/users/{user_id('late@example.org')}/reinvite")
    newer = mailed_link(app, smtp_server, "late@example.org")
    assert newer != link
    assert choose(app.test_client(), newer, NEW_PASSWORD).status_code == 302
    assert len(audit("user.reinvite")) == 1


def test_a_duplicate_or_malformed_invitation_is_refused_with_its_reason(admin, smtp_server):
    make_user("taken@example.org", "analyst")
    result = invite(admin, "taken@example.org")
    assert result.status_code == 400
    text = result.get_data(as_text=True)
    assert "error-summary" in text and "already exists" in text
    result = invite(admin, "not an address")
    assert result.status_code == 400 and "name@example.org" in result.get_data(as_text=True)
    assert audit("user.invite") == []


@pytest.mark.parametrize(
    "password, problem",
    [
        ("short pass", "at least 12 characters"),
        ("Password1234", "too common"),
        ("qwertyuiop123", "too common"),
        ("aaaaaaaaaaaaaaaa", "too common"),
        ("invitee2026!!", "must not contain your e-mail"),
    ],
)
def test_short_and_common_passwords_are_refused_in_the_form(
    app, admin, smtp_server, password, problem
):
    invite(admin, "invitee@example.org")
    link = mailed_link(app, smtp_server, "invitee@example.org")
    result = choose(app.test_client(), link, password)
    assert result.status_code == 400
    text = result.get_data(as_text=True)
    assert problem in text and 'href="#password"' in text  # the summary links to the field
    assert 'aria-invalid="true"' in text
    assert not user_by_email("invitee@example.org").has_password
    assert app.test_client().get(link).status_code == 200  # still usable


def test_two_different_passwords_are_refused(app, admin, smtp_server):
    invite(admin, "invitee@example.org")
    link = mailed_link(app, smtp_server, "invitee@example.org")
    result = choose(app.test_client(), link, NEW_PASSWORD, "lilac kettle orbit meadows")
    assert result.status_code == 400 and "not the same" in result.get_data(as_text=True)


def test_the_common_list_is_shipped_and_the_command_line_uses_it(app):
    assert len(common_passwords()) > 5000 and "password1234" in common_passwords()
    assert password_problem(NEW_PASSWORD) is None
    result = app.test_cli_runner().invoke(
        args=["users", "create", "x@example.org", "--role", "analyst", "--password-stdin"],
        input="password12345\n",
    )
    assert result.exit_code != 0 and "too common" in result.output
    assert user_by_email("x@example.org") is None


# -- roles, disabling, forced resets -------------------------------------------------


def test_a_role_change_is_audited_and_ends_the_persons_sessions(app, admin):
    make_user("ana@example.org", "analyst")
    ana = app.test_client()
    assert sign_in(ana, "ana@example.org").status_code == 302
    result = post(admin, f"/admin/users/{user_id('ana@example.org')}/role", role="moderator")
    assert result.status_code == 302
    assert "is changed" in admin.get("/admin/users").get_data(as_text=True)
    assert ana.get("/admin/").status_code == 302  # signed out
    assert user_by_email("ana@example.org").role == "moderator"
    [record] = audit("user.set_role")
    assert (record.before, record.after) == ({"role": "analyst"}, {"role": "moderator"})
    assert post(admin, f"/admin/users/{user_id('ana@example.org')}/role", role="boss")
    assert user_by_email("ana@example.org").role == "moderator"


def test_disable_and_enable_are_audited_and_disabling_ends_sessions(app, admin):
    make_user("ana@example.org", "analyst")
    ana = app.test_client()
    sign_in(ana, "ana@example.org")
    uid = user_id("ana@example.org")
    post(admin, f"/admin/users/{uid}/disable")
    assert ana.get("/admin/").status_code == 302
    assert sign_in(app.test_client(), "ana@example.org").status_code == 401
    assert open_sessions("ana@example.org") == []
    assert "disabled" in admin.get("/admin/users").get_data(as_text=True)
    post(admin, f"/admin/users/{uid}/enable")
    assert sign_in(app.test_client(), "ana@example.org").status_code == 302
    [off], [on] = audit("user.disable"), audit("user.enable")
    assert (off.before, off.after) == ({"active": True}, {"active": False})
    assert (on.before, on.after) == ({"active": False}, {"active": True})


def test_an_admin_cannot_disable_or_demote_themself(admin):
    uid = user_id("admin@example.org")
    post(admin, f"/admin/users/{uid}/disable")
    assert "your own account" in admin.get("/admin/users").get_data(as_text=True)
    post(admin, f"/admin/users/{uid}/role", role="analyst")
    assert user_by_email("admin@example.org").role == "admin"
    assert user_by_email("admin@example.org").active
    assert audit("user.disable") == [] and audit("user.set_role") == []


def test_a_forced_reset_ends_sessions_and_the_next_sign_in_needs_the_mailed_link(
    app, admin, smtp_server, frozen_clock
):
    make_user("ana@example.org", "analyst")
    ana = app.test_client()
    sign_in(ana, "ana@example.org")
    post(admin, f"/admin/users/{user_id('ana@example.org')}/reset-password")
    assert ana.get("/admin/").status_code == 302
    first = mailed_link(app, smtp_server, "ana@example.org")
    [record] = audit("user.force_password_reset")
    assert (record.before, record.after) == (
        {"must_set_password": False},
        {"must_set_password": True},
    )

    # The old password no longer opens a session: it sends a fresh link instead.
    refused = sign_in(app.test_client(), "ana@example.org")
    assert refused.status_code == 403
    assert "set a new password" in refused.get_data(as_text=True)
    assert open_sessions("ana@example.org") == []
    second = mailed_link(app, smtp_server, "ana@example.org")
    assert second != first
    assert app.test_client().get(first).status_code == 410  # replaced by the newer link
    assert sign_in(app.test_client(), "ana@example.org", "wrong password").status_code == 401
    assert len(smtp_server.messages) == 2  # a wrong password sends nothing

    assert choose(app.test_client(), second, NEW_PASSWORD).status_code == 302
    frozen_clock.set(clock.now_utc() + timedelta(seconds=10))  # after the failures' pause
    assert sign_in(app.test_client(), "ana@example.org").status_code == 401  # the old one
    frozen_clock.set(clock.now_utc() + timedelta(seconds=10))
    assert sign_in(app.test_client(), "ana@example.org", NEW_PASSWORD).status_code == 302
    assert [r.after for r in audit("user.set_password")] == [{"through": "password_reset"}]


def test_the_users_page_lists_every_account(admin):
    make_user("mod@example.org", "moderator")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "admin@example.org" in page and "mod@example.org" in page
    row = page.split('id="user-')[2]  # by e-mail: admin@, then mod@
    assert "mod@example.org" in row and "off" in row and "never" in row
    assert 'name="csrf_token"' in row


def test_user_actions_without_csrf_are_refused(admin):
    result = admin.post(f"/admin/users/{user_id('admin@example.org')}/disable")
    assert result.status_code == 400
    assert user_by_email("admin@example.org").active


# -- sessions -------------------------------------------------------------------------


def test_the_sessions_page_lists_and_ends_a_persons_sessions(app):
    make_user("ana@example.org", "analyst")
    laptop, phone = app.test_client(), app.test_client()
    laptop.environ_base["HTTP_USER_AGENT"] = (
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    )
    sign_in(laptop, "ana@example.org")
    phone.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    sign_in(phone, "ana@example.org")
    page = laptop.get("/admin/account/sessions").get_data(as_text=True)
    assert "Firefox on Linux" in page and "198.51.100.7" in page
    assert page.count('badge-open">this session') == 1
    phone_session = max(open_sessions("ana@example.org"), key=lambda s: s.id)

    ended = post(laptop, f"/admin/account/sessions/{phone_session.id}/end")
    assert ended.status_code == 302
    assert phone.get("/admin/").status_code == 302
    assert laptop.get("/admin/").status_code == 200
    [record] = audit("auth.end_session")
    assert record.actor == "ana@example.org" and record.after["address"] == "198.51.100.7"


def test_nobody_ends_another_persons_session(app, admin):
    make_user("ana@example.org", "analyst")
    ana = app.test_client()
    sign_in(ana, "ana@example.org")
    [theirs] = open_sessions("ana@example.org")
    assert post(admin, f"/admin/account/sessions/{theirs.id}/end").status_code == 404
    assert ana.get("/admin/").status_code == 200


def test_end_every_other_session(app):
    make_user("ana@example.org", "analyst")
    clients = [app.test_client() for _ in range(3)]
    for each in clients:
        sign_in(each, "ana@example.org")
    post(clients[0], "/admin/account/sessions/end-others")
    assert [c.get("/admin/").status_code for c in clients] == [200, 302, 302]
    assert len(open_sessions("ana@example.org")) == 1
    assert audit("auth.end_other_sessions")[0].after == {"sessions": 2}


def test_the_users_table_has_the_new_columns(app):
    make_user("ana@example.org", "analyst")
    user = db.session.get(User, user_id("ana@example.org"))
    assert user.must_set_password is False and user.two_factor_since is None
    assert user.has_password and PASSWORD not in user.password_hash
