"""Tables of the reports package."""

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..responses.models import BigId


class ExportLine(db.Model):
    """A response's two CSV export lines, ready to stream (see ``reports.ready_lines``).

    ``layout`` names the export columns the lines were made for; a line made for
    another layout is not used. The personal line holds personal data, so erasing
    a response's personal data rewrites it.
    """

    __tablename__ = "export_lines"

    response_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    layout: Mapped[str] = mapped_column(String(64))
    personal: Mapped[str] = mapped_column(Text)
    public: Mapped[str] = mapped_column(Text)


class AnswerTally(db.Model):
    """How many counted answers share these keys (see ``reports.tallies``).

    ``measure`` is ``answers`` (answer rows with this row and option: chosen
    options, matrix cells, ranks), ``answered`` (responses with at least one
    answer to the question; row and option empty) or ``numbers`` (answers to a
    number question giving the number in ``option_key``, as the database writes
    it in text). Keys that do not apply are
    empty strings, not NULL, so that every column can be part of the key.
    Flagged responses are not counted.
    """

    __tablename__ = "answer_tallies"

    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), primary_key=True)
    measure: Mapped[str] = mapped_column(String(8), primary_key=True)
    row_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    option_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    respondent_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    #: Answer rows (``answers``) or responses (``answered``).
    n: Mapped[int] = mapped_column(BigInteger)
    #: Sum of the ranks given, and how many times ranked first (rankings only, else 0).
    rank_sum: Mapped[int] = mapped_column(BigInteger)
    firsts: Mapped[int] = mapped_column(BigInteger)


class TallyOutbox(db.Model):
    """A response whose contribution is not in ``answer_tallies`` yet: the workers add it
    (see ``reports.tally_outbox``).

    Written in the same transaction as the response; deleted, in the transaction that adds
    the contribution, by the worker that does, or with the response (``ON DELETE CASCADE``).
    """

    __tablename__ = "tally_outbox"

    response_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
