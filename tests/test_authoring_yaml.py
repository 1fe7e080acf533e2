"""YAML import and export in the admin area: the loader's checks and messages, the safe
loader's limits, and an export that loads back into the same definition."""

import io
import re

import pytest
import yaml
from sqlalchemy import func, select

from consultation.consultations.models import Consultation, State
from consultation.extensions import db
from consultation.questionnaires.loader import definition_files, digest, parse_file
from consultation.questionnaires.yaml_io import read_upload, to_yaml

from .admin_helpers import csrf_from, signed_in_client
from .test_authoring import SOURCE, audit, consultation, create

LIMIT = 512 * 1024


@pytest.fixture
def admin(app, consultations):
    return signed_in_client(app)


def upload(admin, url, content: bytes, name="questionnaire.yaml"):
    token = csrf_from(admin.get(url))
    return admin.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def exported(admin, slug) -> bytes:
    result = admin.get(f"/admin/consultations/{slug}/export.yaml")
    assert result.status_code == 200
    assert result.headers["Content-Disposition"].startswith(f'attachment; filename="{slug}.yaml"')
    return result.data


@pytest.mark.parametrize("path", definition_files(), ids=lambda p: p.stem)
def test_export_loads_back_into_the_same_definition(admin, path, tmp_path):
    stored = consultation(path.stem)
    data = exported(admin, path.stem)
    again = read_upload(data, f"{path.stem}.yaml", LIMIT)
    assert again == stored.definition == parse_file(path)
    assert digest(again) == stored.definition_digest
    copy = tmp_path / f"{path.stem}.yaml"  # and the command-line loader reads it the same
    copy.write_bytes(data)
    assert parse_file(copy) == stored.definition


def test_import_makes_a_new_consultation(admin):
    definition = consultation(SOURCE).definition
    definition.update(slug="from-a-file", opens="2025-07-01", closes="2025-09-30")
    result = upload(admin, "/admin/manage/consultations/import", to_yaml(definition).encode())
    assert result.status_code == 302, result.get_data(as_text=True)[:2000]
    made = consultation("from-a-file")
    assert made.state is State.UPCOMING and made.definition == definition
    assert made.definition_digest == digest(definition)
    [entry] = audit("consultation.import")
    assert entry.after["file"] == "questionnaire.yaml" and entry.before is None


def test_import_replaces_the_questionnaire_of_an_upcoming_consultation(admin):
    create(admin)
    definition = consultation("digital-skills-2025").definition
    definition["sections"] = definition["sections"][:2]
    url = "/admin/consultations/digital-skills-2025/import"
    result = upload(admin, url, to_yaml(definition).encode())
    assert result.status_code == 302, result.get_data(as_text=True)[:2000]
    made = consultation("digital-skills-2025")
    assert len(made.definition["sections"]) == 2
    assert sum(q.active for q in made.questions) == sum(
        len(s["questions"]) for s in definition["sections"]
    )
    [entry] = audit("consultation.import")
    assert set(entry.before) == {"questions", "digest"} == set(entry.after) - {"file"}
    wrong = {**definition, "slug": "another-slug"}
    result = upload(admin, url, to_yaml(wrong).encode())
    assert result.status_code == 400 and "The file is for another-slug" in result.get_data(
        as_text=True
    )


BAD_FILES = [
    (b"slug: x\n", "has no title, summary, opens, closes, privacy_notice, sections: add them"),
    (b"title: [unclosed\n", "not valid YAML"),
    (b"\xff\xfe not text", "not UTF-8 text"),
    (b"!!python/object/apply:os.system ['echo hacked']\n", "not plain YAML"),
    (b"a: &a [1, 2]\nb: *a\n", "aliases (*name) are not accepted"),
    (b"[" * 40 + b"]" * 40, "nested more than 32 deep"),
]


@pytest.mark.parametrize("content, message", BAD_FILES)
def test_a_refused_file_shows_the_loaders_message_and_saves_nothing(admin, content, message):
    result = upload(admin, "/admin/manage/consultations/import", content, "mine.yaml")
    page = result.get_data(as_text=True)
    assert result.status_code == 400
    error = re.search(r'id="file-error">(.*?)</p>', page, re.S)
    assert error and "mine.yaml" in error.group(1), page[:2000]
    assert message.replace("'", "&#39;") in error.group(1).replace("&#34;", '"')
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 3
    assert not audit("consultation.import")


def test_a_title_or_slug_longer_than_its_column_is_refused(admin):
    definition = consultation(SOURCE).definition
    definition.update(slug="long-title", opens="2025-07-01", closes="2025-09-30")
    definition["title"] = {"en": "T" * 256}
    result = upload(admin, "/admin/manage/consultations/import", to_yaml(definition).encode())
    assert "The title must be at most 255 characters" in result.get_data(as_text=True)
    assert consultation("long-title") is None
    definition.update(title="Fine", slug="s" * 101)
    result = upload(admin, "/admin/manage/consultations/import", to_yaml(definition).encode())
    assert "(slug) must be at most 100 characters" in result.get_data(as_text=True)


def test_a_questionnaire_error_names_the_question(admin):
    definition = consultation(SOURCE).definition
    definition.update(slug="broken", opens="2025-07-01", closes="2025-09-30")
    definition["sections"][1]["questions"][0]["type"] = "essay"
    key = definition["sections"][1]["questions"][0]["key"]
    result = upload(admin, "/admin/manage/consultations/import", to_yaml(definition).encode())
    page = result.get_data(as_text=True)
    assert result.status_code == 400
    assert (
        f"questionnaire.yaml, question &#39;{key}&#39;, type: There is no question type “essay”"
        in page
    )
    assert consultation("broken") is None


def test_an_oversize_file_is_refused_before_it_is_read(admin):
    content = b"# " + b"x" * LIMIT + b"\nslug: big\n"
    result = upload(admin, "/admin/manage/consultations/import", content)
    assert result.status_code == 400
    assert "the largest accepted is 512 KB" in result.get_data(as_text=True)


def test_an_upload_may_include_only_the_shipped_blocks(admin):
    definition = consultation(SOURCE).definition
    definition.update(slug="with-block", opens="2025-07-01", closes="2025-09-30")
    raw = yaml.safe_load(to_yaml(definition))
    raw["sections"] = [{"include": "../../../etc/passwd"}, *raw["sections"][1:]]
    result = upload(admin, "/admin/manage/consultations/import", yaml.safe_dump(raw).encode())
    assert "“include” must name a shared block" in result.get_data(as_text=True)
    raw["sections"][0] = {"include": "about-you"}
    result = upload(admin, "/admin/manage/consultations/import", yaml.safe_dump(raw).encode())
    assert result.status_code == 302, result.get_data(as_text=True)[:2000]


def test_a_consultation_made_in_the_browser_exports_and_loads_back(admin):
    assert create(admin).status_code == 302
    made = consultation("digital-skills-2025")
    again = read_upload(exported(admin, made.slug), "x.yaml", LIMIT)
    assert again == made.definition and digest(again) == made.definition_digest
    assert again["languages"] == ["en", "fr"] and again["contact"] == "skills@example.eu"


def test_a_file_whose_window_has_begun_is_refused(admin):
    result = upload(admin, "/admin/manage/consultations/import", exported(admin, SOURCE))
    page = result.get_data(as_text=True)
    assert result.status_code == 400 and "The opening date must be after today" in page
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 3
