"""The administration commands: users and consultations from the command line."""

from sqlalchemy import select

from consultation.audit.models import AuditRecord
from consultation.auth.models import User
from consultation.consultations.models import Consultation
from consultation.extensions import db


def run(app, *args, input=None):
    result = app.test_cli_runner().invoke(args=list(args), input=input)
    return result


def test_users_create_list_set_role_disable(app):
    password = "a long enough password\n"
    created = run(
        app,
        "users",
        "create",
        "Ana@Example.org",
        "--role",
        "analyst",
        "--password-stdin",
        input=password,
    )
    assert created.exit_code == 0, created.output
    user = db.session.scalar(select(User))
    assert user.email == "ana@example.org" and user.check_password("a long enough password")
    assert "a long enough password" not in created.output

    prompted = run(
        app,
        "users",
        "create",
        "bo@example.org",
        "--role",
        "admin",
        input="another long password\nanother long password\n",
    )
    assert prompted.exit_code == 0, prompted.output

    listed = run(app, "users", "list")
    assert "ana@example.org\tanalyst\tactive" in listed.output
    assert run(app, "users", "set-role", "ana@example.org", "admin").exit_code == 0
    assert run(app, "users", "disable", "ana@example.org").exit_code == 0
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "ana@example.org"))
    assert user.role == "admin" and user.active is False
    actions = [r.action for r in db.session.scalars(select(AuditRecord).order_by(AuditRecord.id))]
    assert actions == ["user.create", "user.create", "user.set_role", "user.disable"]


def test_users_create_refuses_bad_input(app):
    short = run(
        app,
        "users",
        "create",
        "x@example.org",
        "--role",
        "admin",
        "--password-stdin",
        input="short\n",
    )
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    role = run(app, "users", "create", "x@example.org", "--role", "boss", "--password-stdin")
    assert role.exit_code != 0
    run(
        app,
        "users",
        "create",
        "x@example.org",
        "--role",
        "admin",
        "--password-stdin",
        input="a long enough password\n",
    )
    twice = run(
        app,
        "users",
        "create",
        "X@example.org",
        "--role",
        "admin",
        "--password-stdin",
        input="a long enough password\n",
    )
    assert "already exists" in twice.output
    assert "No user has the e-mail" in run(app, "users", "disable", "nobody@x.org").output


def test_demo_admin_is_created_once(app):
    first = run(app, "users", "create-demo-admin")
    assert "password:" in first.output
    password = first.output.split("password:")[1].split()[0]
    user = db.session.scalar(select(User))
    assert user.is_admin and user.check_password(password)
    second = run(app, "users", "create-demo-admin")
    assert "no demo administrator created" in second.output


def test_consultation_commands(app, consultations, frozen_clock):
    listed = run(app, "consultations", "list")
    assert "apply-ai\topen\t9 April 2025, 00:00 to the end of 4 June 2025" in listed.output

    closed = run(app, "consultations", "close", "apply-ai", "--reason", "Paused")
    assert closed.exit_code == 0, closed.output
    again = run(app, "consultations", "close", "apply-ai")
    assert again.exit_code != 0 and "not open" in again.output
    assert run(app, "consultations", "reopen", "apply-ai").exit_code == 0

    extended = run(app, "consultations", "extend", "apply-ai", "2025-07-31")
    assert extended.exit_code == 0, extended.output
    assert "now closes at midnight at the end of 31 July 2025, Brussels time" in extended.output
    assert run(app, "consultations", "extend", "apply-ai", "31/07/2025").exit_code != 0
    past = run(app, "consultations", "extend", "apply-ai", "2025-01-01")
    assert "1 January 2025 is in the past" in past.output
    unknown = run(app, "consultations", "close", "nope")
    assert "No consultation 'nope'" in unknown.output

    db.session.expire_all()
    item = db.session.scalar(select(Consultation).where(Consultation.slug == "apply-ai"))
    assert item.closes_at.isoformat() == "2025-07-31T22:00:00+00:00"
    records = list(db.session.scalars(select(AuditRecord).order_by(AuditRecord.id)))
    assert [r.action for r in records] == [
        "consultation.close",
        "consultation.reopen",
        "consultation.extend",
    ]
    assert records[0].actor.startswith("command line (") and records[0].reason == "Paused"
