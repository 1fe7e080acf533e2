"""Tables of the reports package."""

from sqlalchemy import ForeignKey, String, Text
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
