"""Moderation decisions on free texts and files, and the words redacted from texts.

The decision on a whole contribution (pending, approved, withheld) and its public
ID are columns of the response row (``responses.models.Response``), so the public
list filters and pages through one index; this module holds the decisions on
its parts. A row here belongs to one answer row or one file: when a respondent
edits their contribution the answer rows are replaced, and these go with them
(``ON DELETE CASCADE``), so an edited text is moderated again.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock
from ..dbtypes import UTCDateTime
from ..extensions import db
from ..responses.models import BigId

#: A consultation's publication setting (``consultations.publication_mode``).
AFTER_CLOSING, WHEN_MODERATED, NEVER = "after_closing", "when_moderated", "never"
MODES = (AFTER_CLOSING, WHEN_MODERATED, NEVER)
#: A contribution's moderation (``responses.moderation``).
PENDING, APPROVED, WITHHELD = "pending", "approved", "withheld"
STATES = (PENDING, APPROVED, WITHHELD)
#: Why words are removed or a contribution (or a part of it) is withheld.
REASONS = ("third_party", "offensive", "defamatory", "other")


class ItemReview(db.Model):
    """A moderator's decision on one free-text answer or one file: approved or withheld.

    No row means the item is waiting. ``public_text`` is the answer's text as it may be
    published (redactions replaced by "[removed]"), kept up to date by the operations,
    so a search never reads words that were removed.
    """

    __tablename__ = "item_reviews"
    __table_args__ = (
        CheckConstraint("state IN ('approved', 'withheld')", name="state_known"),
        CheckConstraint("(answer_id IS NULL) <> (upload_id IS NULL)", name="one_item"),
        CheckConstraint(
            "reason IS NULL OR reason IN ('third_party', 'offensive', 'defamatory', 'other')",
            name="reason_known",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("answers.id", ondelete="CASCADE"), unique=True
    )
    upload_id: Mapped[int | None] = mapped_column(
        ForeignKey("uploads.id", ondelete="CASCADE"), unique=True
    )
    #: "approved" or "withheld".
    state: Mapped[str] = mapped_column(String(16))
    #: Why it is withheld (one of ``REASONS``); empty when approved.
    reason: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    #: The answer's text with its redactions replaced by "[removed]" (answers only).
    public_text: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Who decided, as shown (their e-mail, or the command line).
    decided_by: Mapped[str] = mapped_column(String(254))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc)


class Redaction(db.Model):
    """Words removed from a free-text answer before it is published, and why.

    ``span_start`` and ``span_end`` are character offsets in the answer's
    ``text_value`` (end excluded); ``removed`` keeps the words, for the moderators
    and the undo, and is never published.
    """

    __tablename__ = "redactions"
    __table_args__ = (
        CheckConstraint("span_start >= 0 AND span_end > span_start", name="span_order"),
        CheckConstraint(
            "reason IN ('third_party', 'offensive', 'defamatory', 'other')", name="reason_known"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)
    removed: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc)

    def audit_ref(self):
        return ("redaction", self.id, f"response {self.response_id}")


class FacetCube(db.Model):
    """The counts beside a consultation's public filters (``facets``), as a worker last
    counted them, so no visitor's request waits for the count at a million contributions.

    ``key`` is what the counts depend on besides the contributions (the publication
    setting and the consultation's last change): a record for another key is not used.
    """

    __tablename__ = "facet_cubes"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(100))
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc)
    #: JSON: a list of [value of each filter column..., count].
    rows: Mapped[str] = mapped_column(Text)
