"""``flask worker`` (runs jobs) and ``flask jobs`` (list them, delete old files)."""

import logging
import os

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..formatting import brussels_datetime
from . import operations, tasks
from .models import Job
from .queue import queue_of

jobs_cli = AppGroup("jobs", help="Background jobs: reports, exports, recounts, e-mail.")


@click.command("worker")
@click.option(
    "-w",
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Jobs run at the same time (threads).",
)
def worker_command(workers):
    """Run jobs from the queue until stopped (Ctrl-C lets the jobs under way finish first;
    a second Ctrl-C, or SIGTERM, stops at once and gives them back to the queue)."""
    app = current_app._get_current_object()
    queue = queue_of(app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("huey").setLevel(logging.WARNING)
    taken = tasks.reclaim()
    where = "Redis" if queue.backend == "redis" else app.config["JOBS_QUEUE_FILE"]
    click.echo(f"Worker {os.getpid()}: {workers} at a time, queue in {where}.")
    if taken:
        click.echo(f"{taken} job(s) of stopped workers taken back.")
    consumer = queue.huey.create_consumer(
        workers=workers,
        worker_type="thread",
        periodic=True,
        initial_delay=0.1,
        max_delay=1.0,  # a SQLite queue is polled: at most a second before a job starts
        check_worker_health=True,
    )
    try:
        consumer.run()
    finally:
        given = operations.release_own(app.config["REPORT_FOLDER"])
        db.session.commit()
        if given:
            click.echo(f"{given} unfinished job(s) given back to the queue.")


@jobs_cli.command("list")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
def list_command(limit):
    """The latest jobs: id, kind, state, progress, who asked and when."""
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    for job in db.session.scalars(query):
        progress = (
            f"{job.progress_done:,}/{job.progress_total:,} {job.progress_unit}"
            if (job.progress_total)
            else ""
        )
        click.echo(
            f"{job.id}\t{job.kind}\t{job.state.value}\t{progress}\t{job.requested_by}\t"
            f"{brussels_datetime(job.requested_at)}" + (f"\t{job.error}" if job.error else "")
        )


@jobs_cli.command("purge")
def purge_command():
    """Delete prepared files older than REPORT_RETENTION_DAYS (a worker does it every hour;
    run this daily where no worker runs its schedule)."""
    gone = tasks.purge()
    click.echo(f"{gone} file(s) and record(s) deleted")


@jobs_cli.command("run-queued")
def run_queued_command():
    """Run the waiting jobs here, one after the other, then stop (a site without a worker)."""
    tasks.reclaim()
    ran = queue_of(current_app._get_current_object()).run_pending()
    click.echo(f"{ran} job(s) run")
