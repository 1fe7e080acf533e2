"""Moderators' writes: approving, redacting, withholding, and undoing each; the setting.

Each operation flushes and writes one audit record with the values before and after;
the request or command commits. ``settle`` keeps the contribution's own state
(``responses.moderation``) in step with the decisions on its parts: a contribution is
approved once each of its free texts and files is decided (at once when it has none),
unless it is withheld as a whole.
"""

from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import Integer, and_, case, delete, exists, literal, or_, select, update

from .. import clock
from ..audit.operations import record
from ..consultations.models import Consultation
from ..dbtypes import UTCDateTime
from ..errors import OperationRefused
from ..extensions import db
from ..reports import publication
from ..reports.ready_lines import forget
from ..responses.models import Answer, Response, Upload
from . import rules
from .models import APPROVED, MODES, PENDING, REASONS, WITHHELD, ItemReview, Redaction
from .texts import occurrences, redacted

# -- the contribution's state, derived from its parts ---------------------------------


def _waiting(consultation):
    """SQL: the response has a free text or file that needs review and has no decision."""
    texts, files = rules.reviewed_questions(consultation)
    terms = []
    for audiences, ids in _by_audience(texts).items():
        undecided = exists().where(
            Answer.response_id == Response.id,
            Answer.question_id.in_(ids),
            Answer.text_value.is_not(None),
            Answer.text_value != "",
            ~exists().where(ItemReview.answer_id == Answer.id),
        )
        terms.append(and_(rules.audience_condition(audiences), undecided))
    for audiences, ids in _by_audience(files).items():
        undecided = exists().where(
            Upload.response_id == Response.id,
            Upload.question_id.in_(ids),
            ~exists().where(ItemReview.upload_id == Upload.id),
        )
        terms.append(and_(rules.audience_condition(audiences), undecided))
    return or_(*terms) if terms else None


def _by_audience(pairs) -> dict:
    grouped = defaultdict(list)
    for record_id, question in pairs:
        grouped[publication.answer_audiences(question)].append(record_id)
    return grouped


def settle(consultation, response_ids=None) -> None:
    """Bring the moderation of ``consultation``'s responses (or only ``response_ids``) up to
    date with the decisions on their parts, in one UPDATE; withheld ones stay withheld.

    Called after storing or editing a contribution, after generating responses in bulk,
    and by every operation below; ``flask publishing settle`` runs it after an upgrade.
    """
    waiting = _waiting(consultation)
    state = APPROVED if waiting is None else case((waiting, PENDING), else_=APPROVED)
    public_file = exists().where(
        ItemReview.response_id == Response.id,
        ItemReview.upload_id.is_not(None),
        ItemReview.state == APPROVED,
    )
    statement = (
        update(Response)
        .where(Response.consultation_id == consultation.id, Response.moderation != WITHHELD)
        .values(
            moderation=state,
            has_public_file=public_file,
            moderated_at=case(
                (Response.moderation == state, Response.moderated_at), else_=clock.now_utc()
            ),
        )
        .execution_options(synchronize_session=False)
    )
    if response_ids is not None:
        statement = statement.where(Response.id.in_(list(response_ids)))
    db.session.execute(statement)
    for item in list(db.session.identity_map.values()):
        if isinstance(item, Response):
            db.session.expire(item, ["moderation", "has_public_file", "moderated_at"])


def contribution_stored(response) -> None:
    """A contribution was stored or edited: its new texts wait for review (if it has any)."""
    settle(response.consultation, [response.id])


# -- the parts of one contribution ----------------------------------------------------


def reviewable_parts(response):
    """(answers, uploads) of ``response`` that a moderator decides on, in questionnaire order."""
    texts, files = rules.reviewed_questions(response.consultation)
    where = publication.audience(response.respondent_type, response.publication)
    text_ids = [rid for rid, q in texts if where in publication.answer_audiences(q)]
    file_ids = [rid for rid, q in files if where in publication.answer_audiences(q)]
    answers = list(
        db.session.scalars(
            select(Answer)
            .where(
                Answer.response_id == response.id,
                Answer.question_id.in_(text_ids),
                Answer.text_value.is_not(None),
                Answer.text_value != "",
            )
            .order_by(Answer.id)
        )
    )
    uploads = list(
        db.session.scalars(
            select(Upload)
            .where(Upload.response_id == response.id, Upload.question_id.in_(file_ids))
            .order_by(Upload.id)
        )
    )
    return answers, uploads


def public_text(answer) -> str:
    """The answer's text as it may be published: its redactions replaced by "[removed]"."""
    spans = db.session.execute(
        select(Redaction.span_start, Redaction.span_end).where(Redaction.answer_id == answer.id)
    ).all()
    return redacted(answer.text_value or "", [tuple(span) for span in spans])


def _review_of(answer=None, upload=None):
    column, item = (
        (ItemReview.answer_id, answer)
        if answer is not None
        else (
            ItemReview.upload_id,
            upload,
        )
    )
    return db.session.scalar(select(ItemReview).where(column == item.id))


def _decide(response, actor, state, *, answer=None, upload=None, reason=None, note=None):
    text = public_text(answer) if answer is not None and state == APPROVED else None
    review = _review_of(answer, upload)
    if review is None:
        review = ItemReview(
            response_id=response.id,
            answer_id=answer.id if answer is not None else None,
            upload_id=upload.id if upload is not None else None,
        )
        db.session.add(review)
    review.state = state
    review.reason = reason
    review.note = note or None
    review.public_text = text
    review.decided_by = actor.label
    review.decided_by_id = actor.user_id
    review.decided_at = clock.now_utc()
    return review


def _part(response, answer_id=None, upload_id=None):
    """The answer or file of ``response`` a form names, if a moderator decides on it."""
    answers, uploads = reviewable_parts(response)
    if answer_id is not None:
        found = next((a for a in answers if a.id == answer_id), None)
        return (found, None) if found else (None, None)
    found = next((u for u in uploads if u.id == upload_id), None)
    return (None, found) if found else (None, None)


def _part_or_refuse(response, answer_id=None, upload_id=None):
    answer, upload = _part(response, answer_id, upload_id)
    if answer is None and upload is None:
        raise OperationRefused(_("This answer or file is not one a moderator decides on."))
    return answer, upload


def _item_details(answer, upload) -> dict:
    if answer is not None:
        return {"answer": answer.id, "question": answer.question_id}
    return {"upload": upload.id, "file": upload.original_name}


def _check_reason(reason):
    if reason not in REASONS:
        raise OperationRefused(_("Choose a reason from the list."))


def decide_part(response, actor, state, *, answer_id=None, upload_id=None, reason=None, note=None):
    """Approve or withhold one free-text answer or file of ``response``."""
    answer, upload = _part_or_refuse(response, answer_id, upload_id)
    if state == WITHHELD:
        _check_reason(reason)
    before = _review_of(answer, upload)
    before_state = before.state if before is not None else PENDING
    if before_state == state:
        raise OperationRefused(_("This was decided already."))
    _decide(response, actor, state, answer=answer, upload=upload, reason=reason, note=note)
    db.session.flush()
    settle(response.consultation, [response.id])
    details = _item_details(answer, upload)
    forget([response.id])  # its public export line shows texts as published
    record(
        actor,
        "moderation.part_approve" if state == APPROVED else "moderation.part_withhold",
        response,
        before={**details, "state": before_state},
        after={**details, "state": state, "reason": reason},
        reason=note,
    )


def undo_part(response, actor, *, answer_id=None, upload_id=None):
    """Take back the decision on one answer or file: it waits for review again."""
    answer, upload = _part_or_refuse(response, answer_id, upload_id)
    review = _review_of(answer, upload)
    if review is None:
        raise OperationRefused(_("Nothing was decided on this yet."))
    before = {**_item_details(answer, upload), "state": review.state, "reason": review.reason}
    db.session.delete(review)
    db.session.flush()
    settle(response.consultation, [response.id])
    forget([response.id])  # its public export line shows texts as published
    record(
        actor,
        "moderation.part_undo",
        response,
        before=before,
        after={**_item_details(answer, upload), "state": PENDING},
    )


def approve(response, actor, note=None) -> int:
    """Approve a contribution: each of its parts still waiting is approved as it stands
    (with its redactions). Returns how many parts were approved."""
    if response.moderation == APPROVED:
        raise OperationRefused(_("This contribution is approved already."))
    before = {"moderation": response.moderation, "reason": response.withheld_reason}
    answers, uploads = reviewable_parts(response)
    count = 0
    for answer in answers:
        if _review_of(answer=answer) is None:
            _decide(response, actor, APPROVED, answer=answer)
            count += 1
    for upload in uploads:
        if _review_of(upload=upload) is None:
            _decide(response, actor, APPROVED, upload=upload)
            count += 1
    response.moderation = PENDING  # settled from its parts, below
    response.withheld_reason = response.moderation_note = None
    db.session.flush()
    settle(response.consultation, [response.id])
    forget([response.id])  # its public export line shows texts as published
    record(
        actor,
        "moderation.approve",
        response,
        before=before,
        after={"moderation": APPROVED, "parts": count},
        reason=note,
    )
    return count


def withhold(response, actor, reason, note=None) -> None:
    """Withhold a whole contribution from publication, with a reason from ``REASONS``."""
    _check_reason(reason)
    if response.moderation == WITHHELD:
        raise OperationRefused(_("This contribution is withheld already."))
    before = {"moderation": response.moderation}
    response.moderation = WITHHELD
    response.withheld_reason = reason
    response.moderation_note = note or None
    response.moderated_at = clock.now_utc()
    db.session.flush()
    record(
        actor,
        "moderation.withhold",
        response,
        before=before,
        after={"moderation": WITHHELD, "reason": reason},
        reason=note,
    )


def reopen(response, actor, note=None) -> None:
    """Undo an approval or a withholding: the contribution goes back to the queue.

    Undoing an approval takes back the approvals of its parts too (withheld parts stay
    withheld, redactions stay); a contribution with nothing to review is approved again
    at once, as it needs nobody.
    """
    if response.moderation == PENDING:
        raise OperationRefused(_("This contribution is waiting for review already."))
    before = {"moderation": response.moderation, "reason": response.withheld_reason}
    if response.moderation == APPROVED:
        db.session.execute(
            delete(ItemReview).where(
                ItemReview.response_id == response.id, ItemReview.state == APPROVED
            )
        )
    response.moderation = PENDING
    response.withheld_reason = response.moderation_note = None
    db.session.flush()
    settle(response.consultation, [response.id])
    forget([response.id])  # its public export line shows texts as published
    record(
        actor,
        "moderation.reopen",
        response,
        before=before,
        after={"moderation": response.moderation},
        reason=note,
    )


# -- redactions -----------------------------------------------------------------------


def _refresh_public_text(answer) -> None:
    review = _review_of(answer=answer)
    if review is not None and review.state == APPROVED:
        review.public_text = public_text(answer)


def redact(response, actor, answer_id, words, reason, *, occurrence=None, note=None):
    """Remove ``words`` (exactly as they stand) from one answer of ``response``.

    ``occurrence`` (1 for the first) says which, when they stand there more than once;
    "all" removes each. Returns the new ``Redaction`` rows.
    """
    answer, _upload = _part_or_refuse(response, answer_id=answer_id)
    _check_reason(reason)
    words = words or ""
    if not words.strip():
        raise OperationRefused(_("Type or paste the words to remove, exactly as they stand."))
    found = occurrences(answer.text_value, words)
    if not found:
        raise OperationRefused(
            _("These words are not in the answer; copy them exactly as they stand.")
        )
    if occurrence == "all":
        starts = found
    elif occurrence:
        try:
            starts = [found[int(occurrence) - 1]]
        except (ValueError, IndexError):
            raise OperationRefused(_("Choose which occurrence of these words to remove.")) from None
    elif len(found) == 1:
        starts = found
    else:
        raise OperationRefused(
            _(
                "These words stand %(count)s times in the answer: choose which to remove.",
                count=len(found),
            )
        )
    made = []
    for start in starts:
        made.append(
            Redaction(
                response_id=response.id,
                answer_id=answer.id,
                span_start=start,
                span_end=start + len(words),
                removed=words,
                reason=reason,
                note=note or None,
                created_by=actor.label,
                created_by_id=actor.user_id,
            )
        )
    db.session.add_all(made)
    db.session.flush()
    _refresh_public_text(answer)
    forget([response.id])  # its public export line shows texts as published
    record(
        actor,
        "moderation.redact",
        response,
        before={"answer": answer.id, "redactions": []},
        after={
            "answer": answer.id,
            "question": answer.question_id,
            "redactions": [[r.id, r.span_start, r.span_end] for r in made],
            "reason": reason,
        },
        reason=note,
    )
    return made


def remove_redaction(response, actor, redaction_id) -> None:
    """Undo a redaction: its words are shown again (once the answer is published)."""
    item = db.session.get(Redaction, redaction_id)
    if item is None or item.response_id != response.id:
        raise OperationRefused(_("This redaction no longer exists."))
    answer = db.session.get(Answer, item.answer_id)
    before = {
        "answer": item.answer_id,
        "redactions": [[item.id, item.span_start, item.span_end]],
        "reason": item.reason,
    }
    db.session.delete(item)
    db.session.flush()
    _refresh_public_text(answer)
    forget([response.id])
    record(actor, "moderation.unredact", response, before=before, after={"answer": item.answer_id})


# -- many at once, and the setting ----------------------------------------------------


def approve_campaign(consultation, actor, question_id, fingerprint) -> int:
    """Approve in one step every waiting answer to ``question_id`` with the same text
    (``text_fingerprint``): copies of one campaign. Returns how many were approved."""
    texts, _files = rules.reviewed_questions(consultation)
    question = dict(texts).get(question_id)
    if question is None or not fingerprint:
        raise OperationRefused(_("These answers are not ones a moderator decides on."))
    query = (
        select(Answer)
        .join(Response, Response.id == Answer.response_id)
        .where(
            Response.consultation_id == consultation.id,
            Answer.question_id == question_id,
            Answer.text_fingerprint == fingerprint,
            rules.audience_condition(publication.answer_audiences(question)),
            ~exists().where(ItemReview.answer_id == Answer.id),
        )
    )
    answers = list(db.session.scalars(query))
    if not answers:
        raise OperationRefused(_("No answer with this text is waiting any more."))
    responses, reviews = {}, []
    for answer in answers:
        response = responses.setdefault(answer.response_id, answer.response)
        reviews.append(_decide(response, actor, APPROVED, answer=answer))
    db.session.flush()
    settle(consultation, list(responses))
    forget(responses)
    record(
        actor,
        APPROVE_CAMPAIGN,
        consultation,
        before={"question": question_id, "fingerprint": fingerprint},
        after={
            "question": question_id,
            "fingerprint": fingerprint,
            "answers": [a.id for a in answers],
            # The decisions made here, so an undo takes back these and no later one.
            "reviews": [review.id for review in reviews],
            "responses": len(responses),
        },
    )
    return len(answers)


APPROVE_CAMPAIGN = "moderation.approve_campaign"
UNDO_CAMPAIGN = "moderation.approve_campaign_undo"


def undo_campaign_approval(consultation, actor, record_id) -> int:
    """Take back, in one step, an approval of identical answers (``approve_campaign``,
    found by its audit record): the answers it approved wait for review again, but those
    someone decided on since. Returns how many wait again."""
    from ..audit.models import AuditRecord

    entry = db.session.get(AuditRecord, record_id)
    if (
        entry is None
        or entry.action != APPROVE_CAMPAIGN
        or (entry.target_type, entry.target_id) != ("consultation", str(consultation.id))
    ):
        raise OperationRefused(_("This is not an approval of identical answers here."))
    if undone_approvals(consultation, [record_id]):
        raise OperationRefused(_("This approval was undone already."))
    made = (entry.after or {}).get("reviews")
    if made is not None:  # the decisions that approval made, if nobody changed them since
        chosen = ItemReview.id.in_([int(i) for i in made])
    else:  # recorded before approvals kept their decisions: its answers, approved by its actor
        ids = [int(i) for i in (entry.after or {}).get("answers") or []]
        chosen = ItemReview.answer_id.in_(ids) & (ItemReview.decided_by == entry.actor)
    reviews = list(
        db.session.scalars(select(ItemReview).where(chosen, ItemReview.state == APPROVED))
    )
    responses = {review.response_id for review in reviews}
    answers = sorted(review.answer_id for review in reviews)
    for review in reviews:
        db.session.delete(review)
    db.session.flush()
    settle(consultation, list(responses))
    forget(responses)
    record(
        actor,
        UNDO_CAMPAIGN,
        consultation,
        before={"record": record_id, "answers": answers, "state": APPROVED},
        after={"record": record_id, "answers": answers, "state": PENDING},
    )
    return len(answers)


def undone_approvals(consultation, record_ids) -> set[int]:
    """Which of the approvals ``record_ids`` (audit record ids) were undone."""
    from ..audit.models import AuditRecord

    wanted = {int(i) for i in record_ids}
    if not wanted:
        return set()
    found = set()
    for before in db.session.scalars(
        select(AuditRecord.before).where(
            AuditRecord.action == UNDO_CAMPAIGN,
            AuditRecord.target_type == "consultation",
            AuditRecord.target_id == str(consultation.id),
        )
    ):
        if isinstance(before, dict) and before.get("record") in wanted:
            found.add(before["record"])
    return found


def approve_waiting(consultation, actor, response_ids=None) -> int:
    """Approve as they stand, in bulk SQL, the waiting parts of ``consultation``'s
    contributions (or of ``response_ids``) that have no redaction: for the demo and for
    benchmarks, not for people (they read each one). One audit record; returns how many
    parts were approved. Export lines need no refresh: an approved text without
    redactions is published as it was written."""
    texts, files = rules.reviewed_questions(consultation)
    now = clock.now_utc()
    table = ItemReview.__table__
    made = 0
    for audiences, ids in _by_audience(texts).items():
        query = (
            select(
                Answer.response_id,
                Answer.id,
                literal(APPROVED),
                Answer.text_value,
                literal(actor.label),
                literal(actor.user_id, Integer),
                literal(now, UTCDateTime),
            )
            .join(Response, Response.id == Answer.response_id)
            .where(
                Response.consultation_id == consultation.id,
                Answer.question_id.in_(ids),
                Answer.text_value.is_not(None),
                Answer.text_value != "",
                rules.audience_condition(audiences),
                ~exists().where(ItemReview.answer_id == Answer.id),
                ~exists().where(Redaction.answer_id == Answer.id),
            )
        )
        if response_ids is not None:
            query = query.where(Answer.response_id.in_(list(response_ids)))
        columns = ["response_id", "answer_id", "state", "public_text", "decided_by"]
        result = db.session.execute(
            table.insert().from_select(
                [table.c[name] for name in columns + ["decided_by_id", "decided_at"]], query
            )
        )
        made += result.rowcount or 0
    for audiences, ids in _by_audience(files).items():
        query = (
            select(
                Upload.response_id,
                Upload.id,
                literal(APPROVED),
                literal(actor.label),
                literal(actor.user_id, Integer),
                literal(now, UTCDateTime),
            )
            .join(Response, Response.id == Upload.response_id)
            .where(
                Response.consultation_id == consultation.id,
                Upload.question_id.in_(ids),
                rules.audience_condition(audiences),
                ~exists().where(ItemReview.upload_id == Upload.id),
            )
        )
        if response_ids is not None:
            query = query.where(Upload.response_id.in_(list(response_ids)))
        columns = ["response_id", "upload_id", "state", "decided_by", "decided_by_id", "decided_at"]
        result = db.session.execute(
            table.insert().from_select([table.c[name] for name in columns], query)
        )
        made += result.rowcount or 0
    settle(consultation, response_ids)
    record(actor, "moderation.approve_waiting", consultation, after={"parts": made})
    return made


def set_publication_mode(consultation: Consultation, mode: str, actor) -> None:
    """Change when the consultation's moderated contributions become public."""
    if mode not in MODES:
        raise OperationRefused(_("Choose one of the publication settings."))
    if consultation.publication_mode == mode:
        raise OperationRefused(_("This is the publication setting already."))
    before = {"mode": consultation.publication_mode}
    consultation.publication_mode = mode
    db.session.flush()
    record(actor, "publishing.mode", consultation, before=before, after={"mode": mode})
