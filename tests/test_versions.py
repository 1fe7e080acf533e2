"""Drafts and questionnaire versions (issue 18, item 3): a consultation made in the admin
area is a draft until published; an incompatible change after responses is refused, or
begins a new version that keeps every stored answer; each response records its version."""

import csv
import io
import re

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select

from consultation.consultations.models import QuestionnaireVersion, QuestionRecord
from consultation.extensions import db
from consultation.questionnaires.yaml_io import to_yaml
from consultation.reports import export
from consultation.responses.models import Answer, Response

from .admin_helpers import signed_in_client, signed_in_csrf
from .test_authoring import SOURCE, audit, consultation, create, publish
from .test_authoring_changes import URL, answered, compatible_change, current, find

DRAFT = "digital-skills-2025"


@pytest.fixture
def admin(app, consultations):
    return signed_in_client(app)


def test_a_draft_is_not_public_until_published_and_publishing_is_audited(admin, client):
    assert create(admin).status_code == 302
    assert consultation(DRAFT).is_draft
    assert client.get(f"/consultations/{DRAFT}").status_code == 404
    assert client.get(f"/consultations/{DRAFT}/respond").status_code == 404
    assert client.get(f"/api/v1/consultations/{DRAFT}").status_code == 404
    assert DRAFT not in client.get("/").get_data(as_text=True)
    assert DRAFT not in client.get("/api/v1/consultations").get_data(as_text=True)
    assert admin.get(f"/admin/consultations/{DRAFT}/preview/en").status_code == 200
    assert 'id="draft"' in admin.get(f"/admin/consultations/{DRAFT}").get_data(as_text=True)
    token = signed_in_csrf(admin)
    first = admin.post(f"/admin/consultations/{DRAFT}/publish", data={"csrf_token": token})
    assert "Please confirm" in first.get_data(as_text=True) and consultation(DRAFT).is_draft
    assert publish(admin).status_code == 302
    assert not consultation(DRAFT).is_draft
    [entry] = audit("consultation.publish")
    assert entry.before == {"published_at": None} and entry.after["version"] == 1
    log = admin.get("/admin/audit").get_data(as_text=True)
    assert "version 1 of its questionnaire" in log
    assert client.get(f"/consultations/{DRAFT}").status_code == 200
    assert DRAFT in client.get("/api/v1/consultations").get_data(as_text=True)
    assert DRAFT in client.get("/").get_data(as_text=True)


def test_publishing_is_refused_with_a_missing_translation(admin, client):
    assert create(admin).status_code == 302
    item = consultation(DRAFT)
    definition = {**item.definition, "sections": [dict(s) for s in item.definition["sections"]]}
    section = definition["sections"][0]
    section["questions"] = [
        *section["questions"],
        {**section["questions"][-1], "key": "untranslated", "text": {"en": "Nobody said this"}},
    ]
    item.definition = definition
    db.session.commit()
    result = publish(admin)
    page = admin.get(result.headers["Location"]).get_data(as_text=True)
    assert "was not published" in page and "Français (fr)" in page
    assert consultation(DRAFT).is_draft and not audit("consultation.publish")
    assert client.get(f"/consultations/{DRAFT}").status_code == 404


def incompatible(admin):
    definition = compatible_change(current(admin))
    for section in definition["sections"]:
        section["questions"] = [q for q in section["questions"] if q["key"] != "data_types"]
    find(definition, "data_ease")["options"].pop()
    return definition


def upload_versioned(admin, definition, new_version):
    token = signed_in_csrf(admin)
    data = {"csrf_token": token, "file": (io.BytesIO(to_yaml(definition).encode()), "q.yaml")}
    if new_version:
        data["new_version"] = "y"
    return admin.post(URL, data=data, content_type="multipart/form-data")


def test_a_refused_change_offers_a_new_version_and_explains(admin, client):
    answered(client)
    result = upload_versioned(admin, incompatible(admin), new_version=False)
    page = result.get_data(as_text=True)
    assert result.status_code == 400 and "Nothing was saved" in page
    assert 'id="new-version"' in page and "(data_types): removed" in page
    assert db.session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 3


def test_a_new_version_keeps_old_answers_under_their_own_question(admin, client):
    answered(client)
    old = {r.key: r.id for r in consultation(SOURCE).questions}
    stored = db.session.scalar(select(func.count()).select_from(Answer))
    result = upload_versioned(admin, incompatible(admin), new_version=True)
    assert result.status_code == 302, result.get_data(as_text=True)[:3000]
    item = consultation(SOURCE)
    records = {r.key: r for r in item.questions}
    assert records["data_types@v1"].id == old["data_types"] and not records["data_types@v1"].active
    assert records["data_ease@v1"].id == old["data_ease"]
    assert records["data_ease"].id != old["data_ease"] and records["data_ease"].active
    assert records["data_ease@v1"].retired_from == ("data_ease", 1)
    assert db.session.scalar(select(func.count()).select_from(Answer)) == stored  # all kept
    numbers = db.session.scalars(
        select(QuestionnaireVersion.number).where(QuestionnaireVersion.consultation_id == item.id)
    ).all()
    assert sorted(numbers) == [1, 2]
    [entry] = audit("consultation.new_version")
    assert entry.before["version"] == 1 and entry.after["version"] == 2
    assert "as a new version (by" in admin.get("/admin/audit").get_data(as_text=True)
    answered(client)  # a new contribution answers version 2
    versions = db.session.scalars(
        select(Response.questionnaire_version).order_by(Response.id)
    ).all()
    assert versions == [1, 2]
    rows = list(csv.reader(io.StringIO("".join(export.iter_csv(item, True))[1:])))
    header = rows[0]
    assert header[-1] == "questionnaire_version"
    assert [row[-1] for row in rows[1:]] == ["1", "2"]
    assert "data_ease@v1" in header and "data_ease" in header
    assert any(h.startswith("data_types@v1") for h in header)
    old_cell, new_cell = header.index("data_ease@v1"), header.index("data_ease")
    assert rows[1][old_cell] and not rows[1][new_cell]  # the first answered version 1 only
    assert rows[2][new_cell] and not rows[2][old_cell]
    response = db.session.scalars(select(Response).order_by(Response.id)).first()
    page = admin.get(f"/admin/responses/{response.id}").get_data(as_text=True)
    shown = re.search(r'id="questionnaire-version">(\d+)<', page)
    assert shown and shown.group(1) == "1"


def test_the_migration_publishes_existing_rows_and_downgrades(app, consultations):
    db.session.remove()
    try:
        downgrade(revision="0020")
        columns = {c["name"] for c in inspect(db.engine).get_columns("consultations")}
        assert "published_at" not in columns
        assert "questionnaire_versions" not in inspect(db.engine).get_table_names()
    finally:
        upgrade()
    db.session.remove()
    rows = db.session.scalars(select(QuestionnaireVersion)).all()
    assert sorted(r.number for r in rows) == [1, 1, 1]
    assert all(not consultation(slug).is_draft for slug in consultations)
    assert db.session.scalar(select(func.count()).select_from(QuestionRecord)) > 0


def test_publishing_is_refused_with_the_loaders_message(admin, client):
    """A definition complete in every language but one the YAML loader refuses (here two
    questions of one key) is not published, and the admin reads the loader's words."""
    assert create(admin).status_code == 302
    item = consultation(DRAFT)
    definition = {**item.definition, "sections": [dict(s) for s in item.definition["sections"]]}
    section = definition["sections"][-1]
    section["questions"] = [*section["questions"], dict(section["questions"][-1])]
    twice = section["questions"][-1]["key"]
    item.definition = definition
    db.session.commit()
    result = publish(admin)
    assert result.status_code == 302
    page = admin.get(result.headers["Location"]).get_data(as_text=True)
    assert "was not published" in page
    assert f"question &#39;{twice}&#39;, key: Another question already has the key" in page
    assert consultation(DRAFT).is_draft and not audit("consultation.publish")
    assert client.get(f"/consultations/{DRAFT}").status_code == 404
