"""The moderation queue in the admin area: approve, redact, withhold, undo; the setting.

Routes on the admin blueprint, so its guard applies: signed in to read; to moderate,
an admin or a moderator (``open_to_moderators``); the publication setting, an admin.
Every decision is reversible and audited, so none asks to confirm.
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ..admin.views import _actor, _consultation, _page, _response, bp
from ..consultations.queries import profile_labels
from ..errors import OperationRefused
from ..extensions import db
from ..formatting import current_locale
from . import operations, queue, rules
from .models import APPROVED, MODES, PENDING, REASONS, STATES, WITHHELD
from .queries import is_published

#: The reasons a moderator gives, as the forms list them.
REASON_LABELS = {
    "third_party": _l("Personal data of a third party"),
    "offensive": _l("Offensive"),
    "defamatory": _l("Defamatory"),
    "other": _l("Other reason"),
}
MODE_LABELS = {
    "after_closing": _l(
        "After closing: moderated contributions are published once the consultation closes"
    ),
    "when_moderated": _l("As soon as moderated, while the consultation is open too"),
    "never": _l("Never: nothing is published"),
}
STATE_LABELS = {
    "pending": _l("Waiting for review"),
    "approved": _l("Approved"),
    "withheld": _l("Withheld"),
}


def open_to_moderators(view):
    """Mark a view that moderators may POST to (admins may too; analysts may not)."""
    view.open_to_moderators = True
    return view


@bp.context_processor
def _moderation_labels():
    return {
        "reason_labels": REASON_LABELS,
        "moderation_labels": STATE_LABELS,
        "mode_labels": MODE_LABELS,
    }


@bp.get("/consultations/<slug>/moderation")
def moderation_queue(slug):
    """The contributions waiting for review (or approved, or withheld), oldest first."""
    consultation = _consultation(slug)
    state = request.args.get("state", PENDING)
    if state not in STATES:
        state = PENDING
    page = db.paginate(
        queue.queue_query(consultation, state),
        page=_page(),
        per_page=current_app.config["ADMIN_PAGE_SIZE"],
        error_out=False,
    )
    locale = current_locale()
    return render_template(
        "admin/moderation_queue.html",
        consultation=consultation,
        state=state,
        page=page,
        counts=queue.state_counts(consultation),
        campaigns=queue.waiting_campaigns(consultation, locale) if state == PENDING else [],
        approvals=queue.recent_campaign_approvals(consultation) if state == PENDING else [],
        visible=rules.is_visible_now(consultation),
        modes=MODES,
        labels=profile_labels(consultation, ("respondent_type", "country"), locale),
        args={"state": state} if state != PENDING else {},
    )


@bp.get("/responses/<int:response_id>/moderation")
def moderate(response_id):
    """One contribution's free texts and files, each with its decision, redactions and forms."""
    response = _response(response_id)
    locale = current_locale()
    parts = queue.parts_of(response, locale)
    words = request.args.get("words", "")[:5000]
    answer_id = request.args.get("answer", type=int)
    picking = None
    if words and answer_id:
        part = next((p for p in parts if p.kind == "answer" and p.id == answer_id), None)
        if part is not None:
            picking = (part.id, words, queue.occurrences_in_context(part.text, words))
    return render_template(
        "admin/moderate.html",
        response=response,
        consultation=response.consultation,
        parts=parts,
        picking=picking,
        reasons=REASONS,
        could_be_published=response.flag is None
        and response.erased_at is None
        and response.publication in rules.PUBLISHING_CHOICES,
        published=is_published(response),
        labels=profile_labels(response.consultation, ("respondent_type",), current_locale()),
    )


def _done(response, message, *, to_next=False):
    """Commit, say what happened, and go on: to the next waiting contribution if asked."""
    db.session.commit()
    flash(message, "success")
    if to_next and request.form.get("then") == "next":
        following = queue.next_waiting(response.consultation, response)
        if following is not None:
            return redirect(url_for(".moderate", response_id=following.id))
        flash(_("No other contribution is waiting for review."), "success")
        return redirect(url_for(".moderation_queue", slug=response.consultation.slug))
    return redirect(url_for(".moderate", response_id=response.id))


def _refused(response, refusal, **args):
    db.session.rollback()
    flash(str(refusal), "error")
    return redirect(url_for(".moderate", response_id=response.id, **args))


def _note():
    return (request.form.get("note") or "").strip()[:2000] or None


@bp.post("/responses/<int:response_id>/moderation/approve")
@open_to_moderators
def moderation_approve(response_id):
    """Approve a contribution for publication, its waiting parts as they stand."""
    response = _response(response_id)
    try:
        operations.approve(response, _actor(), _note())
    except OperationRefused as refusal:
        return _refused(response, refusal)
    return _done(
        response, _("Response %(id)s is approved for publication.", id=response.id), to_next=True
    )


@bp.post("/responses/<int:response_id>/moderation/withhold")
@open_to_moderators
def moderation_withhold(response_id):
    """Withhold a whole contribution from publication, with a reason."""
    response = _response(response_id)
    try:
        operations.withhold(response, _actor(), request.form.get("reason"), _note())
    except OperationRefused as refusal:
        return _refused(response, refusal)
    return _done(
        response,
        _("Response %(id)s is withheld: it will not be published.", id=response.id),
        to_next=True,
    )


@bp.post("/responses/<int:response_id>/moderation/reopen")
@open_to_moderators
def moderation_reopen(response_id):
    """Undo an approval or a withholding: back to the queue."""
    response = _response(response_id)
    try:
        operations.reopen(response, _actor(), _note())
    except OperationRefused as refusal:
        return _refused(response, refusal)
    return _done(response, _("Response %(id)s is back in the queue.", id=response.id))


@bp.post("/responses/<int:response_id>/moderation/part")
@open_to_moderators
def moderation_part(response_id):
    """Approve, withhold or undo the decision on one free-text answer or file."""
    response = _response(response_id)
    action = request.form.get("action")
    target = {
        "answer_id": request.form.get("answer_id", type=int),
        "upload_id": request.form.get("upload_id", type=int),
    }
    if (target["answer_id"] is None) == (target["upload_id"] is None) or action not in (
        "approve",
        "withhold",
        "undo",
    ):
        abort(400)
    try:
        if action == "undo":
            operations.undo_part(response, _actor(), **target)
        else:
            operations.decide_part(
                response,
                _actor(),
                APPROVED if action == "approve" else WITHHELD,
                reason=request.form.get("reason") if action == "withhold" else None,
                note=_note(),
                **target,
            )
    except OperationRefused as refusal:
        return _refused(response, refusal)
    return _done(response, _("Done."))


@bp.post("/responses/<int:response_id>/moderation/redact")
@open_to_moderators
def moderation_redact(response_id):
    """Remove words from an answer: typed or pasted (or selected, with JavaScript)."""
    response = _response(response_id)
    answer_id = request.form.get("answer_id", type=int)
    words = (request.form.get("words") or "")[:5000]
    occurrence = request.form.get("occurrence") or None
    try:
        made = operations.redact(
            response,
            _actor(),
            answer_id,
            words,
            request.form.get("reason"),
            occurrence=occurrence,
            note=_note(),
        )
    except OperationRefused as refusal:
        # Words found more than once: the page comes back listing them, to pick one.
        return _refused(response, refusal, words=words or None, answer=answer_id)
    return _done(
        response,
        ngettext(
            "The words are removed from the answer; they will read “[removed]”.",
            "The words are removed from %(num)s places in the answer; each will read “[removed]”.",
            len(made),
        ),
    )


@bp.post("/responses/<int:response_id>/moderation/redactions/<int:redaction_id>/remove")
@open_to_moderators
def moderation_unredact(response_id, redaction_id):
    """Undo a redaction."""
    response = _response(response_id)
    try:
        operations.remove_redaction(response, _actor(), redaction_id)
    except OperationRefused as refusal:
        return _refused(response, refusal)
    return _done(response, _("The words are restored."))


@bp.post("/consultations/<slug>/moderation/campaign")
@open_to_moderators
def moderation_campaign(slug):
    """Approve every waiting copy of one text (a campaign) in one step."""
    consultation = _consultation(slug)
    back = url_for(".moderation_queue", slug=slug)
    try:
        count = operations.approve_campaign(
            consultation,
            _actor(),
            request.form.get("question_id", type=int),
            (request.form.get("fingerprint") or "")[:64],
        )
    except OperationRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(back)
    db.session.commit()
    flash(_("Approved %(count)s identical answers.", count=count), "success")
    return redirect(back)


@bp.post("/consultations/<slug>/moderation/campaign/<int:record_id>/undo")
@open_to_moderators
def moderation_campaign_undo(slug, record_id):
    """Take back an approval of identical answers in one step."""
    consultation = _consultation(slug)
    back = url_for(".moderation_queue", slug=slug)
    try:
        count = operations.undo_campaign_approval(consultation, _actor(), record_id)
    except OperationRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(back)
    db.session.commit()
    flash(
        ngettext(
            "%(num)s answer waits for review again.",
            "%(num)s answers wait for review again.",
            count,
        ),
        "success",
    )
    return redirect(back)


@bp.post("/consultations/<slug>/publication")
def publication_mode(slug):
    """Change when the consultation's moderated contributions are published (admins only)."""
    consultation = _consultation(slug)
    back = url_for(".moderation_queue", slug=slug)
    try:
        operations.set_publication_mode(consultation, request.form.get("mode"), _actor())
    except OperationRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(back)
    db.session.commit()
    flash(_("The publication setting is changed."), "success")
    return redirect(back)
