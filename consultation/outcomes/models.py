"""The outcome of a consultation, its texts per language, and who was told about it."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..dbtypes import UTCDateTime
from ..extensions import db
from ..responses.models import BigId


class Outcome(db.Model):
    """What followed a consultation: the texts, the decision or act, and when it was published.

    Written by an admin after closing; shown on the public page once ``published_at`` is set.
    """

    __tablename__ = "outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), unique=True
    )
    #: The decision or act that followed, e.g. "Proposal for a Regulation ... COM(2026) 502".
    decision_title: Mapped[str] = mapped_column(String(300))
    decision_url: Mapped[str | None] = mapped_column(String(500))
    decision_date: Mapped[date | None] = mapped_column(Date)
    #: The published summary report elsewhere (the institution's own page), besides ours.
    report_url: Mapped[str | None] = mapped_column(String(500))
    #: Set when the outcome is shown to the public; empty while it is a draft or withdrawn.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the respondents who asked were first told (the e-mails are sent once).
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=clock.now_utc, onupdate=clock.now_utc
    )

    consultation = relationship("Consultation")
    texts: Mapped[list["OutcomeText"]] = relationship(
        back_populates="outcome", cascade="all, delete-orphan", passive_deletes=True
    )

    def audit_ref(self):
        return ("consultation", self.consultation_id, self.consultation.slug)

    def text_in(self, language: str) -> "OutcomeText | None":
        """The texts written in ``language``, if any."""
        return next((t for t in self.texts if t.language == language), None)


class OutcomeText(db.Model):
    """The three parts of an outcome in one interface language, in Markdown."""

    __tablename__ = "outcome_texts"
    __table_args__ = (UniqueConstraint("outcome_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcomes.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    we_asked: Mapped[str] = mapped_column(Text, default="")
    you_said: Mapped[str] = mapped_column(Text, default="")
    we_did: Mapped[str] = mapped_column(Text, default="")

    outcome: Mapped[Outcome] = relationship(back_populates="texts")


class OutcomeRecipient(db.Model):
    """One person (an e-mail address, by its digest) told about an outcome, or who opted out.

    The unique key makes the e-mail go once per person, whatever the number of their
    contributions, a job run twice or the outcome published again.
    """

    __tablename__ = "outcome_recipients"
    __table_args__ = (UniqueConstraint("consultation_id", "email_digest"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    #: SHA-256 of the lower-cased address: the address itself stays on the response only.
    email_digest: Mapped[str] = mapped_column(String(64))
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
