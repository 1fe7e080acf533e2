"""flask backup: a round trip gives back every response exactly."""

import pytest
from sqlalchemy import select

from consultation.extensions import db
from consultation.responses.models import Response
from consultation.responses.queries import response_values

from .answers import valid_form_data
from .conftest import form_tokens

SLUG = "apply-ai"


def snapshot():
    db.session.expire_all()
    rows = db.session.scalars(select(Response).order_by(Response.id))
    return [
        (
            r.reference,
            r.submitted_at,
            r.email,
            r.country,
            repr(response_values(r)),
            [(u.original_name, u.sha256) for u in r.uploads],
        )
        for r in rows
    ]


def test_round_trip_restores_every_response(app, client, consultations, tmp_path):
    if app.config["BACKEND"] != "sqlite":
        pytest.skip("flask backup covers SQLite; PostgreSQL uses pg_dump (docs/deployment.md)")
    questionnaire = consultations[SLUG].questionnaire
    for country in ("BE", "FR", "PL"):
        data = {**form_tokens(client, SLUG), **valid_form_data(questionnaire)}
        data["q_country"] = country
        assert client.post(f"/consultations/{SLUG}/respond", data=data).status_code == 303
    before = snapshot()
    runner = app.test_cli_runner()
    archive = tmp_path / "backup.tar.gz"
    created = runner.invoke(args=["backup", "create", "-o", str(archive)])
    assert created.exit_code == 0, created.output

    # damage: one response gone, another changed, a new one added
    db.session.delete(db.session.scalars(select(Response)).first())
    db.session.scalars(select(Response)).all()[-1].email = "changed@example.org"
    db.session.commit()
    data = {**form_tokens(client, SLUG), **valid_form_data(questionnaire)}
    client.post(f"/consultations/{SLUG}/respond", data=data)
    assert snapshot() != before

    restored = runner.invoke(args=["backup", "restore", str(archive), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert snapshot() == before
    assert len(before) == 3


def test_restore_refuses_a_file_that_is_not_a_backup(app, tmp_path):
    if app.config["BACKEND"] != "sqlite":
        pytest.skip("SQLite only")
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not an archive")
    result = app.test_cli_runner().invoke(args=["backup", "restore", str(bogus), "--yes"])
    assert result.exit_code != 0 and "cannot be read as a backup" in result.output


def test_backup_on_postgresql_points_to_pg_dump(app, tmp_path):
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("PostgreSQL only")
    result = app.test_cli_runner().invoke(args=["backup", "create", "-o", str(tmp_path / "x")])
    assert result.exit_code != 0 and "pg_dump" in result.output
