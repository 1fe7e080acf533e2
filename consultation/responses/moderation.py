"""Administrators' writes on responses: flags that leave them out of reports, and erasure."""

from flask_babel import gettext as _
from sqlalchemy import delete, select

from .. import clock
from ..audit.operations import record
from ..errors import OperationRefused
from ..extensions import db
from ..reports import tallies
from ..reports.ready_lines import forget
from .models import Answer, ResponseVersion

FLAGS = ("spam", "duplicate")
#: Columns of the response row holding personal data, emptied on a data-subject request.
PERSONAL_COLUMNS = ("first_name", "surname", "email")


def flag_response(response, flag: str | None, actor, reason: str | None = None) -> None:
    """Mark a response as spam or duplicate (left out of reports), or clear the mark."""
    if flag is not None and flag not in FLAGS:
        raise OperationRefused(
            _("A response can be marked as %(marks)s.", marks=" or ".join(FLAGS))
        )
    if response.flag == flag:
        raise OperationRefused(_("The response already has this mark."))
    before = {"flag": response.flag}
    response.flag = flag  # no longer counted (or counted again): see reports.tallies
    response.flagged_at = clock.now_utc() if flag else None
    db.session.flush()
    record(
        actor,
        "response.flag" if flag else "response.unflag",
        response,
        before=before,
        after={"flag": flag},
        reason=reason,
    )


def erase_personal_data(
    response, actor, reason: str | None = None, *, request_reference: str | None = None
) -> None:
    """Erase the respondent's name and e-mail addresses; the answers stay for statistics.

    The audit record says which fields were erased, never their values, and the
    reference the request quoted (``request_reference``), if any.
    """
    if response.erased_at is not None:
        raise OperationRefused(_("The personal data of this response has already been erased."))
    erased = [column for column in PERSONAL_COLUMNS if getattr(response, column)]
    for column in PERSONAL_COLUMNS:
        setattr(response, column, None)
    email_question_ids = [
        record_.id for record_ in response.consultation.questions if record_.kind == "email"
    ]
    if email_question_ids:
        with tallies.keeping([response.id]):
            result = db.session.execute(
                delete(Answer).where(
                    Answer.response_id == response.id, Answer.question_id.in_(email_question_ids)
                )
            )
        if result.rowcount:
            erased.append("e-mail answers")
    personal_keys = {
        q.key
        for q in response.consultation.questionnaire
        if q.profile in PERSONAL_COLUMNS or q.kind == "email"
    }
    for version in db.session.scalars(
        select(ResponseVersion).where(ResponseVersion.response_id == response.id)
    ):
        values = dict(version.snapshot.get("values") or {})
        if personal_keys & values.keys():
            for key in personal_keys:
                values.pop(key, None)
            version.snapshot = {**version.snapshot, "values": values}
            if "earlier versions" not in erased:
                erased.append("earlier versions")
    response.erased_at = clock.now_utc()
    forget([response.id])  # the personal export line held the erased data
    record(
        actor,
        "response.erase_personal_data",
        response,
        before={"fields": erased},
        after={"erased": True, "request_reference": request_reference},
        reason=reason,
    )
