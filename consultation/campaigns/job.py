"""The grouping job: after each batch of contributions, a consultation is grouped again.

The workers' minutely task (``jobs.queue``) calls ``request_stale``: a consultation
whose answers changed since its last grouping (``queries.change_mark``) gets a
``campaigns`` job, or joins the one already queued or running. So storing a
contribution costs nothing more, and the groups are at most a minute or two (and
one grouping) behind.
"""

from flask_babel import ngettext
from sqlalchemy import select

from ..audit.operations import Actor
from ..consultations.models import Consultation
from ..extensions import db
from ..jobs.operations import request_job
from ..jobs.tasks import Result, _consultation, kind
from . import queries
from .operations import regroup

KIND = "campaigns"
#: Who asks for the jobs the workers start by themselves.
GROUPING = Actor("campaign grouping")


@kind(KIND)
def campaigns_job(job, progress, output) -> Result:
    """Group the consultation's free-text answers again."""
    consultation = _consultation(job)
    progress.start(len(queries.free_text_questions(consultation)) + 1, "steps")

    def step():
        db.session.commit()  # each question's groups at once; the progress row is written apart
        progress.advance()

    found = regroup(consultation, progress=step)
    return Result(
        rows=found["members"],
        outcome=ngettext(
            "%(num)s group of near-identical answers found.",
            "%(num)s groups of near-identical answers found.",
            found["groups"],
        ),
    )


def request_regroup(consultation, actor=GROUPING):
    """Ask for a grouping of ``consultation`` (or join the one queued); (job, joined)."""
    return request_job(KIND, {"consultation_id": consultation.id}, actor, consultation)


def request_stale() -> int:
    """Ask for a grouping of each consultation whose answers changed since its last one."""
    asked = 0
    for consultation in db.session.scalars(select(Consultation)):
        run = queries.last_run(consultation.id)
        mark = queries.change_mark(consultation.id)
        if (run is None and not mark.startswith("0:")) or (run is not None and run.mark != mark):
            # No run yet with answers to group, or answers changed since (``hooks`` also
            # forgets the run when a mark or an erasure changes what is grouped).
            request_regroup(consultation)
            asked += 1
    db.session.commit()
    return asked
