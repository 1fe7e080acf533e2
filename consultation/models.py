"""Every table, imported once so the metadata (and Alembic) sees them all."""

from .audit.models import AuditRecord
from .auth.models import SignInAttempt, User
from .consultations.models import Consultation, QuestionRecord
from .reports.models import ExportLine
from .responses.models import Answer, Draft, KeptFile, Response, ResponseVersion, Upload

__all__ = [
    "Answer",
    "AuditRecord",
    "Consultation",
    "Draft",
    "ExportLine",
    "KeptFile",
    "QuestionRecord",
    "Response",
    "ResponseVersion",
    "SignInAttempt",
    "Upload",
    "User",
]
