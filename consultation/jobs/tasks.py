"""What each kind of job does, and ``execute``: the one function that runs a job.

A worker (``flask worker``) calls ``execute(job_id)`` for each message of the
queue, inside an application context of its own; tests call it through the
same Huey path in-process (``JobQueue.run_pending``). ``execute`` claims the
job, renews its lease from a thread while it runs, writes its file under a
temporary name and renames it only when complete, then records the outcome.
"""

import base64
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from ..consultations.models import Consultation
from ..errors import OperationRefused
from ..extensions import db
from ..i18n import DEFAULT_LOCALE
from . import operations
from .models import Job

log = logging.getLogger(__name__)


class JobLost(Exception):
    """This attempt no longer holds its job (its lease ran out and it was taken back)."""


class PassingFailure(Exception):
    """A failure worth trying again later (a mail server that did not answer)."""


@dataclass
class Kind:
    """A kind of job: its function, how many times it is tried, and the waits between tries."""

    run: Callable
    max_attempts: int = 2
    #: Seconds to wait before the 2nd, 3rd... try after a ``PassingFailure``.
    delays: tuple = ()


KINDS: dict[str, Kind] = {}


def kind(name: str, **options):
    """Register the decorated function as what jobs of kind ``name`` do."""

    def register(function):
        KINDS[name] = Kind(function, **options)
        return function

    return register


@dataclass
class Result:
    """What a job's function gives back: the file's name and type, rows, or words for people."""

    name: str | None = None
    type: str | None = None
    rows: int | None = None
    outcome: str | None = None
    #: Parameters to keep once done, in place of those asked with (an e-mail's body goes).
    parameters: dict | None = None


class Progress:
    """How far a job is, written to its row at most twice a second, with the lease renewed."""

    INTERVAL = 0.5

    def __init__(self, job_id: int, attempt: int, beat: "Heartbeat"):
        self.job_id, self.attempt, self.beat = job_id, attempt, beat
        self.done, self.total, self.unit = 0, None, "steps"
        self._written = 0.0

    def start(self, total: int | None, unit: str = "steps") -> None:
        self.done, self.total, self.unit = 0, total, unit
        self._write()

    def advance(self, count: int = 1) -> None:
        self.done += count
        if time.monotonic() - self._written >= self.INTERVAL or self.done == self.total:
            self._write()

    def _write(self) -> None:
        if self.beat.lost:
            raise JobLost
        self._written = time.monotonic()
        values = {
            "progress_done": self.done,
            "progress_total": self.total,
            "progress_unit": self.unit,
        }
        with db.engine.begin() as connection:
            if not operations.renew(connection, self.job_id, self.attempt, **values):
                self.beat.lost = True
                raise JobLost


class Heartbeat(threading.Thread):
    """Renews the lease of a running job every quarter lease, whatever the job is doing
    (WeasyPrint drawing a PDF says nothing for many seconds)."""

    def __init__(self, app, job_id: int, attempt: int):
        super().__init__(name=f"heartbeat-{job_id}", daemon=True)
        self.app, self.job_id, self.attempt = app, job_id, attempt
        self.stopped = threading.Event()
        self.lost = False

    def run(self):
        interval = self.app.config["JOBS_LEASE_SECONDS"] / 4
        with self.app.app_context():
            while not self.stopped.wait(interval):
                try:
                    with db.engine.begin() as connection:
                        if not operations.renew(connection, self.job_id, self.attempt):
                            self.lost = True
                            return
                except Exception:  # noqa: BLE001 (a busy database: try at the next beat)
                    log.warning("job %s: lease not renewed this time", self.job_id, exc_info=True)

    def stop(self):
        self.stopped.set()


@dataclass
class Output:
    """The file a job writes: under a temporary name, renamed only once it is complete."""

    folder: Path
    job_id: int
    attempt: int
    suffix: str = ""
    opened: bool = field(default=False)

    @property
    def partial(self) -> Path:
        return operations.partial_path(str(self.folder), self.job_id, self.attempt)

    def open(self, suffix: str, mode: str = "wb", **options):
        self.suffix, self.opened = suffix, True
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.partial.open(mode, **options)

    def keep(self) -> tuple[str, int]:
        """Give the complete file its final name: (name in the folder, size in bytes)."""
        # Unguessable and never reused, even if a job id is (SQLite reuses a deleted last id).
        final = self.folder / f"job-{self.job_id}-{secrets.token_hex(8)}{self.suffix}"
        self.partial.replace(final)
        return final.name, final.stat().st_size

    def discard(self) -> None:
        self.partial.unlink(missing_ok=True)


def _generic_error() -> str:
    return _(
        "Something went wrong while preparing this. It has been logged for the technical team. "
        "Try again; if it fails again, tell them."
    )


def execute(job_id: int) -> None:
    """Claim job ``job_id`` and run it to its end: done, failed, or queued again."""
    worker = operations.worker_label()
    attempt = operations.claim(job_id, worker)
    db.session.commit()
    if attempt is None:
        log.info("job %s: not ours to run (taken, finished or not due)", job_id)
        return
    job = db.session.get(Job, job_id)
    with force_locale(job.locale or DEFAULT_LOCALE):
        _run(job, attempt)


def _run(job: Job, attempt: int) -> None:
    app = current_app._get_current_object()
    spec = KINDS[job.kind]
    folder = Path(app.config["REPORT_FOLDER"])
    beat = Heartbeat(app, job.id, attempt)
    output = Output(folder, job.id, attempt)
    progress = Progress(job.id, attempt, beat)
    job_id, started = job.id, time.perf_counter()
    log.info("job %s (%s): attempt %s started", job_id, job.kind, attempt)
    beat.start()
    try:
        result = spec.run(job, progress, output)
        db.session.commit()
        values = {"outcome": result.outcome, "result_rows": result.rows}
        if result.parameters is not None:
            values["parameters"] = result.parameters
        if output.opened:
            name, size = output.keep()
            values.update(
                result_path=name,
                result_name=result.name,
                result_type=result.type,
                result_size=size,
            )
        if progress.total:
            values["progress_done"] = progress.total
        if not operations.finish(job_id, attempt, **values):
            if output.opened:
                (folder / values["result_path"]).unlink(missing_ok=True)
            raise JobLost
        db.session.commit()
        log.info("job %s: done in %.1f s", job_id, time.perf_counter() - started)
    except JobLost:
        db.session.rollback()
        log.warning("job %s: attempt %s lost its lease; another will finish it", job_id, attempt)
    except PassingFailure as failure:
        db.session.rollback()
        error = str(failure)
        if attempt < job.max_attempts and spec.delays:
            delay = spec.delays[min(attempt, len(spec.delays)) - 1]
            operations.try_later(job_id, attempt, error, delay)
            log.warning("job %s: %s; trying again in %s s", job_id, error, delay)
        else:
            operations.fail(job_id, attempt, error)
        db.session.commit()
    except OperationRefused as refusal:
        db.session.rollback()
        operations.fail(job_id, attempt, str(refusal))
        db.session.commit()
    except Exception:
        log.exception("job %s (%s) failed", job_id, job.kind)
        db.session.rollback()
        operations.fail(job_id, attempt, _generic_error())
        db.session.commit()
    finally:
        beat.stop()
        output.discard()


def reclaim() -> int:
    """Take back the jobs of stopped workers, and hand again messages that seem lost."""
    taken = operations.reclaim_stalled(current_app.config["REPORT_FOLDER"])
    taken += operations.resend_lost()
    db.session.commit()
    return taken


def purge() -> int:
    """Delete the files and e-mail records older than REPORT_RETENTION_DAYS."""
    config = current_app.config
    gone = operations.purge_expired(config["REPORT_FOLDER"], config["REPORT_RETENTION_DAYS"])
    db.session.commit()
    return gone


def housekeeping() -> dict:
    """What the workers delete every hour, so no deployment needs a cron job for it: prepared
    files past their retention, files kept for questionnaires never sent (KEPT_FILE_HOURS),
    and the drafts of consultations closed DRAFT_RETENTION_DAYS ago."""
    from ..responses.drafts import purge_drafts
    from ..responses.kept_files import purge_kept_files

    config = current_app.config
    done = {"reports": purge()}
    done["kept_files"] = purge_kept_files(config["UPLOAD_FOLDER"], config["KEPT_FILE_HOURS"])
    done["drafts"] = purge_drafts(config["DRAFT_RETENTION_DAYS"], config["UPLOAD_FOLDER"])
    db.session.commit()
    return done


# -- the kinds ---------------------------------------------------------------------------


def _consultation(job: Job) -> Consultation:
    consultation = db.session.get(Consultation, job.consultation_id)
    if consultation is None:
        raise OperationRefused(_("This consultation no longer exists."))
    return consultation


def _stamp() -> str:
    """When the file was made, Brussels time, as in its name: 20250605-1430."""
    from ..reports.export import file_stamp

    return file_stamp()


@kind("summary")
def summary(job: Job, progress: Progress, output: Output) -> Result:
    """The summary report PDF, with its filters, in the language of who asked."""
    from ..reports.pdf import summary_pdf  # WeasyPrint loads only when a PDF is made

    consultation = _consultation(job)
    asked = job.parameters
    progress.start(1, "steps")
    data = summary_pdf(
        consultation,
        asked.get("respondent_type"),
        asked.get("country"),
        locale=asked.get("locale"),
    )
    with output.open(".pdf") as out:
        out.write(data)
    progress.advance()
    suffix = "".join(f"-{asked[k]}" for k in ("respondent_type", "country") if asked.get(k))
    return Result(
        name=f"{consultation.slug}-summary{suffix}-{_stamp()}.pdf", type="application/pdf"
    )


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@kind("export")
def export_file(job: Job, progress: Progress, output: Output) -> Result:
    """One row per counted response, as CSV or XLSX, personal or public."""
    from ..reports import export

    consultation = _consultation(job)
    fmt, variant = job.parameters["format"], job.parameters["variant"]
    personal = variant == "personal"
    if fmt == "xlsx":
        export.check_xlsx_size(consultation)
    total = export.export_count(consultation, personal)
    progress.start(total, "rows")
    if fmt == "csv":
        with output.open(".csv", "w", encoding="utf-8", newline="") as out:
            for chunk in export.iter_csv(consultation, personal, progress=progress.advance):
                out.write(chunk)
        kind_of_file = "text/csv"
    else:
        with output.open(".xlsx") as out:
            export.write_xlsx(consultation, personal, out, progress=progress.advance)
        kind_of_file = XLSX_TYPE
    return Result(
        name=f"{consultation.slug}-{variant}-{_stamp()}.{fmt}", type=kind_of_file, rows=total
    )


@kind("recount")
def recount(job: Job, progress: Progress, output: Output) -> Result:
    """Compare the summary's running counts with the answers and put them right."""
    from ..reports import tallies

    consultation = _consultation(job)
    progress.start(2, "steps")
    found = len(tallies.differences(consultation))
    progress.advance()
    if found:
        tallies.rebuild(consultation)
        db.session.commit()
    progress.advance()
    if not found:
        return Result(outcome=_("The counts were right; nothing was changed."))
    return Result(
        outcome=ngettext(
            "%(num)s count differed from the answers and was put right.",
            "%(num)s counts differed from the answers and were put right.",
            found,
        )
    )


@kind("prepare_exports")
def prepare_exports(job: Job, progress: Progress, output: Output) -> Result:
    """Remake every ready export line of a consultation, a chunk per transaction."""
    from ..reports import generate, ready_lines

    consultation = _consultation(job)
    progress.start(generate.response_count(consultation), "rows")
    made = ready_lines.refresh_all(consultation, progress.advance, db.session.commit)
    return Result(
        rows=made,
        outcome=ngettext(
            "The export lines of %(num)s response were made again.",
            "The export lines of %(num)s responses were made again.",
            made,
        ),
    )


#: An e-mail that could not be handed over is tried again after 1, 5, 15 and 60 minutes.
MAIL_DELAYS = (60, 300, 900, 3600)


@kind("mail", max_attempts=len(MAIL_DELAYS) + 1, delays=MAIL_DELAYS)
def mail(job: Job, progress: Progress, output: Output) -> Result:
    """Send one e-mail through the SMTP server of the settings."""
    from ..mail import MailNotSent, send_mail

    asked = job.parameters
    attachments = [
        (name, content_type, base64.b64decode(data))
        for name, content_type, data in asked.get("attachments", ())
    ]
    progress.start(1, "steps")
    try:
        send_mail(asked["to"], asked["subject"], asked["body"], attachments)
    except MailNotSent as refused:
        raise PassingFailure(
            _("The mail server did not take the message: %(reason)s", reason=str(refused))
        ) from refused
    progress.advance()
    # The body may hold a private link: once sent, only who and what are kept.
    return Result(parameters={"to": asked["to"], "subject": asked["subject"]})
