"""Responses and their answers, stored in a shape SQL can count."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..dbtypes import UTCDateTime
from ..extensions import db
from .fingerprint import fingerprint_default
from .references import new_public_id

#: SQLite only auto-increments INTEGER primary keys; PostgreSQL gets a 64-bit key.
BigId = BigInteger().with_variant(Integer, "sqlite")

#: The rows the public list may show, written out as SQL so the partial indexes below
#: and the queries of ``publishing.rules`` say the very same thing (SQLite uses a partial
#: index only when the query repeats its condition; bound parameters would not do).
PUBLISHABLE_SQL = (
    "moderation = 'approved' AND flag IS NULL AND erased_at IS NULL "
    "AND publication IN ('public', 'anonymous')"
)


def _published_index(name, *columns):
    """An index over publishable rows only, ordered as the public list pages (newest first)."""
    where = text(PUBLISHABLE_SQL)
    return Index(
        name,
        "consultation_id",
        *columns,
        "submitted_at",
        "id",
        sqlite_where=where,
        postgresql_where=where,
    )


class Response(db.Model):
    """One contribution to a consultation, with the respondent's profile as columns."""

    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint("flag IS NULL OR flag IN ('spam', 'duplicate')", name="flag_known"),
        # The summary's breakdowns by type, country, size and publication, read from the
        # index alone (``reports.queries.profile_counts``).
        Index(
            "ix_responses_profile",
            "consultation_id",
            "flag",
            "respondent_type",
            "country",
            "organisation_size",
            "publication",
        ),
        CheckConstraint(
            "moderation IN ('pending', 'approved', 'withheld')", name="moderation_known"
        ),
        # The public list (``publishing.queries``): newest first, by each of its filters.
        _published_index("ix_responses_published"),
        _published_index("ix_responses_published_type", "respondent_type"),
        _published_index("ix_responses_published_country", "country"),
        _published_index("ix_responses_published_language", "language"),
        _published_index("ix_responses_published_size", "organisation_size"),
        _published_index("ix_responses_published_file", "has_public_file"),
        # The counts beside those filters: one GROUP BY over every filter column
        # (``publishing.facets``), read in index order.
        Index(
            "ix_responses_published_facets",
            "consultation_id",
            "respondent_type",
            "country",
            "language",
            "organisation_size",
            "has_public_file",
            sqlite_where=text(PUBLISHABLE_SQL),
            postgresql_where=text(PUBLISHABLE_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    #: Short reference to quote (``references``); it opens nothing. Older responses keep a
    #: longer one, from when it was also the address of the receipt.
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    #: One per form served: a second POST of the same form finds the first response.
    submission_token: Mapped[str] = mapped_column(String(64), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc, index=True)
    #: Language the contribution was given in (ISO 639-1).
    language: Mapped[str | None] = mapped_column(String(8))
    respondent_type: Mapped[str | None] = mapped_column(String(64), index=True)
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    organisation_size: Mapped[str | None] = mapped_column(String(16), index=True)
    #: "public" or "anonymous": what may be published with the answers.
    publication: Mapped[str | None] = mapped_column(String(16))
    first_name: Mapped[str | None] = mapped_column(String(100))
    surname: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    organisation_name: Mapped[str | None] = mapped_column(String(255))
    #: "yes" when the respondent asked to be told by e-mail when the outcome is published.
    outcome_updates: Mapped[str | None] = mapped_column(String(8))
    #: "spam" or "duplicate": kept, but left out of reports (reversible).
    flag: Mapped[str | None] = mapped_column(String(16), index=True)
    flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set when personal data was erased on a data-subject request; answers stay.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: SHA-256 of the private edit link's token; the token itself is shown once and not kept.
    edit_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: SHA-256 of the private receipt link's token (read the contribution and its PDF copy);
    #: empty for responses stored before receipt links existed. A unique index, not a
    #: constraint: adding one to SQLite would copy the table, and its cascades drop answers.
    receipt_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    #: The contribution's address on the public pages and in the open data: random, not the
    #: reference (which staff use to find it), so publishing never reveals a reference.
    public_id: Mapped[str | None] = mapped_column(
        String(16), unique=True, index=True, default=new_public_id
    )
    #: "pending", "approved" or "withheld": the moderators' decision on the whole contribution,
    #: kept by ``publishing.operations.settle`` (approved by itself when nothing needs review).
    moderation: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    #: Why it is withheld (``publishing.models.REASONS``), and the moderator's words.
    withheld_reason: Mapped[str | None] = mapped_column(String(32))
    moderation_note: Mapped[str | None] = mapped_column(Text)
    #: When the moderation last changed (approved, withheld, back to pending).
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Whether a file of it was approved for publication (the list's "with a document").
    has_public_file: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )

    #: The number of the questionnaire version (``questionnaire_versions.number``) the
    #: contribution answered, set when it is sent and each time it is edited.
    questionnaire_version: Mapped[int] = mapped_column(
        SmallInteger, default=1, server_default=text("1")
    )

    consultation = relationship("Consultation")

    def audit_ref(self):
        return ("response", self.id, f"response {self.id}")

    answers: Mapped[list["Answer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )
    uploads: Mapped[list["Upload"]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )
    versions: Mapped[list["ResponseVersion"]] = relationship(
        back_populates="response",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ResponseVersion.version",
    )


class Answer(db.Model):
    """One countable piece of an answer: a chosen option, a matrix cell, a rank, a text."""

    __tablename__ = "answers"
    __table_args__ = (
        Index("ix_answers_question_option", "question_id", "option_key"),
        Index("ix_answers_question_row_option", "question_id", "row_key", "option_key"),
        Index("ix_answers_question_fingerprint", "question_id", "text_fingerprint"),
        Index("ix_answers_question_response", "question_id", "response_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    option_key: Mapped[str | None] = mapped_column(String(64))
    #: The statement of a matrix question this cell answers.
    row_key: Mapped[str | None] = mapped_column(String(64))
    #: Position given in a ranking (1 is first).
    rank: Mapped[int | None] = mapped_column(SmallInteger)
    text_value: Mapped[str | None] = mapped_column(Text)
    number_value: Mapped[float | None] = mapped_column(Float)
    #: ``text_value`` normalised and hashed, so identical texts (campaigns) group in SQL.
    text_fingerprint: Mapped[str | None] = mapped_column(String(32), default=fingerprint_default)

    response: Mapped[Response] = relationship(back_populates="answers")


class Upload(db.Model):
    """A file sent with a response, kept outside the web root under a random name."""

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc)

    response: Mapped[Response] = relationship(back_populates="uploads")


class ResponseVersion(db.Model):
    """A previous version of an edited response, kept for the record; reports never read it."""

    __tablename__ = "response_versions"
    __table_args__ = (
        UniqueConstraint("response_id", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    #: 1 is the contribution as first sent; the live answers are always one more than the last.
    version: Mapped[int] = mapped_column(Integer)
    #: The values as stored before the change (``response_values``), its language and files.
    snapshot: Mapped[dict] = mapped_column(JSON)
    #: When this version was replaced by the next one.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc)

    response: Mapped[Response] = relationship(back_populates="versions")


class Draft(db.Model):
    """Answers saved to finish later, reached through a private link whose token is hashed."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    #: SHA-256 of the resume link's token; the token itself is shown once and not kept.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The form as typed, valid or not: {"fields": {name: [text, ...]}, "files": {key: {...}}}.
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=clock.now_utc, onupdate=clock.now_utc
    )
    #: Interface language when the draft was saved, for the e-mail with its link.
    language: Mapped[str | None] = mapped_column(String(8))

    consultation = relationship("Consultation")


class PendingLinks(db.Model):
    """Private links just made, held for the minutes their page shows them (``pending``).

    The tokens are sealed with a key that only the browser's session holds; the row
    is found by that key's hash and deleted when its time is up.
    """

    __tablename__ = "pending_links"

    #: SHA-256 of the key held in the session.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: What the links are for: "receipt" or "draft".
    kind: Mapped[str] = mapped_column(String(16))
    #: {"sealed": {name: sealed token}, "public": {...}}: nothing in it opens a link.
    data: Mapped[dict] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class KeptFile(db.Model):
    """A file chosen in a questionnaire not sent yet (its form had errors), kept a day for it."""

    __tablename__ = "kept_files"
    __table_args__ = (UniqueConstraint("form_hash", "question_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    #: SHA-256 of the submission token of the form it was chosen in: only that form finds it.
    form_hash: Mapped[str] = mapped_column(String(64))
    question_key: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    #: Its random name in the upload folder.
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    #: When it was chosen; it is deleted ``KEPT_FILE_HOURS`` later unless a form took it.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc, index=True)
