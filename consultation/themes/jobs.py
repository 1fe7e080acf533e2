"""Theme finding as a job on the queue: started from the admin area or the command line."""

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from ..audit.operations import Actor
from ..errors import OperationRefused
from ..extensions import db
from ..jobs.models import Job
from ..jobs.tasks import Progress, Result, _consultation, kind
from . import operations, queries


def job_actor(job: Job) -> Actor:
    """Who asked for the job, as its audit record names them."""
    return Actor(label=job.requested_by, user_id=job.requested_by_id)


@kind("themes")
def find_themes(job: Job, progress: Progress, output) -> Result:
    """Find the themes of one free-text question's answers, in place of those it had."""
    consultation = _consultation(job)
    found = queries.question_by_key(consultation, job.parameters["question"])
    if found is None:
        raise OperationRefused(_("This question no longer has free-text answers to analyse."))
    progress.start(2, "steps")
    themes = operations.find_question_themes(found[1], job_actor(job), progress.advance)
    db.session.commit()  # before the progress is written apart: SQLite has one writer
    progress.advance()
    return Result(
        outcome=ngettext("%(num)s theme was found.", "%(num)s themes were found.", len(themes))
    )


def latest_job(consultation, key: str) -> Job | None:
    """The last theme-finding job asked for this question."""
    jobs = db.session.scalars(
        select(Job)
        .where(Job.consultation_id == consultation.id, Job.kind == "themes")
        .order_by(Job.requested_at.desc(), Job.id.desc())
        .limit(20)
    )
    return next((job for job in jobs if (job.parameters or {}).get("question") == key), None)


def find_all(consultation, actor, *, if_empty=False) -> dict:
    """Find the themes of every free-text question now (the demo, the command line):
    question key -> themes found, or the reason none were."""
    done = {}
    for _question, record in queries.free_text_questions(consultation):
        if if_empty and queries.themes(record.id):
            continue
        try:
            with db.session.begin_nested():
                done[record.key] = len(operations.find_question_themes(record, actor))
        except OperationRefused as refusal:
            done[record.key] = str(refusal)
    return done
