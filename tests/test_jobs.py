"""Reports and exports as background jobs: starting, joining, progress, failures, retention.

These run the queued jobs in this process through the worker's own path
(``JobQueue.run_pending``: Huey's ``execute``); ``test_job_worker.py`` runs them
in real ``flask worker`` processes.
"""

import csv
import io
import os
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

from consultation import clock
from consultation.audit.models import AuditRecord
from consultation.extensions import db
from consultation.jobs import operations, tasks
from consultation.jobs.models import Job
from consultation.jobs.queue import queue_of
from consultation.reports import export, generate

from .admin_helpers import make_user, sign_in, signed_in_csrf
from .jobs_helpers import job, prepared, run_jobs, start

SLUG = "apply-ai"
BASE = f"/admin/consultations/{SLUG}"


def signed_in(app, role):
    make_user(f"{role}@example.org", role)
    client = app.test_client()
    sign_in(client, f"{role}@example.org")
    return client


@pytest.fixture
def analyst(app, consultations):
    return signed_in(app, "analyst")


@pytest.fixture
def admin(app, consultations):
    return signed_in(app, "admin")


@pytest.fixture
def responses(consultations):
    generate.generate_responses(consultations[SLUG], 40, seed=7)
    db.session.commit()
    return consultations[SLUG]


def audit(action):
    db.session.expire_all()
    query = select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.id)
    return list(db.session.scalars(query))


def test_a_summary_is_prepared_in_the_background_then_downloaded(app, analyst, responses):
    job_id = start(analyst, BASE + "/reports/summary", country="FR", respondent_type="")

    waiting = analyst.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "Waiting to start" in waiting and "Waiting for a worker to start it." in waiting
    assert "<progress" in waiting
    assert job(job_id).parameters == {
        "consultation_id": responses.id,
        "respondent_type": None,
        "country": "FR",
        "locale": "en",
    }
    assert job(job_id).requested_by == "analyst@example.org"

    assert run_jobs(app) == 1
    done = job(job_id)
    assert done.state.value == "done" and (done.progress_done, done.progress_total) == (1, 1)
    page = analyst.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "Ready" in page and f"/admin/jobs/{job_id}/download" in page
    assert "Summary report (PDF): France" in page
    assert 'http-equiv="refresh"' not in page  # finished: nothing to refresh for

    pdf = analyst.get(f"/admin/jobs/{job_id}/download")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"].startswith("attachment")
    assert f"{SLUG}-summary-FR-" in pdf.headers["Content-Disposition"]
    assert int(done.result_size) == len(pdf.data)
    (record,) = audit("report.download")
    assert record.actor == "analyst@example.org"
    assert record.after == {"format": "pdf", "job": job_id, "country": "FR"}

    listing = analyst.get(BASE).get_data(as_text=True)
    assert "Recent reports and exports" in listing and "analyst@example.org" in listing
    assert f"/admin/jobs/{job_id}/download" in listing and " kB" in listing


def test_the_summary_speaks_the_language_of_who_asked(app, analyst, responses):
    from consultation.i18n import COOKIE

    from .reporting import pdf_text

    analyst.set_cookie(COOKIE, "de")
    job_id = start(analyst, BASE + "/reports/summary")
    assert job(job_id).locale == "de" and job(job_id).parameters["locale"] == "de"
    run_jobs(app)
    text = pdf_text(analyst.get(f"/admin/jobs/{job_id}/download").data)
    assert "9. April 2025" in text  # its dates, in German (the words follow with branch reports)
    page = analyst.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "Herunterladen" in page


def test_spreadsheets_personal_and_public(app, analyst, client, responses):
    from .test_admin import submit

    submit(client, q_first_name="Philippa", q_publication="anonymous", q_email="ph@example.org")
    personal = prepared(app, analyst, BASE + "/reports/export", format="csv", variant="personal")
    public = prepared(app, analyst, BASE + "/reports/export", format="csv", variant="public")
    personal_text, public_text = personal.get_data(as_text=True), public.get_data(as_text=True)
    assert "Philippa" in personal_text and "ph@example.org" in personal_text
    assert "Philippa" not in public_text and "ph@example.org" not in public_text
    assert personal_text == "".join(export.iter_csv(responses, True))
    assert personal.mimetype == "text/csv"

    workbook = prepared(app, analyst, BASE + "/reports/export", format="xlsx", variant="public")
    assert workbook.data[:2] == b"PK" and workbook.mimetype.endswith("spreadsheetml.sheet")

    records = audit("export.download")
    rows = export.export_count(responses)  # the generated ones not flagged, and Philippa's
    public = export.export_count(responses, False)  # of those, the ones moderated
    assert [(r.after["format"], r.after["variant"], r.after["rows"]) for r in records] == [
        ("csv", "personal", rows),
        ("csv", "public", public),
        ("xlsx", "public", public),
    ]
    assert all(r.target_type == "consultation" and r.after["job"] for r in records)


def test_progress_is_written_as_rows_are_exported(app, analyst, responses, monkeypatch):
    from consultation.reports import ready_lines

    monkeypatch.setattr(ready_lines, "LINE_CHUNK", 10)  # 40 responses: four pages
    monkeypatch.setattr(tasks.Progress, "INTERVAL", 0)
    seen = []

    def progress_writes(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE jobs") and "progress_done" in statement:
            seen.append(next(v for v in _values(parameters) if isinstance(v, int)))

    event.listen(db.engine, "before_cursor_execute", progress_writes)
    try:
        job_id = start(analyst, BASE + "/reports/export", format="csv", variant="personal")
        run_jobs(app)
    finally:
        event.remove(db.engine, "before_cursor_execute", progress_writes)
    rows = export.export_count(responses)  # 40 generated, less the few marked as spam
    assert 30 < rows <= 40 and seen[:5] == [0, 10, 20, 30, rows]
    assert job(job_id).progress_unit == "rows" and job(job_id).result_rows == rows


def _values(parameters):
    return parameters.values() if isinstance(parameters, dict) else parameters


def test_the_same_request_joins_the_job_under_way(app, analyst, admin, responses):
    first = start(analyst, BASE + "/reports/export", format="csv", variant="personal")
    joined = admin.post(
        BASE + "/reports/export",
        data={"csrf_token": signed_in_csrf(admin), "format": "csv", "variant": "personal"},
    )
    assert joined.headers["Location"].endswith(f"/admin/jobs/{first}")
    page = admin.get(joined.headers["Location"]).get_data(as_text=True)
    assert "This was already being prepared" in page
    other = start(analyst, BASE + "/reports/export", format="csv", variant="public")
    assert other != first
    assert db.session.scalar(select(db.func.count()).select_from(Job)) == 2

    assert run_jobs(app) == 2
    again = start(analyst, BASE + "/reports/export", format="csv", variant="personal")
    assert again not in (first, other)  # finished jobs are not joined: a fresh file


def test_the_database_refuses_two_active_jobs_for_the_same_request(responses):
    key = operations.dedup_key("export", {"format": "csv"})
    for _ in range(2):
        db.session.add(
            Job(kind="export", parameters={}, dedup_key=key, requested_by="t", attempts=0)
        )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_failing_job_says_why_and_can_be_tried_again(app, analyst, responses, monkeypatch):
    job_id = start(analyst, BASE + "/reports/export", format="xlsx", variant="personal")
    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 10)  # shrinks after it was asked for
    run_jobs(app)
    failed = job(job_id)
    assert failed.state.value == "failed" and failed.result_path is None
    page = analyst.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "Failed" in page and "more than a spreadsheet holds (10)" in page
    assert "Try again" in page and f"/admin/jobs/{job_id}/download" not in page
    listing = analyst.get(BASE).get_data(as_text=True)
    assert "more than a spreadsheet holds" in listing
    assert analyst.get(f"/admin/jobs/{job_id}/download").status_code == 302

    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 1_048_575)
    retried = analyst.post(
        f"/admin/jobs/{job_id}/retry", data={"csrf_token": signed_in_csrf(analyst)}
    )
    again = int(retried.headers["Location"].rsplit("/", 1)[1])
    assert again != job_id
    run_jobs(app)
    assert job(again).state.value == "done"
    assert analyst.get(f"/admin/jobs/{again}/download").data[:2] == b"PK"


def test_an_unexpected_error_is_logged_and_shown_in_plain_words(app, analyst, responses, caplog):
    from pathlib import Path

    folder = Path(app.config["REPORT_FOLDER"])
    folder.parent.mkdir(parents=True, exist_ok=True)
    if folder.exists():
        import shutil

        shutil.rmtree(folder)
    folder.write_text("a file where the folder should be")
    try:
        job_id = start(analyst, BASE + "/reports/export", format="csv", variant="personal")
        run_jobs(app)
    finally:
        folder.unlink()
    page = analyst.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "Something went wrong while preparing this" in page
    assert "Traceback" not in page and "FileExistsError" not in page
    assert any("failed" in r.getMessage() and r.exc_info for r in caplog.records)


def test_files_are_deleted_after_the_retention_time(app, analyst, responses, frozen_clock):
    from pathlib import Path

    job_id = start(analyst, BASE + "/reports/export", format="csv", variant="public")
    run_jobs(app)
    path = Path(app.config["REPORT_FOLDER"]) / job(job_id).result_path
    assert path.is_file()
    stray = Path(app.config["REPORT_FOLDER"]) / "job-999-1.partial"
    stray.write_text("left by a worker killed mid-job")
    an_hour_before = (clock.now_utc() - timedelta(hours=1)).timestamp()
    os.utime(stray, (an_hour_before, an_hour_before))
    young = start(analyst, BASE + "/reports/export", format="csv", variant="personal")
    frozen_clock.set(clock.now_utc() + timedelta(days=7, hours=1))
    run_jobs(app)  # the second one finishes a week after the first

    result = app.test_cli_runner().invoke(args=["jobs", "purge"])
    assert result.exit_code == 0, result.output
    assert "2 file(s)" in result.output  # the old file and the stray partial one
    assert not path.exists() and not stray.exists()
    old = job(job_id)
    assert old.state.value == "expired" and old.deleted_at is not None
    assert job(young).state.value == "done"
    sign_in(analyst, "analyst@example.org")  # a week later the session has ended
    page = analyst.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "Prepared files are kept 7 days; this one was deleted." in page
    assert "Prepare it again" in page
    assert analyst.get(f"/admin/jobs/{job_id}/download").status_code == 302


def test_the_pages_work_without_javascript(app, analyst, responses):
    page = analyst.get(BASE).get_data(as_text=True)
    # Every button is a form of its own: it works without a script.
    assert re.search(r'<form method="post" action="[^"]*/reports/summary"', page)
    assert page.count('name="csrf_token"') >= 3
    job_id = start(analyst, BASE + "/reports/export", format="csv", variant="public")
    waiting = analyst.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert re.search(r'<noscript><meta http-equiv="refresh" content="\d+"></noscript>', waiting)
    scripts = re.findall(r"<script[^>]*>", waiting)
    assert scripts and all("src=" in tag for tag in scripts)  # no inline script (CSP)
    assert "jobs.js" in waiting
    status = analyst.get(f"/admin/jobs/{job_id}/status").get_json()
    assert status["state"] == "queued" and status["active"] is True
    run_jobs(app)
    status = analyst.get(f"/admin/jobs/{job_id}/status").get_json()
    assert status["state"] == "done" and status["percent"] == 100
    assert "jobs.js" not in analyst.get(f"/admin/jobs/{job_id}").get_data(as_text=True)


def test_who_may_start_and_download(app, analyst, admin, client, responses):
    job_id = start(analyst, BASE + "/reports/export", format="csv", variant="personal")
    run_jobs(app)
    anonymous = client.get(f"/admin/jobs/{job_id}/download")
    assert anonymous.status_code == 302 and "/admin/sign-in" in anonymous.headers["Location"]
    assert client.get(f"/admin/jobs/{job_id}/status").status_code == 302
    assert not audit("export.download")

    token = signed_in_csrf(analyst)
    refused = analyst.post(
        BASE + "/reports/maintenance", data={"csrf_token": token, "task": "recount"}
    )
    assert refused.status_code == 403
    assert "Recount the summary figures" not in analyst.get(BASE).get_data(as_text=True)
    recount = start(admin, BASE + "/reports/maintenance", task="recount")
    run_jobs(app)
    assert job(recount).outcome == "The counts were right; nothing was changed."
    assert (
        analyst.post(f"/admin/jobs/{recount}/retry", data={"csrf_token": token}).status_code == 403
    )
    assert analyst.post(BASE + "/reports/export", data={"csrf_token": token}).status_code == 400


def test_make_the_export_lines_again_as_a_job(app, admin, responses):
    from consultation.reports.models import ExportLine

    db.session.execute(db.delete(ExportLine))
    db.session.commit()
    job_id = start(admin, BASE + "/reports/maintenance", task="prepare_exports")
    run_jobs(app)
    done = job(job_id)
    assert done.outcome == "The export lines of 40 responses were made again."
    assert db.session.scalar(select(db.func.count()).select_from(ExportLine)) == 40


def test_a_job_whose_worker_vanished_is_tried_again_then_failed(app, analyst, responses):
    job_id = start(analyst, BASE + "/reports/summary")
    # As a worker on another machine would leave it: claimed, then silent.
    stale = job(job_id)
    stale.started_at = clock.now_utc() - timedelta(minutes=10)
    stale.lease_until = clock.now_utc() - timedelta(minutes=8)
    stale.worker, stale.attempts = "another-host:123:4", 1
    db.session.commit()
    page = analyst.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "The first try was interrupted; it will be tried again." in page
    assert job(job_id).state.value == "queued"

    stale = job(job_id)
    stale.started_at, stale.attempts = clock.now_utc(), 2
    stale.lease_until, stale.worker = clock.now_utc() + timedelta(minutes=1), "another-host:1:1"
    db.session.commit()
    assert tasks.reclaim() == 0  # its lease still runs: it may be working
    stale = job(job_id)
    stale.lease_until = clock.now_utc() - timedelta(seconds=1)
    db.session.commit()
    assert tasks.reclaim() == 1
    failed = job(job_id)
    assert failed.state.value == "failed" and "stopped before it finished" in failed.error


def test_a_lost_message_is_handed_to_the_queue_again(app, analyst, responses, frozen_clock):
    job_id = start(analyst, BASE + "/reports/export", format="csv", variant="public")
    queue_of(app).flush()  # as if the message never reached the queue
    assert tasks.reclaim() == 0  # too early to tell
    frozen_clock.set(clock.now_utc() + operations.RESEND_AFTER + timedelta(seconds=1))
    assert tasks.reclaim() == 1
    assert run_jobs(app) == 1 and job(job_id).state.value == "done"


def test_when_the_queue_is_down_the_admin_page_says_so(app, analyst, client, responses):
    from .test_admin import submit
    from .test_mail import free_port

    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    try:
        page = analyst.get(BASE).get_data(as_text=True)
        assert "Reports and exports cannot be started just now" in page
        result = analyst.post(
            BASE + "/reports/summary", data={"csrf_token": signed_in_csrf(analyst)}
        )
        assert result.status_code == 302 and result.headers["Location"].endswith(BASE)
        assert "cannot be started just now" in analyst.get(BASE).get_data(as_text=True)
        assert db.session.scalar(select(db.func.count()).select_from(Job)) == 0
        assert submit(client).status_code == 303  # the public site takes contributions
    finally:
        app.config["REDIS_URL"] = None


def test_reports_from_the_command_line_can_be_queued(app, responses, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reports", "export", SLUG, "--queue"])
    assert result.exit_code == 0, result.output
    job_id = int(re.search(r"job (\d+)", result.output).group(1))
    assert job(job_id).requested_by.startswith("command line")
    run_jobs(app)
    assert job(job_id).result_rows == export.export_count(responses)

    target = tmp_path / "direct.csv"
    direct = runner.invoke(args=["reports", "export", SLUG, "-o", str(target)])
    assert direct.exit_code == 0 and f"{export.export_count(responses)} rows" in direct.output
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8").lstrip("\ufeff"))))
    assert len(rows) == export.export_count(responses) + 1  # and the header

    for args in (
        ["reports", "summary", SLUG, "--queue", "--country", "fr"],
        ["reports", "recount", SLUG, "--queue"],
        ["reports", "prepare-exports", SLUG, "--queue"],
    ):
        queued = runner.invoke(args=args)
        assert queued.exit_code == 0 and "queued as job" in queued.output, queued.output
    assert run_jobs(app) == 3
    kinds = {j.kind: j for j in db.session.scalars(select(Job))}
    assert kinds["summary"].parameters["country"] == "FR"
    assert all(j.state.value == "done" for j in kinds.values())
    listed = runner.invoke(args=["jobs", "list"])
    assert "summary\tdone" in listed.output
    assert runner.invoke(args=["reports", "export", SLUG]).exit_code != 0  # -o or --queue
