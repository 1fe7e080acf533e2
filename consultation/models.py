"""Every table, imported once so the metadata (and Alembic) sees them all."""

from .audit.models import AuditRecord
from .auth.models import SignInAttempt, User
from .consultations.models import Consultation, QuestionRecord
from .responses.models import Answer, Response, Upload

__all__ = [
    "Answer",
    "AuditRecord",
    "Consultation",
    "QuestionRecord",
    "Response",
    "SignInAttempt",
    "Upload",
    "User",
]
