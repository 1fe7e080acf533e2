"""The record of a background job that people see: who asked, what, how far, and the file."""

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..dbtypes import UTCDateTime
from ..extensions import db

#: The rows of jobs not finished yet; at most one of them per deduplication key.
ACTIVE = "finished_at IS NULL"


class State(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    #: Done, and its file deleted after the retention time.
    EXPIRED = "expired"


class Job(db.Model):
    """Long work done by a worker (a report, an export, a recount, an e-mail) and its outcome.

    Its state is derived from its timestamps: queued until a worker claims it
    (``started_at``), running until ``finished_at``, then done or failed
    (``error``). A running job's worker renews ``lease_until``; a job whose
    lease ran out is put back in the queue or, after ``max_attempts``, failed.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        # The same request while one is queued or running joins it (see operations.request_job).
        Index(
            "ix_jobs_dedup_key_active",
            "dedup_key",
            unique=True,
            sqlite_where=text(ACTIVE),
            postgresql_where=text(ACTIVE),
        ),
        Index("ix_jobs_consultation_id_requested_at", "consultation_id", "requested_at"),
        Index("ix_jobs_finished_at", "finished_at"),
        # One confirmation e-mail per contribution, whatever happens: never two jobs for one.
        Index("ix_jobs_response_id", "response_id", unique=True),
        CheckConstraint("attempts >= 0 AND attempts <= max_attempts", name="attempts_range"),
        CheckConstraint("progress_done >= 0", name="progress_done_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the job does: a key of ``tasks.KINDS`` (``summary``, ``export``, ``mail``...).
    kind: Mapped[str] = mapped_column(String(32))
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE")
    )
    #: The contribution a confirmation e-mail is about (at most one job per contribution).
    response_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("responses.id", ondelete="CASCADE"),
    )
    #: What was asked (filters, format, language), as JSON; the kind's function reads it.
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    #: SHA-256 of the kind and parameters: a second request while this one is active joins it.
    dedup_key: Mapped[str | None] = mapped_column(String(64))
    #: Who asked, as shown: the user's e-mail, or "command line (user@host)".
    requested_by: Mapped[str] = mapped_column(String(254))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc)
    #: The interface language of who asked: its messages (and a summary) are written in it.
    locale: Mapped[str | None] = mapped_column(String(8))
    #: When the job was last handed to the queue (a lost message is handed again).
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: A job tried again after a passing failure (an e-mail) waits until then.
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The worker running the job renews this; once past, the job is taken back.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Which worker runs it: host, process id and thread.
    worker: Mapped[str | None] = mapped_column(String(200))
    #: Tries started so far (a worker claiming the job adds one).
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=2)
    progress_done: Mapped[int] = mapped_column(BigInteger, default=0)
    progress_total: Mapped[int | None] = mapped_column(BigInteger)
    #: What is counted: "rows" or "steps".
    progress_unit: Mapped[str] = mapped_column(String(16), default="steps")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: What went wrong, in words for the person who asked (the details are in the worker's log).
    error: Mapped[str | None] = mapped_column(Text)
    #: What a job without a file found or did, in words ("The counts were right.").
    outcome: Mapped[str | None] = mapped_column(Text)
    #: The finished file, relative to REPORT_FOLDER; set only once it is complete.
    result_path: Mapped[str | None] = mapped_column(String(255))
    result_name: Mapped[str | None] = mapped_column(String(255))
    result_type: Mapped[str | None] = mapped_column(String(100))
    result_size: Mapped[int | None] = mapped_column(BigInteger)
    #: Rows of an export, for the audit record of its downloads.
    result_rows: Mapped[int | None] = mapped_column(BigInteger)
    #: When the file was deleted after REPORT_RETENTION_DAYS.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    consultation = relationship("Consultation")

    @property
    def state(self) -> State:
        """Queued, running, done, failed or expired, from the timestamps."""
        if self.finished_at is not None:
            if self.error is not None:
                return State.FAILED
            return State.EXPIRED if self.deleted_at is not None else State.DONE
        return State.RUNNING if self.started_at is not None else State.QUEUED

    @property
    def active(self) -> bool:
        return self.finished_at is None

    @property
    def percent(self) -> int | None:
        """How far it is, 0 to 100, or None while that is not known."""
        if self.state in (State.DONE, State.EXPIRED):
            return 100
        if not self.progress_total or (self.progress_unit == "steps" and self.progress_total < 2):
            return None  # one step (a PDF being drawn): nothing to measure until it is done
        return min(100, int(100 * self.progress_done / self.progress_total))

    def seconds_left(self, now: datetime) -> float | None:
        """An estimate from the pace so far, or None when there is too little to go by."""
        if self.state is not State.RUNNING or not self.progress_total or not self.progress_done:
            return None
        elapsed = (now - self.started_at).total_seconds()
        if elapsed < 2:
            return None
        left = self.progress_total - self.progress_done
        return max(0.0, elapsed * left / self.progress_done)

    def audit_ref(self):
        return ("job", self.id, f"{self.kind} job {self.id}")
