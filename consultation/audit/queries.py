"""Reading the audit trail."""

from sqlalchemy import and_, or_, select

from ..extensions import db
from .models import AuditRecord

#: The person filter's value for everything done at the command line.
COMMAND_LINE = "cli"


def audit_page(page: int, per_page: int, *, action=None, person=None, since=None, until=None):
    """Audit records, newest first, one page at a time, optionally filtered.

    ``person`` is a user's id (what they did, and what was done to their account, failed
    sign-ins included) or ``COMMAND_LINE``; ``since``/``until`` are UTC instants.
    """
    query = select(AuditRecord)
    if action:
        query = query.where(AuditRecord.action == action)
    if person == COMMAND_LINE:
        query = query.where(AuditRecord.user_id.is_(None), AuditRecord.actor.like("command line%"))
    elif person is not None:
        query = query.where(
            or_(
                AuditRecord.user_id == person,
                and_(AuditRecord.target_type == "user", AuditRecord.target_id == str(person)),
            )
        )
    if since is not None:
        query = query.where(AuditRecord.at >= since)
    if until is not None:
        query = query.where(AuditRecord.at < until)
    query = query.order_by(AuditRecord.at.desc(), AuditRecord.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
