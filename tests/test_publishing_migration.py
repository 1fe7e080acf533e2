"""Migration 0013 in place: stored contributions, answers and sessions survive it both ways;
each stored response gets its own public ID and waits for review; moderators can exist."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text

from consultation.auth.models import UserSession
from consultation.extensions import db
from consultation.responses.models import Answer, Response

from .admin_helpers import make_user, sign_in
from .reporting import SLUG, submit


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_downgrade_and_upgrade_keep_everything_and_give_public_ids(app, client, consultations):
    for name in ("Ada", "Bea", "Cem"):
        submit(client, consultations[SLUG], {"q_first_name": name})
    make_user("admin@example.org", "admin")
    assert sign_in(app.test_client(), "admin@example.org").status_code == 302
    answers, sessions = count(Answer), count(UserSession)
    db.session.remove()
    try:
        downgrade(revision="0011")
        with db.engine.connect() as connection:
            columns = (
                {row[1] for row in connection.execute(text("PRAGMA table_info(responses)"))}
                if db.engine.dialect.name == "sqlite"
                else set()
            )
            assert "public_id" not in columns
            assert connection.execute(text("SELECT count(*) FROM answers")).scalar() == answers
            assert (
                connection.execute(text("SELECT count(*) FROM user_sessions")).scalar() == sessions
            )
    finally:
        upgrade()
    assert count(Answer) == answers and count(UserSession) == sessions
    if db.engine.dialect.name == "sqlite":  # 0023 turned them off to rebuild users
        db.session.remove()
        connections = [db.engine.connect() for _ in range(db.engine.pool.size())]
        try:  # every pooled connection, the migration's among them, enforces foreign keys
            assert [c.exec_driver_sql("PRAGMA foreign_keys").scalar() for c in connections] == [
                1
            ] * len(connections)
        finally:
            for connection in connections:
                connection.close()
    rows = db.session.execute(select(Response.public_id, Response.moderation)).all()
    assert len({public_id for public_id, _ in rows}) == 3 and all(p for p, _ in rows)
    assert {state for _, state in rows} == {"pending"}
    make_user("moderator@example.org", "moderator")  # the widened role check accepts it
    db.session.remove()
    with db.engine.begin() as connection:  # and still refuses a role nobody knows
        try:
            connection.execute(text("UPDATE users SET role = 'emperor'"))
        except Exception:  # noqa: BLE001 (each driver names the refusal its own way)
            refused = True
        else:
            refused = False
    assert refused
