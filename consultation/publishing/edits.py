"""A moderator's decisions on the parts of a contribution that an edit left as they were.

An edit replaces the answer and file rows (``responses.operations.update_response``),
and the decisions on them go with them (``ON DELETE CASCADE``). A respondent who
fixes a typo in one answer should not send every other text back to the queue: so the
decisions on texts and files are read before the edit (``before_edit``) and given
again to the new rows that are the same (``after_edit``): the same question and the
very same text (a redaction's offsets then still point at the same words), or the same
question and the same file (its SHA-256 and name). Anything that changed waits for a
moderator, as a new contribution does. Each decision keeps who made it and when.
"""

from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from ..responses.models import Answer, Upload
from .models import ItemReview, Redaction


@dataclass
class Kept:
    """The decisions of one contribution, by what they were about."""

    #: (question id, text) -> (review columns or None, [redaction columns...])
    texts: dict = field(default_factory=dict)
    #: (question id, sha256, file name) -> review columns
    files: dict = field(default_factory=dict)


_REVIEW = ("state", "reason", "note", "public_text", "decided_by_id", "decided_by", "decided_at")
_REDACTION = (
    "span_start",
    "span_end",
    "removed",
    "reason",
    "note",
    "created_by_id",
    "created_by",
    "created_at",
)


def _columns(row, names) -> dict:
    return {name: getattr(row, name) for name in names}


def _rows(model, names, *where):
    """Plain rows, not objects: the rows read here are about to go (ON DELETE CASCADE),
    and objects of them left in the session would clash with the new ones."""
    columns = [getattr(model, name) for name in names]
    return db.session.execute(select(*columns).where(*where).order_by(model.id)).all()


def before_edit(response) -> Kept:
    """The decisions on ``response``'s texts and files, read before its rows are replaced."""
    kept = Kept()
    redactions: dict[int, list] = {}
    for redaction in _rows(
        Redaction, ("answer_id", *_REDACTION), Redaction.response_id == response.id
    ):
        redactions.setdefault(redaction.answer_id, []).append(_columns(redaction, _REDACTION))
    reviews = {
        review.answer_id: _columns(review, _REVIEW)
        for review in _rows(
            ItemReview,
            ("answer_id", *_REVIEW),
            ItemReview.response_id == response.id,
            ItemReview.answer_id.is_not(None),
        )
    }
    for answer_id, question_id, text in db.session.execute(
        select(Answer.id, Answer.question_id, Answer.text_value).where(
            Answer.response_id == response.id, Answer.text_value.is_not(None)
        )
    ):
        if answer_id not in reviews and answer_id not in redactions:
            continue
        key = (question_id, text)
        if key in kept.texts:  # the same text twice in one question: decided anew
            kept.texts[key] = None
            continue
        kept.texts[key] = (reviews.get(answer_id), redactions.get(answer_id, []))
    rows = db.session.execute(
        select(
            *(getattr(ItemReview, name) for name in _REVIEW),
            Upload.question_id,
            Upload.sha256,
            Upload.original_name,
        )
        .join(Upload, Upload.id == ItemReview.upload_id)
        .where(ItemReview.response_id == response.id)
    ).all()
    for row in rows:
        kept.files[(row.question_id, row.sha256, row.original_name)] = _columns(row, _REVIEW)
    # The edit deletes these rows in SQL (their answers and files go): objects of them in the
    # session would stand for rows that are gone, and clash with the new rows' ids.
    for item in list(db.session.identity_map.values()):
        if isinstance(item, ItemReview | Redaction) and item.response_id == response.id:
            db.session.expunge(item)
    return kept


def after_edit(response, kept: Kept) -> int:
    """Give ``kept``'s decisions to the new rows of ``response`` that are unchanged; how many.

    Flushes; the caller settles the contribution's moderation after.
    """
    given = 0
    if kept.texts:
        for answer_id, question_id, text in db.session.execute(
            select(Answer.id, Answer.question_id, Answer.text_value).where(
                Answer.response_id == response.id, Answer.text_value.is_not(None)
            )
        ):
            found = kept.texts.pop((question_id, text), None)
            if found is None:
                continue
            review, redactions = found
            if review is not None:
                db.session.add(ItemReview(response_id=response.id, answer_id=answer_id, **review))
            for redaction in redactions:
                db.session.add(Redaction(response_id=response.id, answer_id=answer_id, **redaction))
            given += 1
    if kept.files:
        for upload in db.session.scalars(select(Upload).where(Upload.response_id == response.id)):
            review = kept.files.pop((upload.question_id, upload.sha256, upload.original_name), None)
            if review is not None:
                db.session.add(ItemReview(response_id=response.id, upload_id=upload.id, **review))
                given += 1
    db.session.flush()
    return given
