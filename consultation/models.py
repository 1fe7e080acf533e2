"""Every table, imported once so the metadata (and Alembic) sees them all."""

from .audit.models import AuditRecord
from .auth.models import SignInAttempt, User, UserSession
from .consultations.models import Consultation, QuestionRecord
from .jobs.models import Job
from .reports.models import ExportLine
from .reports.pdf_cache import ContributionPdf
from .responses.models import (
    Answer,
    Draft,
    KeptFile,
    PendingLinks,
    Response,
    ResponseVersion,
    Upload,
)
from .themes.models import AnswerCode, Code, Theme, ThemeAnswer

__all__ = [
    "Answer",
    "AnswerCode",
    "Code",
    "AuditRecord",
    "Consultation",
    "ContributionPdf",
    "Draft",
    "ExportLine",
    "Job",
    "KeptFile",
    "PendingLinks",
    "QuestionRecord",
    "Response",
    "ResponseVersion",
    "SignInAttempt",
    "Theme",
    "ThemeAnswer",
    "Upload",
    "User",
    "UserSession",
]
