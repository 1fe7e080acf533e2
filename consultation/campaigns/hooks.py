"""Keeping groups true between two runs of the grouping, from the responses' own changes.

An edit leaves a previous version (``ResponseVersion``); a flag or an erasure
changes the response row. Each takes the response out of its groups in the same
flush (``operations.forget``): its former text is no longer a member's, its added
text (which may be personal) goes, and a template it gave is replaced. Its
consultation's last grouping is forgotten (``operations.outdate``), so the next
check groups it again: a mark taken back brings the response back into its group. A new
contribution touches nothing here: the next grouping job finds it.
"""

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from ..responses.models import Response, ResponseVersion

_PENDING = "campaigns_to_forget"
#: Changes of the response row that take it out of its groups.
WATCHED = ("flag", "erased_at")


@event.listens_for(Session, "before_flush")
def _before_flush(session, flush_context, instances):
    ids = {item.response_id for item in session.new if isinstance(item, ResponseVersion)}
    for item in session.dirty:
        if isinstance(item, Response) and item.id is not None:
            state = inspect(item)
            if any(state.attrs[name].history.has_changes() for name in WATCHED):
                ids.add(item.id)
    if ids:
        session.info.setdefault(_PENDING, set()).update(i for i in ids if i is not None)


@event.listens_for(Session, "after_flush")
def _after_flush(session, flush_context):
    ids = session.info.pop(_PENDING, None)
    if ids:
        from .operations import forget, outdate

        connection = session.connection()
        forget(ids, connection)
        outdate(ids, connection)
