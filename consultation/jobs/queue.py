"""Huey, bound to the application: where jobs wait for a worker.

With ``REDIS_URL`` set the queue is in Redis, so any number of workers on any
number of machines share it; without, it is a SQLite file beside the database
(``JOBS_QUEUE_FILE``), for one machine (``make run``, tests, small sites). The
queue carries only a job's id: what to do, who asked and how far it is are in
the ``jobs`` table.

A job is handed to the queue only once the transaction that created it has
committed (``send_after_commit``), so a worker never looks for a row it cannot
see yet. Handing a message twice is harmless: a worker claims a job in the
database (``operations.claim``) and only one claim succeeds.
"""

import logging
import sqlite3
from pathlib import Path

import redis
from flask import current_app
from huey import RedisHuey, SqliteHuey, crontab
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

#: Session.info key: (job id, delay) to hand to the queue once the session commits.
_TO_SEND = "jobs_to_send"
QUEUE_ERRORS = (redis.RedisError, sqlite3.Error, OSError)


class QueueUnavailable(Exception):
    """The queue cannot be reached (Redis down, say): jobs cannot start now."""


class JobQueue:
    """The Huey instance of one application, with the tasks that run its jobs."""

    def __init__(self, app):
        self.app = app
        config = app.config
        name = config["JOBS_QUEUE_NAME"]
        if config.get("REDIS_URL"):
            # Short timeouts: a page that asks whether jobs can start must not hang on Redis.
            pool = redis.ConnectionPool.from_url(
                config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=10
            )
            self.huey = RedisHuey(name, connection_pool=pool, results=False, read_timeout=1)
            self.backend = "redis"
        else:
            path = Path(config["JOBS_QUEUE_FILE"])
            path.parent.mkdir(parents=True, exist_ok=True)
            self.huey = SqliteHuey(name, filename=str(path), results=False)
            self.backend = "sqlite"
        self._register()

    def _register(self):
        app = self.app

        @self.huey.task(name="run_job")
        def run_job(job_id):
            from .tasks import execute

            with app.app_context():
                execute(job_id)

        @self.huey.periodic_task(crontab(minute="*"), name="reclaim_jobs")
        def reclaim_jobs():
            from .tasks import reclaim

            with app.app_context():
                reclaim()

        @self.huey.periodic_task(crontab(minute="17"), name="housekeeping")
        def housekeeping():
            from .tasks import housekeeping

            with app.app_context():
                housekeeping()

        @self.huey.periodic_task(crontab(minute="*"), name="campaigns_stale")
        def campaigns_stale():
            from ..campaigns.job import request_stale

            with app.app_context():
                request_stale()

        @self.huey.periodic_task(crontab(minute="*"), name="facet_counts")
        def facet_counts():
            from ..extensions import db
            from ..publishing.queries import refresh_filter_counts

            with app.app_context():
                refresh_filter_counts()
                db.session.commit()

        @self.huey.periodic_task(crontab(minute="*"), name="ready_lines")
        def ready_lines_all():
            from ..reports.ready_lines import fill

            with app.app_context():
                fill()

        @self.huey.task(name="ready_lines_from")
        def ready_lines_from(from_id):
            from ..reports.ready_lines import fill

            with app.app_context():
                fill(from_id)

        @self.huey.periodic_task(crontab(minute="*"), name="count_tallies")
        def count_tallies():
            from ..reports.tallies import drain

            with app.app_context():
                drain()

        self.run_job = run_job
        self.ready_lines_from = ready_lines_from
        self.ready_lines_all = ready_lines_all
        self.count_tallies = count_tallies  # each minute, and when asked (``ask``)

    def send(self, job_id: int, delay: float | None = None) -> None:
        """Hand job ``job_id`` to the workers (after ``delay`` seconds); ``QueueUnavailable``."""
        try:
            if delay:
                self.run_job.schedule((job_id,), delay=delay)
            else:
                self.run_job(job_id)
        except QUEUE_ERRORS as error:
            raise QueueUnavailable(str(error)) from error

    def ask(self, task: str, *args) -> None:
        """Have a worker run task ``task`` (``ready_lines_from``: the missing export lines of
        responses from an id on; ``count_tallies``: the contributions in the tally outbox)
        with ``args``, soon (``jobs.nudges``); ``QueueUnavailable``."""
        try:
            getattr(self, task)(*args)
        except QUEUE_ERRORS as error:
            raise QueueUnavailable(str(error)) from error

    def reachable(self) -> bool:
        """Whether jobs can be handed to the queue now."""
        try:
            if self.backend == "redis":
                self.huey.storage.conn.ping()
            else:
                self.huey.pending_count()
        except QUEUE_ERRORS:
            return False
        return True

    def pending(self) -> int:
        """Messages waiting for a worker; ``QueueUnavailable``."""
        try:
            return self.huey.pending_count()
        except QUEUE_ERRORS as error:
            raise QueueUnavailable(str(error)) from error

    def run_pending(self, *, scheduled: bool = False) -> int:
        """Run every waiting message here, one after the other, as a worker runs them.

        The same path as a worker's (``huey.execute``), without its threads: for
        tests, and for ``flask jobs run-queued`` on a site without a worker.
        ``scheduled``: also those waiting for a later time (a retry's delay).
        """
        huey, ran = self.huey, 0
        far, due = None, set()
        if scheduled:
            import datetime

            far = datetime.datetime(9999, 1, 1)
            for task in huey.read_schedule(far):
                due.add(task.id)
                huey.enqueue(task)
        while (task := huey.dequeue()) is not None:
            # Only what waited before this call runs early: a retry scheduled meanwhile waits
            # for its time (run now, its job would refuse it as not due, and it would be lost).
            huey.execute(task, far if task.id in due else None)
            ran += 1
        return ran

    def flush(self) -> None:
        """Forget every waiting message (tests)."""
        self.huey.flush()


def queue_of(app) -> JobQueue:
    """The queue of ``app`` for its current settings (tests change them on the fly)."""
    key = (
        app.config.get("REDIS_URL"),
        app.config["JOBS_QUEUE_FILE"],
        app.config["JOBS_QUEUE_NAME"],
    )
    queues = app.extensions.setdefault("job_queues", {})
    if key not in queues:
        queues[key] = JobQueue(app)
    return queues[key]


def current_queue() -> JobQueue:
    return queue_of(current_app._get_current_object())


def send_after_commit(job_id: int, delay: float | None = None) -> None:
    """Hand ``job_id`` to the queue once the current transaction commits."""
    from ..extensions import db

    db.session.info.setdefault(_TO_SEND, []).append((job_id, delay))


@event.listens_for(Session, "after_commit")
def _send_committed(session):
    waiting = session.info.pop(_TO_SEND, None)
    if not waiting:
        return
    queue = current_queue()
    for job_id, delay in waiting:
        try:
            queue.send(job_id, delay)
        except QueueUnavailable as error:
            # The row stays queued; ``operations.resend_lost`` hands it again once the queue
            # answers. Views ask ``reachable()`` first, so people are told at once.
            log.warning("job %s not handed to the queue (%s); it will be sent again", job_id, error)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session):
    session.info.pop(_TO_SEND, None)
