"""Every table, imported once so the metadata (and Alembic) sees them all."""

from .audit.models import AuditRecord
from .auth.models import SignInAttempt, User
from .consultations.models import Consultation, QuestionRecord
from .jobs.models import Job
from .reports.models import ExportLine
from .responses.models import Answer, Draft, Response, ResponseVersion, Upload

__all__ = [
    "Answer",
    "AuditRecord",
    "Consultation",
    "Draft",
    "ExportLine",
    "Job",
    "QuestionRecord",
    "Response",
    "ResponseVersion",
    "SignInAttempt",
    "Upload",
    "User",
]
