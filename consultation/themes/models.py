"""Themes of a free-text question (found by a job, edited by analysts) and its codebook."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..dbtypes import UTCDateTime
from ..extensions import db
from ..responses.models import BigId


class Theme(db.Model):
    """A theme of the answers to one question: its top terms and the answers it holds."""

    __tablename__ = "themes"
    __table_args__ = (Index("ix_themes_question_position", "question_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    #: The language of the answers it was found in (ISO 639-1); None: several languages
    #: pooled because none had enough answers of its own.
    language: Mapped[str | None] = mapped_column(String(8))
    #: The name an analyst gave it; None: it is named by its top terms.
    label: Mapped[str | None] = mapped_column(String(200))
    #: The words that weigh most in it, heaviest first.
    terms: Mapped[list] = mapped_column(JSON, default=list)
    #: Order on the page: the largest first when found.
    position: Mapped[int] = mapped_column(Integer, default=0)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc)

    question = relationship("QuestionRecord")

    @property
    def name(self) -> str:
        """The analyst's name for it, else its first top terms."""
        return self.label or ", ".join(self.terms[:4])

    def audit_ref(self):
        return ("theme", self.id, self.name)


class ThemeAnswer(db.Model):
    """One answer's place in a theme: each answer to a question is in at most one theme."""

    __tablename__ = "theme_answers"
    __table_args__ = (
        UniqueConstraint("question_id", "response_id"),
        Index("ix_theme_answers_theme_weight", "theme_id", "weight"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"))
    #: The theme's question, repeated so that one answer cannot be in two of its themes.
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    #: How strongly the answer's text belongs to the theme (its NMF weight); the
    #: representative quotes are the heaviest members.
    weight: Mapped[float] = mapped_column(Float, default=0.0)


class Code(db.Model):
    """An entry of a question's codebook, ticked on answers by analysts."""

    __tablename__ = "codes"
    __table_args__ = (
        UniqueConstraint("question_id", "label"),
        CheckConstraint("length(label) > 0", name="label_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc)

    question = relationship("QuestionRecord")

    def audit_ref(self):
        return ("code", self.id, self.label)


class AnswerCode(db.Model):
    """A code ticked on one response's answer to the code's question."""

    __tablename__ = "answer_codes"
    __table_args__ = (UniqueConstraint("code_id", "response_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"))
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    coded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc)
    coded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
