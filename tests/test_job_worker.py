"""Jobs run by real ``flask worker`` processes: a job's life, a worker killed mid-job, and
several workers sharing one Redis queue."""

import csv
import io
import secrets
import socket

import pytest
import redis
from pypdf import PdfReader

from consultation import clock
from consultation.extensions import db
from consultation.reports import export, generate

from .admin_helpers import make_user, sign_in
from .conftest import BACKENDS
from .jobs_helpers import Worker, job, start, wait_for

SLUG = "apply-ai"
BASE = f"/admin/consultations/{SLUG}"
REDIS = ("127.0.0.1", 6379)


@pytest.fixture
def analyst(app, consultations):
    make_user("analyst@example.org", "analyst")
    generate.generate_responses(consultations[SLUG], 60, seed=11)
    db.session.commit()
    # The workers run on the real clock; so does this test, so times read alike (and the
    # session, signed in on that clock, is young).
    clock.freeze(None)
    client = app.test_client()
    sign_in(client, "analyst@example.org")
    return client


@pytest.fixture
def workers(app, tmp_path):
    """Start workers with ``workers(**settings)``; all are stopped at the end."""
    started = []

    def start_worker(**extra):
        worker = Worker(app, tmp_path / f"worker-{len(started)}.log", **extra)
        started.append(worker)
        wait_for(lambda: "Worker " in worker.output(), timeout=60, what="the worker to start")
        return worker

    yield start_worker
    for worker in started:
        worker.stop()


def running(job_id):
    item = job(job_id)
    return item.state.value == "running" and item


def test_a_job_goes_from_queued_to_running_to_done_in_a_worker(app, analyst, workers):
    summary = start(analyst, BASE + "/reports/summary")
    csv_job = start(analyst, BASE + "/reports/export", format="csv", variant="personal")
    assert analyst.get(f"/admin/jobs/{summary}/status").get_json()["state"] == "queued"

    worker = workers()
    seen = wait_for(lambda: running(summary), what="the summary to start")
    assert seen.worker.startswith(f"{socket.gethostname()}:{worker.pid}:")
    status = analyst.get(f"/admin/jobs/{summary}/status").get_json()
    assert status["state"] in ("running", "done")  # it may just have finished

    wait_for(lambda: job(csv_job).state.value == "done", what="the export to finish")
    wait_for(lambda: job(summary).state.value == "done", what="the summary to finish")
    done = job(csv_job)
    consultation = db.session.get(type(done.consultation), done.consultation_id)
    counted = export.export_count(consultation, True)  # the 60 less those flagged as spam
    assert 50 < counted <= 60
    assert (done.progress_done, done.progress_total, done.progress_unit) == (
        counted,
        counted,
        "rows",
    )
    assert done.started_at <= done.finished_at and done.attempts == 1
    downloaded = analyst.get(f"/admin/jobs/{csv_job}/download").get_data(as_text=True)
    assert downloaded == "".join(export.iter_csv(consultation, True))
    assert len(list(csv.reader(io.StringIO(downloaded[1:])))) == counted + 1  # and its header
    pdf = analyst.get(f"/admin/jobs/{summary}/download").data
    assert len(PdfReader(__import__("io").BytesIO(pdf)).pages) > 1
    assert "done in" in worker.output()


def test_a_worker_killed_mid_job_leaves_no_file_and_another_finishes_it(app, analyst, workers):
    from pathlib import Path

    folder = Path(app.config["REPORT_FOLDER"])
    before = set(folder.glob("*"))
    job_id = start(analyst, BASE + "/reports/summary")
    first = workers()
    wait_for(lambda: running(job_id), what="the job to start")
    first.kill()

    assert job(job_id).state.value == "running"  # as the killed worker left it
    page = analyst.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "The first try was interrupted; it will be tried again." in page
    assert f"/admin/jobs/{job_id}/download" not in page
    assert analyst.get(f"/admin/jobs/{job_id}/download").status_code == 302
    assert set(folder.glob("*")) == before  # nothing kept, partial or whole

    # Stopped the ordinary way (systemctl stop, Ctrl-C twice): the job is given back at once,
    # and the interrupted try does not count against it.
    second = workers()
    wait_for(lambda: running(job_id) and job(job_id).attempts == 2, what="the second try")
    second.stop()
    given = job(job_id)
    assert given.state.value == "queued" and (given.attempts, given.max_attempts) == (2, 3)
    assert "given back to the queue" in second.output()

    workers()  # another worker takes it: the last try
    wait_for(lambda: job(job_id).state.value == "done", what="the third try to finish")
    assert job(job_id).attempts == 3
    pdf = analyst.get(f"/admin/jobs/{job_id}/download").data
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert len(set(folder.glob("*")) - before) == 1  # the one complete file


def _redis_up():
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379")
def test_workers_share_one_redis_queue(app, analyst, workers, monkeypatch):
    if app.config["BACKEND"] != BACKENDS[-1]:
        pytest.skip("runs once, with the last backend")
    name = f"test_jobs_{secrets.token_hex(4)}"
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setitem(app.config, "JOBS_QUEUE_NAME", name)
    connection = redis.Redis(*REDIS)
    try:
        pids = {workers().pid, workers().pid}
        asked = [
            start(analyst, BASE + "/reports/summary", country=country)
            for country in ("FR", "DE")  # a PDF each: long enough to keep a worker busy
        ]
        for job_id in asked:
            wait_for(lambda j=job_id: job(j).state.value == "done", what=f"job {job_id}")
        ran_in = {int(job(job_id).worker.split(":")[1]) for job_id in asked}
        assert ran_in == pids  # both workers took jobs from the one queue
        assert all(analyst.get(f"/admin/jobs/{j}/download").status_code == 200 for j in asked)
    finally:
        for key in connection.scan_iter(f"huey.*{name}*"):
            connection.delete(key)
        connection.close()
