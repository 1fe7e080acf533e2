"""Reads of the jobs table."""

from datetime import datetime

from sqlalchemy import or_, select

from ..extensions import db
from .models import Job

#: The kinds listed with a consultation's reports and exports.
REPORT_KINDS = ("summary", "export", "recount", "prepare_exports")


def job_by_id(job_id: int) -> Job | None:
    return db.session.get(Job, job_id)


def active_job(dedup_key: str) -> Job | None:
    """The queued or running job with this key, if there is one."""
    return db.session.scalar(
        select(Job).where(Job.dedup_key == dedup_key, Job.finished_at.is_(None))
    )


def running_jobs() -> list[Job]:
    """Jobs a worker has claimed and not finished."""
    return list(
        db.session.scalars(
            select(Job).where(Job.started_at.is_not(None), Job.finished_at.is_(None))
        )
    )


def waiting_jobs(*, sent_before: datetime, now: datetime) -> list[Job]:
    """Queued jobs handed to the queue before ``sent_before`` and due to run by ``now``."""
    return list(
        db.session.scalars(
            select(Job).where(
                Job.started_at.is_(None),
                Job.finished_at.is_(None),
                Job.sent_at < sent_before,
                or_(Job.not_before.is_(None), Job.not_before <= now),
            )
        )
    )


def files_older_than(moment: datetime) -> list[Job]:
    """Finished jobs whose file was made before ``moment`` and is still kept."""
    return list(
        db.session.scalars(
            select(Job).where(Job.result_path.is_not(None), Job.finished_at < moment)
        )
    )


def recent_reports(consultation, limit: int = 15) -> list[Job]:
    """The latest reports, exports and recounts of ``consultation``, newest first."""
    return list(
        db.session.scalars(
            select(Job)
            .where(Job.consultation_id == consultation.id, Job.kind.in_(REPORT_KINDS))
            .order_by(Job.requested_at.desc(), Job.id.desc())
            .limit(limit)
        )
    )
