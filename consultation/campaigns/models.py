"""Campaign groups and their members, derived from the answers by the grouping job."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..dbtypes import UTCDateTime
from ..extensions import db
from ..responses.models import BigId

CONFIRMED, REJECTED = "confirmed", "rejected"
DECISIONS = (CONFIRMED, REJECTED)


class CampaignGroup(db.Model):
    """Answers that copy one template: to one question, or the whole contribution's free text.

    Its size, first and last arrival are counted from its members (``queries``).
    """

    __tablename__ = "campaign_groups"
    __table_args__ = (
        UniqueConstraint("consultation_id", "number"),
        CheckConstraint(
            "decision IS NULL OR decision IN ('confirmed', 'rejected')", name="decision_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    #: The question whose answers are grouped; empty for the whole contribution's free text.
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    #: The label people use ("campaign 3"), kept when the group is found again.
    number: Mapped[int] = mapped_column(Integer)
    #: The member whose text is the most central: its text is the template.
    template_response_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("responses.id", ondelete="SET NULL")
    )
    template_text: Mapped[str] = mapped_column(Text)
    #: An analyst's reading: "confirmed" (a campaign) or "rejected" (not one); empty: not read.
    decision: Mapped[str | None] = mapped_column(String(16))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(254))
    #: When the grouping job last wrote the group.
    grouped_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc)

    consultation = relationship("Consultation")
    question = relationship("QuestionRecord")

    def audit_ref(self):
        return ("campaign", self.id, f"campaign {self.number}")


class CampaignMember(db.Model):
    """One answer in a group: how close it is to the template, and what it adds of its own."""

    __tablename__ = "campaign_members"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("campaign_groups.id", ondelete="CASCADE"), primary_key=True
    )
    response_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    #: Similarity to the template, 0 to 1 (``grouping.similarities``).
    similarity: Mapped[float] = mapped_column(Float)
    #: The sentences of the answer that are not in the template; empty when it adds nothing.
    added_text: Mapped[str | None] = mapped_column(Text)


class CampaignRun(db.Model):
    """What the last grouping of a consultation saw, so a newer change asks for another."""

    __tablename__ = "campaign_runs"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    #: The answers' state when it started (``queries.change_mark``): responses counted,
    #: the last response and the last earlier version.
    mark: Mapped[str] = mapped_column(String(100))
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc)
