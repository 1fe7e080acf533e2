"""The consultation table and its state, derived from timestamps and the clock."""

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    case,
    false,
    literal,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..dbtypes import UTCDateTime
from ..extensions import db
from ..questionnaires.definition import Questionnaire, questionnaire_for
from ..questionnaires.text import tr


class State(enum.StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


class Consultation(db.Model):
    """A public consultation: a questionnaire open between two instants."""

    __tablename__ = "consultations"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="window_order"),
        CheckConstraint(
            "publication_mode IN ('after_closing', 'when_moderated', 'never')",
            name="publication_mode_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    #: The normalised questionnaire definition loaded from YAML. Deferred: pages use the
    #: questionnaire built from it (``questionnaire``), so it is read only when needed.
    definition: Mapped[dict] = mapped_column(JSON, deferred=True)
    #: Fingerprint of ``definition``: loading an unchanged file changes nothing.
    definition_digest: Mapped[str] = mapped_column(String(64))
    #: First instant at which contributions are accepted (UTC).
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: First instant at which contributions are refused: the end of the closing date in Brussels.
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Set when an administrator closes the consultation by hand before ``closes_at``.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_reason: Mapped[str | None] = mapped_column(Text)
    #: An admin's choice to publish the counts (the open-data API's results) while still open.
    results_while_open: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: When moderated contributions become public: "after_closing" (once the consultation is
    #: closed), "when_moderated" (as soon as cleared, while open too) or "never".
    publication_mode: Mapped[str] = mapped_column(
        String(16), default="after_closing", server_default="after_closing"
    )
    #: Set when an administrator archives it: hidden from the public lists, read-only, and
    #: closed (it never opens while archived). Cleared when it is restored.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When an administrator published it; until then it is a draft: not listed, not
    #: answerable, seen by admins only (its preview). Files loaded by the command line
    #: (the shipped consultations) are published as they are loaded.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When its settings or questionnaire were last changed in the admin area; reloading
    #: the shipped YAML file of the same slug then leaves it as the admin area made it.
    authored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=clock.now_utc, onupdate=clock.now_utc
    )

    questions: Mapped[list["QuestionRecord"]] = relationship(
        back_populates="consultation", order_by="QuestionRecord.position"
    )

    # -- state: the one place where it is decided --------------------------------
    @property
    def is_draft(self) -> bool:
        """Not published yet: only admins see it, nobody can answer it."""
        return self.published_at is None

    @classmethod
    def published_expression(cls):
        """The same rule as ``is_draft`` (negated), as a SQL condition: what the public sees."""
        return cls.published_at.is_not(None)

    def state_at(self, now: datetime) -> State:
        """Upcoming, open or closed at ``now``; an archived consultation is closed, a draft
        is upcoming whatever its dates (it opens once published)."""
        if self.archived_at is not None and self.archived_at <= now:
            return State.CLOSED
        if self.published_at is None:
            return State.UPCOMING
        if self.closed_at is not None and self.closed_at <= now:
            return State.CLOSED
        if now < self.opens_at:
            return State.UPCOMING
        if now >= self.closes_at:
            return State.CLOSED
        return State.OPEN

    @property
    def state(self) -> State:
        return self.state_at(clock.now_utc())

    @property
    def is_open(self) -> bool:
        return self.state is State.OPEN

    @classmethod
    def state_expression(cls, now: datetime):
        """The same rule as ``state_at``, as a SQL expression for queries."""
        moment = literal(now, UTCDateTime)
        return case(
            (and_(cls.archived_at.is_not(None), cls.archived_at <= moment), State.CLOSED.value),
            (and_(cls.closed_at.is_not(None), cls.closed_at <= moment), State.CLOSED.value),
            (cls.published_at.is_(None), State.UPCOMING.value),
            (moment < cls.opens_at, State.UPCOMING.value),
            (moment >= cls.closes_at, State.CLOSED.value),
            else_=State.OPEN.value,
        )

    @property
    def ended_at(self) -> datetime:
        """When contributions stopped (or will stop) being accepted."""
        if self.closed_at is not None and self.closed_at < self.closes_at:
            return self.closed_at
        return self.closes_at

    @classmethod
    def ended_expression(cls):
        """The same rule as ``ended_at``, as a SQL expression for queries."""
        return case(
            (and_(cls.closed_at.is_not(None), cls.closed_at < cls.closes_at), cls.closed_at),
            else_=cls.closes_at,
        )

    @property
    def closing_date(self):
        """The last Brussels day of the window."""
        return clock.closing_date(self.closes_at)

    def audit_ref(self):
        return ("consultation", self.id, self.slug)

    # -- questionnaire -----------------------------------------------------------
    @property
    def questionnaire(self) -> Questionnaire:
        """The run-time questionnaire, built once per definition version (its digest).

        Found by ``definition_digest``: the definition itself, tens of kilobytes of JSON,
        is read and parsed only when this process has not built that version yet.
        """
        return questionnaire_for(self.definition_digest, lambda: self.definition)

    def text(self, name: str, locale=None) -> str:
        """A text of the definition (title, summary, about, privacy_notice) in ``locale``."""
        return tr(self.questionnaire.data.get(name), locale)


class QuestionRecord(db.Model):
    """A question as a row, so answers can refer to it and SQL can group by it."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("consultation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    position: Mapped[int]
    #: False once a reloaded definition no longer has the question; its answers are kept.
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    consultation: Mapped[Consultation] = relationship(back_populates="questions")

    @property
    def retired_from(self) -> tuple[str, int] | None:
        """(key, version) of a question a new questionnaire version replaced, kept with its
        answers under the key ``key@vN``; None for a question of the current questionnaire."""
        key, marker, number = self.key.rpartition(VERSION_MARK)
        if not marker or not number.isdigit():
            return None
        return key, int(number)


#: Joins a retired question's key and the last version it was asked in (``k@v1``); the
#: loader's keys are letters, digits, dashes and underscores, so no key of a file has it.
VERSION_MARK = "@v"


class QuestionnaireVersion(db.Model):
    """A version of a consultation's questionnaire. A new one begins when a change would
    alter what stored answers mean; wording fixes stay in the same version, whose
    ``definition`` is then the latest asked under it. Responses say which they answered."""

    __tablename__ = "questionnaire_versions"
    __table_args__ = (
        UniqueConstraint("consultation_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    #: 1, 2, 3...: what ``responses.questionnaire_version`` refers to.
    number: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict] = mapped_column(JSON, deferred=True)
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc)
    #: Who began it (the audit log's actor label): an admin's address, or the command line.
    created_by: Mapped[str | None] = mapped_column(String(254))

    @property
    def questionnaire(self) -> Questionnaire:
        return questionnaire_for(self.digest, lambda: self.definition)
