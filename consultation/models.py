"""Every table, imported once so the metadata (and Alembic) sees them all."""

from .audit.models import AuditRecord
from .auth.models import SignInAttempt, User
from .consultations.models import Consultation, QuestionRecord
from .responses.models import Answer, Draft, Response, ResponseVersion, Upload

__all__ = [
    "Answer",
    "AuditRecord",
    "Consultation",
    "Draft",
    "QuestionRecord",
    "Response",
    "ResponseVersion",
    "SignInAttempt",
    "Upload",
    "User",
]
