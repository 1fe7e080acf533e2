"""The PDF copy of a contribution, kept until the contribution changes.

A copy costs up to a few seconds to render; kept in the database, a second download
costs a read, whichever application server answers it. Each kept copy records what it
was made from (``_made_from``: the number of versions, the contribution's language,
its erasure, the questionnaire's version); a copy made from anything else is made
again. A change to the response row that shows in the copy, or a new version, deletes
its copies in the same transaction, so an erased name never survives in a kept PDF.
"""

import hashlib
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, delete, event, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .. import clock
from ..dbtypes import UTCDateTime
from ..extensions import db
from ..responses.models import BigId, Response, ResponseVersion

#: Columns of a response that its copy does not show: changing them keeps the copies.
_NOT_SHOWN = {"edit_token_hash", "flag", "flagged_at"}


class ContributionPdf(db.Model):
    """A contribution's PDF copy in one interface language, until the contribution changes."""

    __tablename__ = "contribution_pdfs"

    response_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    locale: Mapped[str] = mapped_column(String(8), primary_key=True)
    #: A fingerprint of what the copy was made from; a copy with another is made again.
    made_from: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now_utc)


def _made_from(response: Response, locale: str) -> str:
    versions = db.session.scalar(
        select(func.count())
        .select_from(ResponseVersion)
        .where(ResponseVersion.response_id == response.id)
    )
    erased = response.erased_at.isoformat() if response.erased_at else ""
    parts = (versions, response.language, erased, response.consultation.definition_digest, locale)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def cached_contribution_pdf(response: Response, locale: str, render) -> bytes:
    """The copy of ``response`` in ``locale``: the one kept, or ``render(response)`` kept.

    Flushes what it keeps; the caller commits (or rolls back: nothing else is lost).
    """
    made_from = _made_from(response, locale)
    kept = db.session.get(ContributionPdf, (response.id, locale))
    if kept is not None and kept.made_from == made_from:
        return kept.pdf
    pdf = render(response)
    if kept is None:
        kept = ContributionPdf(response_id=response.id, locale=locale)
        db.session.add(kept)
    kept.made_from, kept.pdf, kept.created_at = made_from, pdf, clock.now_utc()
    try:
        db.session.flush()
    except IntegrityError:  # the same copy made at the same moment by another request
        db.session.rollback()
    return pdf


def _changed_responses(session) -> set[int]:
    """Ids of responses whose copy this flush changes: a shown column, a new version."""
    ids = set()
    for item in session.dirty:
        if isinstance(item, Response) and item.id is not None:
            state = inspect(item)
            if any(
                state.attrs[column.key].history.has_changes()
                for column in state.mapper.column_attrs
                if column.key not in _NOT_SHOWN
            ):
                ids.add(item.id)
    for item in session.new:
        if isinstance(item, ResponseVersion) and item.response_id is not None:
            ids.add(item.response_id)
    return ids


@event.listens_for(Session, "before_flush")
def _forget_changed_copies(session, flush_context, instances):
    ids = _changed_responses(session)
    if ids:
        session.execute(delete(ContributionPdf).where(ContributionPdf.response_id.in_(ids)))
