"""Replacing the questionnaire of a consultation that has opened, from a YAML file: wording
fixes and new optional questions are taken (audited, stored answers still read and
reported), anything that would change what stored answers mean is refused, one by one."""

import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from consultation import clock
from consultation.extensions import db
from consultation.jobs.models import Job
from consultation.questionnaires.yaml_io import read_upload, to_yaml
from consultation.reports import export
from consultation.reports.summary import build_summary
from consultation.responses.models import Response

from .admin_helpers import signed_in_client, signed_in_csrf
from .answers import valid_form_data
from .conftest import form_tokens
from .test_authoring import SOURCE, audit, consultation
from .test_authoring_yaml import LIMIT, exported, upload

URL = f"/admin/consultations/{SOURCE}/import"
NEW_QUESTION = {
    "key": "ai_hopes",
    "type": "long_text",
    "text": "What do you hope AI will do with shared data?",
    "max_length": 900,
}


@pytest.fixture
def admin(app, consultations):
    return signed_in_client(app)


def answered(client, slug=SOURCE):
    data = {**form_tokens(client, slug), **valid_form_data(consultation(slug).questionnaire)}
    assert client.post(f"/consultations/{slug}/respond", data=data).status_code == 303


def current(admin) -> dict:
    """The consultation's definition as its exported file reads back."""
    return read_upload(exported(admin, SOURCE), "x.yaml", LIMIT)


def find(definition, key):
    return next(q for s in definition["sections"] for q in s["questions"] if q["key"] == key)


def compatible_change(definition):
    find(definition, "data_ease")["text"] = "How easy is it for you to find the data you need?"
    find(definition, "data_ease")["options"][0]["label"] = "Very easy, as a rule"
    definition["sections"][-1]["questions"].append(dict(NEW_QUESTION))
    return definition


def test_an_open_consultation_with_answers_takes_a_compatible_change(admin, client):
    answered(client)
    item = consultation(SOURCE)
    window, before = (item.opens_at, item.closes_at), item.definition_digest
    result = upload(admin, URL, to_yaml(compatible_change(current(admin))).encode())
    assert result.status_code == 302, result.get_data(as_text=True)[:3000]
    item = consultation(SOURCE)
    assert item.definition_digest != before and (item.opens_at, item.closes_at) == window
    assert find(item.definition, "ai_hopes")["text"] == NEW_QUESTION["text"]
    [entry] = audit("consultation.import")
    assert entry.before["digest"] == before and entry.after["digest"] == item.definition_digest
    assert entry.before["questions"] + 1 == entry.after["questions"]
    assert entry.after["state"] == "open" and entry.after["file"] == "questionnaire.yaml"
    [job] = db.session.scalars(select(Job)).all()  # the export's ready lines made again
    assert job.kind == "prepare_exports" and job.consultation_id == item.id

    # The answers given before read and report as they did, the new question beside them.
    summary = build_summary(item, locale="en")
    assert summary.total == 1
    labels = {q.key: q for _heading, items in summary.sections for q in items}
    assert labels["data_ease"].label == "How easy is it for you to find the data you need?"
    assert labels["data_ease"].answered == 1 and labels["ai_hopes"].answered == 0
    rows = list(csv.reader(io.StringIO("".join(export.iter_csv(item, True))[1:])))
    header, [row] = rows[0], rows[1:]
    assert row[header.index("data_ease")] == "Very easy, as a rule"  # labels as they read now
    assert row[header.index("ai_hopes")] == ""  # asked after this contribution came in
    answered(client)  # and the new question is answered like any other
    assert db.session.scalar(select(func.count()).select_from(Response)) == 2


def test_a_closed_consultation_keeps_its_extended_window(admin, client):
    answered(client)
    item = consultation(SOURCE)
    item.closes_at = clock.end_of_day(date(2025, 8, 31))  # as an extension leaves it
    item.closed_at = clock.now_utc()
    db.session.commit()
    window = (item.opens_at, item.closes_at, item.closed_at)
    result = upload(admin, URL, to_yaml(compatible_change(current(admin))).encode())
    assert result.status_code == 302, result.get_data(as_text=True)[:3000]
    item = consultation(SOURCE)
    assert (item.opens_at, item.closes_at, item.closed_at) == window
    assert audit("consultation.import")[0].after["state"] == "closed"


def test_an_incompatible_change_is_refused_question_by_question(admin, client):
    answered(client)
    before = consultation(SOURCE).definition_digest
    definition = compatible_change(current(admin))
    for section in definition["sections"]:
        section["questions"] = [q for q in section["questions"] if q["key"] != "data_types"]
    find(definition, "wanted_dataset")["max_length"] = 50
    find(definition, "data_ease")["options"].pop()
    find(definition, "simplification_approach")["type"] = "multiple_choice"
    del find(definition, "simplification_approach")["widget"]
    result = upload(admin, URL, to_yaml(definition).encode())
    page = result.get_data(as_text=True)
    assert result.status_code == 400
    assert "Nothing was saved" in re.search(r'id="file-error">(.*?)</p>', page, re.S).group(1)
    problems = re.search(r'id="file-problems">(.*?)</ul>', page, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", problems, re.S)
    assert len(items) == 4
    assert "(data_types): removed, or its key changed" in items[1]
    assert "(data_ease)" in items[0] and "not_applicable" in items[0]
    assert "(wanted_dataset)" in items[2] and "from 200 to 50" in items[2]
    assert "(simplification_approach)" in items[3] and "type cannot change" in items[3]
    assert 'href="#file"' in page  # the error summary leads to the field
    assert consultation(SOURCE).definition_digest == before
    assert not audit("consultation.import")


def test_the_file_may_not_move_the_dates_of_an_open_consultation(admin):
    definition = current(admin)
    definition["closes"] = "2025-12-31"
    result = upload(admin, URL, to_yaml(definition).encode())
    page = result.get_data(as_text=True)
    assert result.status_code == 400 and "Change the closing date" in page
    assert consultation(SOURCE).closing_date == date(2025, 7, 18)


def test_an_unchanged_file_changes_nothing(admin):
    result = upload(admin, URL, exported(admin, SOURCE))
    assert result.status_code == 302 and not audit("consultation.import")


def test_an_archived_consultation_is_refused(admin):
    item = consultation(SOURCE)
    item.closed_at = item.archived_at = clock.now_utc()
    db.session.commit()
    assert admin.get(URL).status_code == 409
    result = admin.post(
        URL,
        data={"csrf_token": signed_in_csrf(admin), "file": (io.BytesIO(b"slug: x\n"), "a.yaml")},
        content_type="multipart/form-data",
    )
    assert result.status_code == 409 and "is archived" in result.get_data(as_text=True)


def test_the_page_says_what_an_open_consultation_takes(admin):
    page = admin.get(URL).get_data(as_text=True)
    assert "may only fix wording" in page
    listing = admin.get("/admin/manage/consultations").get_data(as_text=True)
    assert f'href="{URL}"' in listing
    assert f'href="{URL}"' in admin.get(f"/admin/consultations/{SOURCE}").get_data(as_text=True)


def test_analysts_cannot_replace(app, consultations):
    client = signed_in_client(app, "analyst@example.org", "analyst")
    assert client.get(URL).status_code == 403
    result = client.post(URL, data={"csrf_token": signed_in_csrf(client)})
    assert result.status_code == 403 and not audit("consultation.import")
