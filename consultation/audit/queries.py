"""Reading the audit trail."""

from sqlalchemy import select

from ..extensions import db
from .models import AuditRecord


def audit_page(page: int, per_page: int):
    """Audit records, newest first, one page at a time."""
    query = select(AuditRecord).order_by(AuditRecord.at.desc(), AuditRecord.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
