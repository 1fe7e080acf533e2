"""Writes to the jobs table: asking for a job, a worker claiming, renewing, finishing it.

A worker's writes are conditional on the attempt it claimed (``attempts``): a
worker that lost its job (its lease ran out and another took it) changes
nothing, and its file is never offered.
"""

import hashlib
import json
import os
import socket
import threading
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..extensions import db
from . import queries
from .models import Job
from .queue import QueueUnavailable, current_queue, send_after_commit

HOST = socket.gethostname()
#: A queued job whose message seems lost (queue empty, nobody claimed it) is sent again.
RESEND_AFTER = timedelta(minutes=2)
#: Kinds of job that send an e-mail: their records go once finished for REPORT_RETENTION_DAYS.
MAIL_KINDS = ("mail", "confirmation")


def dedup_key(kind: str, parameters: dict) -> str:
    """The same kind and parameters give the same key, whatever the order of the keys."""
    text = json.dumps([kind, parameters], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def request_job(
    kind: str,
    parameters: dict,
    actor,
    consultation=None,
    *,
    dedupe: bool = True,
    max_attempts: int = 2,
    locale: str | None = None,
    response_id: int | None = None,
) -> tuple[Job, bool]:
    """The job asking for this, queued; ``(job, True)`` when it joins one already active.

    ``response_id``: the contribution the job is about (one job at most per contribution).
    Flushes; the job is handed to the queue when the transaction commits.
    """
    key = dedup_key(kind, parameters) if dedupe else None
    if key is not None:
        active = queries.active_job(key)
        if active is not None:
            return active, True
    now = clock.now_utc()
    job = Job(
        kind=kind,
        consultation_id=consultation.id if consultation is not None else None,
        response_id=response_id,
        parameters=parameters,
        dedup_key=key,
        requested_by=actor.label,
        requested_by_id=actor.user_id,
        requested_at=now,
        locale=locale,
        sent_at=now,
        max_attempts=max_attempts,
        attempts=0,
        progress_done=0,
    )
    try:
        with db.session.begin_nested():
            db.session.add(job)
    except IntegrityError:
        # Another request made the same job between our look and our insert: join it.
        active = queries.active_job(key) if key else None
        if active is None:
            raise
        return active, True
    send_after_commit(job.id)
    return job, False


def retry_job(job: Job, actor, locale: str | None = None) -> tuple[Job, bool]:
    """Ask again for what a failed (or finished) job did; joins an active one if there is."""
    return request_job(
        job.kind,
        job.parameters,
        actor,
        job.consultation,
        dedupe=job.dedup_key is not None,
        max_attempts=job.max_attempts,
        locale=locale or job.locale,
    )


def worker_label() -> str:
    """This worker thread, as recorded on the job it runs: host, process and thread."""
    return f"{HOST}:{os.getpid()}:{threading.get_native_id()}"


def _lease(now: datetime) -> datetime:
    return now + timedelta(seconds=current_app.config["JOBS_LEASE_SECONDS"])


def _mine(job_id: int, attempt: int):
    """The condition of a worker's writes: the job is still running the attempt it claimed."""
    return (
        Job.id == job_id,
        Job.attempts == attempt,
        Job.started_at.is_not(None),
        Job.finished_at.is_(None),
    )


def claim(job_id: int, worker: str) -> int | None:
    """Start job ``job_id`` in this worker: its attempt number, or None if it is not ours to run
    (already taken, finished, withdrawn, or waiting until later)."""
    now = clock.now_utc()
    claimed = db.session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            Job.started_at.is_(None),
            Job.finished_at.is_(None),
            Job.attempts < Job.max_attempts,
            or_(Job.not_before.is_(None), Job.not_before <= now),
        )
        .values(started_at=now, lease_until=_lease(now), worker=worker, attempts=Job.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return None
    return db.session.scalar(select(Job.attempts).where(Job.id == job_id))


def renew(connection, job_id: int, attempt: int, **values) -> bool:
    """Renew the lease (and write ``values``: progress) on ``connection``, committed apart from
    the job's own work; False when the job is no longer this attempt's."""
    now = clock.now_utc()
    changed = connection.execute(
        update(Job).where(*_mine(job_id, attempt)).values(lease_until=_lease(now), **values)
    )
    return changed.rowcount == 1


def finish(job_id: int, attempt: int, **result) -> bool:
    """Mark the job done with ``result`` (file, size, outcome...); False if it is not ours."""
    now = clock.now_utc()
    done = db.session.execute(
        update(Job)
        .where(*_mine(job_id, attempt))
        .values(finished_at=now, lease_until=None, error=None, **result)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def fail(job_id: int, attempt: int, error: str) -> bool:
    """Mark the job failed, with ``error`` in words for people; False if it is not ours."""
    failed = db.session.execute(
        update(Job)
        .where(*_mine(job_id, attempt))
        .values(finished_at=clock.now_utc(), lease_until=None, error=error)
        .execution_options(synchronize_session=False)
    )
    return failed.rowcount == 1


def try_later(job_id: int, attempt: int, error: str, delay: float) -> bool:
    """After a passing failure (a mail server that did not answer): queued again, after ``delay``
    seconds, keeping ``error`` as what happened last time."""
    now = clock.now_utc()
    changed = db.session.execute(
        update(Job)
        .where(*_mine(job_id, attempt))
        .values(
            started_at=None,
            lease_until=None,
            worker=None,
            error=error,
            not_before=now + timedelta(seconds=delay),
            sent_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount == 1:
        send_after_commit(job_id, delay)
    return changed.rowcount == 1


def _gone(job: Job, now: datetime) -> bool:
    """Whether the worker of a running job has stopped: its lease ran out or, on this host, its
    process is no longer there (a process killed outright needs no lease to run out)."""
    if job.lease_until is None or job.lease_until < now:
        return True
    host, _, rest = (job.worker or "").partition(":")
    pid = rest.partition(":")[0]
    if host != HOST or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def reclaim_stalled(report_folder: str) -> int:
    """Take back running jobs whose worker stopped: queued again, or failed after the last try.

    How many were taken back. Their partial files are deleted.
    """
    now = clock.now_utc()
    taken = 0
    for job in queries.running_jobs():
        if not _gone(job, now):
            continue
        mine = _mine(job.id, job.attempts)
        if job.attempts >= job.max_attempts:
            values = {
                "finished_at": now,
                "lease_until": None,
                "error": _(
                    "The worker preparing this stopped before it finished (it may have been "
                    "restarted or run out of memory), on every try. Try again later; if it "
                    "happens again, tell the technical team."
                ),
            }
        else:
            values = {"started_at": None, "lease_until": None, "worker": None, "sent_at": now}
        changed = db.session.execute(
            update(Job).where(*mine).values(**values).execution_options(synchronize_session=False)
        )
        if changed.rowcount == 1:
            taken += 1
            partial_path(report_folder, job.id, job.attempts).unlink(missing_ok=True)
            if "started_at" in values:
                send_after_commit(job.id)
    return taken


def release_own(report_folder: str) -> int:
    """Give back to the queue the jobs this process still runs, as it stops: they start again
    at once elsewhere, and the interrupted try is not counted against them."""
    prefix = f"{HOST}:{os.getpid()}:"
    given = 0
    for job in queries.running_jobs():
        if not (job.worker or "").startswith(prefix):
            continue
        changed = db.session.execute(
            update(Job)
            .where(*_mine(job.id, job.attempts))
            .values(
                started_at=None,
                lease_until=None,
                worker=None,
                sent_at=clock.now_utc(),
                # A fresh attempt number keeps the interrupted thread's last writes out.
                max_attempts=Job.max_attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount == 1:
            given += 1
            partial_path(report_folder, job.id, job.attempts).unlink(missing_ok=True)
            send_after_commit(job.id)
    return given


def resend_lost() -> int:
    """Hand again queued jobs whose message seems lost: the queue is empty, yet they have waited
    longer than ``RESEND_AFTER`` since they were sent (a process stopped between committing a
    job and handing it over, or a worker between taking a message and claiming its job)."""
    now = clock.now_utc()
    waiting = queries.waiting_jobs(sent_before=now - RESEND_AFTER, now=now)
    if not waiting:
        return 0
    try:
        if current_queue().pending():
            return 0
    except QueueUnavailable:
        return 0
    for job in waiting:
        job.sent_at = now
        send_after_commit(job.id)
    return len(waiting)


def partial_path(folder: str, job_id: int, attempt: int) -> Path:
    """Where attempt ``attempt`` of a job writes its file until it is complete."""
    return Path(folder) / f"job-{job_id}-{attempt}.partial"


def purge_expired(report_folder: str, days: int) -> int:
    """Delete files made more than ``days`` ago, the records of e-mails sent as long ago, and
    partial files no running attempt writes. How many files and records went."""
    now = clock.now_utc()
    before = now - timedelta(days=days)
    gone = 0
    folder = Path(report_folder)
    for job in queries.files_older_than(before):
        (folder / job.result_path).unlink(missing_ok=True)
        job.result_path = None
        job.deleted_at = now
        gone += 1
    # An e-mail's record holds an address (or sealed links): kept no longer than the files.
    removed = db.session.execute(
        delete(Job).where(Job.kind.in_(MAIL_KINDS), Job.finished_at < before)
    ).rowcount
    gone += removed or 0
    if folder.is_dir():
        running = queries.running_jobs()
        writing = {partial_path(report_folder, job.id, job.attempts).name for job in running}
        # A file written this past hour may belong to a job claimed since we looked.
        quiet = now.timestamp() - 3600
        for path in folder.glob("job-*.partial"):
            if path.name not in writing and path.stat().st_mtime < quiet:
                path.unlink(missing_ok=True)
                gone += 1
    return gone
