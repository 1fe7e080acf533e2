"""Starting jobs from the admin pages, running them in-process or in a real worker."""

import os
import re
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from consultation.extensions import db
from consultation.jobs.models import Job
from consultation.jobs.queue import queue_of

from .admin_helpers import signed_in_csrf

ROOT = Path(__file__).resolve().parent.parent
JOB_URL = re.compile(r"/admin/jobs/(\d+)$")


def start(client, url, **data) -> int:
    """POST a 'prepare' button of the admin area; the id of the job it leads to."""
    result = client.post(url, data={"csrf_token": signed_in_csrf(client), **data})
    assert result.status_code == 303, (result.status_code, result.get_data(as_text=True)[:300])
    return int(JOB_URL.search(result.headers["Location"]).group(1))


def run_jobs(app, scheduled=False) -> int:
    """Run the queued jobs in this process, through the same Huey path as a worker."""
    ran = queue_of(app).run_pending(scheduled=scheduled)
    db.session.expire_all()
    return ran


def job(job_id) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def prepared(app, client, url, **data):
    """Start a job, run it, and download its file: the download response."""
    job_id = start(client, url, **data)
    run_jobs(app)
    assert job(job_id).state.value == "done", job(job_id).error
    return client.get(f"/admin/jobs/{job_id}/download")


def worker_environment(app, **extra) -> dict:
    """The environment of a ``flask worker`` on the same database, queue and folders as ``app``."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    options = app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}).get("connect_args", {})
    if options.get("options"):  # PostgreSQL: the schema of this test run
        url = url.update_query_dict({"options": options["options"]})
    env = {
        **os.environ,
        "APP_ENV": "development",
        "FLASK_APP": "consultation",
        "DATABASE_URL": url.render_as_string(hide_password=False),
        "JOBS_QUEUE_FILE": app.config["JOBS_QUEUE_FILE"],
        "JOBS_QUEUE_NAME": app.config["JOBS_QUEUE_NAME"],
        "REPORT_FOLDER": app.config["REPORT_FOLDER"],
        "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
        "INSTANCE_PATH": str(Path(app.config["REPORT_FOLDER"]).parent),
        "JOBS_LEASE_SECONDS": str(app.config["JOBS_LEASE_SECONDS"]),
        "PYTHONUNBUFFERED": "1",
    }
    if app.config.get("REDIS_URL"):
        env["REDIS_URL"] = app.config["REDIS_URL"]
    env.update(extra)
    return env


class Worker:
    """A real ``flask worker`` process; stopped (or killed) by the test."""

    def __init__(self, app, log: Path, workers: int = 1, **extra):
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "worker", "--workers", str(workers)],
            cwd=ROOT,
            env=worker_environment(app, **extra),
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no chance to clean up, as when the machine runs out of memory."""
        self.process.kill()
        self.process.wait(timeout=10)  # reaped: its pid is gone, as after a real crash

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(condition, timeout=60.0, interval=0.05, what="the condition"):
    """Poll ``condition`` until it gives something true; that value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def nudging(app, nudge, seconds: float = 60, **settings):
    """The workers asked by ``nudge`` (``jobs.nudges``) after commits, at most every ``seconds``,
    with ``settings`` for the while; yields the queue, empty at the start and at the end."""
    queue = queue_of(app)
    queue.flush()
    saved = {name: app.config.get(name) for name in (nudge.setting, *settings)}
    app.config.update({nudge.setting: seconds, **settings})
    nudge.cancel()
    nudge.sent_at = nudge.thread = nudge.from_id = None
    try:
        yield queue
    finally:
        app.config.update(saved)
        nudge.cancel()
        nudge.sent_at = nudge.from_id = None
        queue.flush()
