"""A file chosen in a form that comes back unsent is kept for that form only, then purged."""

import hashlib
import io
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from consultation import clock
from consultation.extensions import db
from consultation.responses.models import Draft, KeptFile, Response, Upload

from .answers import PDF, valid_form_data
from .conftest import form_tokens
from .forms import private_link, shown_form

SLUG = "apply-ai"
OTHER_PDF = b"%PDF-1.7\nanother paper\n%%EOF\n"
ATTACHED = "Attached: <strong>{}</strong>. It is kept"


def post(client, url, data):
    return client.post(url, data=data, content_type="multipart/form-data")


def respond(client, data):
    return post(client, f"/consultations/{SLUG}/respond", data)


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def with_an_error(client, consultations, **files):
    """Post a complete form with a file but no e-mail address; return the page shown again."""
    data = {**form_tokens(client, SLUG), **valid_form_data(consultations[SLUG].questionnaire)}
    data["q_email"] = ""
    data.update(files)
    result = respond(client, data)
    assert result.status_code == 400
    return result.get_data(as_text=True)


def again(page, **changes):
    """The form as the page shows it (a browser never resends a file), with ``changes``."""
    data = shown_form(page).to_dict(flat=False)
    data.update(changes)
    return data


def folder(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"])


def test_a_chosen_file_survives_an_error_and_is_sent_with_the_form(app, client, consultations):
    page = with_an_error(client, consultations)

    assert ATTACHED.format("position.pdf") in page
    assert 'name="q_position_paper-remove"' in page  # it can be removed...
    assert 'type="file"' in page  # ...or replaced
    kept = db.session.scalars(select(KeptFile)).one()
    assert (folder(app) / kept.stored_name).read_bytes() == PDF
    assert count(Response) == 0

    sent = respond(client, again(page, q_email="person@example.org"))

    assert sent.status_code == 303, sent.get_data(as_text=True)[:3000]
    upload = db.session.scalars(select(Upload)).one()
    assert upload.original_name == "position.pdf"
    assert upload.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (folder(app) / upload.stored_name).read_bytes() == PDF
    assert count(KeptFile) == 0  # the contribution has its own copy; the kept one is gone
    assert not (folder(app) / kept.stored_name).exists()


def test_a_kept_file_can_be_replaced_then_removed(app, client, consultations):
    page = with_an_error(client, consultations)
    first = db.session.scalars(select(KeptFile)).one().stored_name

    replaced = respond(client, again(page, q_position_paper=(io.BytesIO(OTHER_PDF), "second.pdf")))
    page = replaced.get_data(as_text=True)
    assert replaced.status_code == 400
    assert ATTACHED.format("second.pdf") in page and "position.pdf" not in page
    db.session.expire_all()
    assert db.session.scalars(select(KeptFile.filename)).all() == ["second.pdf"]
    assert not (folder(app) / first).exists()

    removed = respond(client, again(page, **{"q_position_paper-remove": "y"}))
    page = removed.get_data(as_text=True)
    assert "Attached:" not in page
    assert count(KeptFile) == 0

    sent = respond(client, again(page, q_email="person@example.org"))
    assert sent.status_code == 303
    assert count(Upload) == 0


def test_a_kept_file_belongs_to_its_form_alone(app, client, consultations):
    with_an_error(client, consultations)
    assert count(KeptFile) == 1

    # Someone else, with a form of their own (or a made-up token), sees and gets nothing.
    other = app.test_client()
    data = {**form_tokens(other, SLUG), **valid_form_data(consultations[SLUG].questionnaire)}
    del data["q_position_paper"]
    data["q_email"] = ""
    page = respond(other, data).get_data(as_text=True)
    assert "Attached:" not in page
    data["q_email"] = "person@example.org"
    assert respond(other, data).status_code == 303
    assert count(Upload) == 0 and count(KeptFile) == 1
    forged = respond(other, {**data, "submission_token": "guessed"}).get_data(as_text=True)
    assert "Attached:" not in forged
    assert count(Upload) == 0 and count(KeptFile) == 1


def test_a_file_refused_is_not_kept(client, consultations):
    page = with_an_error(client, consultations, q_position_paper=(io.BytesIO(b"MZ"), "x.pdf"))
    assert "is not a PDF document" in page and "Attached:" not in page
    assert count(KeptFile) == 0


def test_the_kept_file_goes_into_a_draft_saved_from_the_page(app, client, consultations):
    page = with_an_error(client, consultations)

    saved = respond(client, again(page, action="save_draft"))

    assert saved.status_code == 303
    files = db.session.scalars(select(Draft)).one().data["files"]
    assert files["position_paper"]["filename"] == "position.pdf"
    assert (folder(app) / files["position_paper"]["stored_name"]).read_bytes() == PDF
    assert count(KeptFile) == 0


def test_switching_language_keeps_the_chosen_file(client, consultations):
    data = {**form_tokens(client, SLUG), "q_first_name": "Ada"}
    data["q_position_paper"] = (io.BytesIO(PDF), "position.pdf")
    page = respond(client, {**data, "switch_language": "fr"}).get_data(as_text=True)
    assert 'lang="fr"' in page and "<strong>position.pdf</strong>" in page
    assert count(KeptFile) == 1


def test_a_new_file_chosen_while_editing_survives_an_error(app, client, consultations):
    data = {**form_tokens(client, SLUG), **valid_form_data(consultations[SLUG].questionnaire)}
    receipt = client.get(respond(client, data).headers["Location"]).get_data(as_text=True)
    link = private_link(receipt, "edit")
    form = shown_form(client.get(link).get_data(as_text=True)).to_dict(flat=False)

    page = post(
        client,
        link,
        {**form, "q_email": "", "q_position_paper": (io.BytesIO(OTHER_PDF), "second.pdf")},
    ).get_data(as_text=True)
    assert ATTACHED.format("second.pdf") in page

    assert post(client, link, again(page, q_email="new@example.org")).status_code == 303
    upload = db.session.scalars(select(Upload)).one()
    assert upload.original_name == "second.pdf"
    assert (folder(app) / upload.stored_name).read_bytes() == OTHER_PDF
    assert count(KeptFile) == 0


def test_kept_files_of_forms_never_sent_are_purged_after_a_day(
    app, client, consultations, frozen_clock
):
    with_an_error(client, consultations)
    old = db.session.scalars(select(KeptFile)).one().stored_name
    frozen_clock.set(clock.now_utc() + timedelta(hours=20))
    with_an_error(client, consultations)
    young = db.session.scalars(select(KeptFile).where(KeptFile.stored_name != old)).one()
    frozen_clock.set(clock.now_utc() + timedelta(hours=5))  # the first is 25 hours old

    result = app.test_cli_runner().invoke(args=["uploads", "purge"])

    assert result.exit_code == 0, result.output
    assert "1 kept file deleted" in result.output
    assert not (folder(app) / old).exists()
    assert (folder(app) / young.stored_name).exists()
    db.session.expire_all()
    assert db.session.scalars(select(KeptFile.stored_name)).all() == [young.stored_name]


def test_a_file_kept_too_long_is_said_to_be_gone(client, consultations, frozen_clock):
    page = with_an_error(client, consultations)
    frozen_clock.set(clock.now_utc() + timedelta(hours=25))

    result = respond(client, again(page, q_email="person@example.org"))

    page = result.get_data(as_text=True)
    assert result.status_code == 400
    assert "The file “position.pdf” you chose is no longer kept" in page
    assert count(KeptFile) == 0 and count(Response) == 0


def test_the_workers_purge_kept_files_and_old_drafts_every_hour(
    app, client, consultations, frozen_clock
):
    """No cron job needed: the job workers' hourly housekeeping deletes what the purge
    commands delete (kept files of forms never sent, drafts of long-closed consultations)."""
    from consultation.jobs import tasks
    from consultation.jobs.queue import queue_of
    from consultation.responses.models import Draft

    from .test_drafts import save_new_draft

    with_an_error(client, consultations)
    kept = db.session.scalars(select(KeptFile)).one().stored_name
    save_new_draft(client, {"q_first_name": "Ada"}, slug="apply-ai")
    assert db.session.scalar(select(db.func.count()).select_from(Draft)) == 1
    periodic = {task.name for task in queue_of(app).huey._registry.periodic_tasks}
    assert "housekeeping" in periodic

    frozen_clock.set(clock.now_utc() + timedelta(hours=25))
    assert tasks.housekeeping()["kept_files"] == 1
    assert not (folder(app) / kept).exists()
    assert db.session.scalar(select(db.func.count()).select_from(Draft)) == 1  # still open

    closes = consultations["apply-ai"].ended_at
    frozen_clock.set(closes + timedelta(days=app.config["DRAFT_RETENTION_DAYS"], hours=1))
    assert tasks.housekeeping()["drafts"] == 1
    db.session.expire_all()
    assert db.session.scalar(select(db.func.count()).select_from(Draft)) == 0
