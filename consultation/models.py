"""Every table, imported once so the metadata (and Alembic) sees them all."""

from .audit.models import AuditRecord
from .auth.models import SignInAttempt, User, UserSession
from .campaigns.models import CampaignGroup, CampaignMember, CampaignRun
from .consultations.models import Consultation, QuestionRecord
from .jobs.models import Job
from .outcomes.models import Outcome, OutcomeRecipient, OutcomeText
from .publishing.models import ItemReview, Redaction
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
    "CampaignGroup",
    "CampaignMember",
    "CampaignRun",
    "Consultation",
    "ContributionPdf",
    "Draft",
    "ExportLine",
    "ItemReview",
    "Job",
    "KeptFile",
    "Outcome",
    "OutcomeRecipient",
    "OutcomeText",
    "PendingLinks",
    "QuestionRecord",
    "Redaction",
    "Response",
    "ResponseVersion",
    "SignInAttempt",
    "Theme",
    "ThemeAnswer",
    "Upload",
    "User",
    "UserSession",
]
