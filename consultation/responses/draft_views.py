"""Drafts through their private link: resume, send, read after the deadline, e-mail, delete."""

from email_validator import EmailNotValidError, validate_email
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
)
from flask_babel import gettext as _

from ..downloads import attachment
from ..extensions import csrf, db
from ..formatting import current_locale
from ..i18n import switching_language
from ..jobs.queue import QueueUnavailable
from ..mail import enqueue_mail, mail_enabled
from ..questionnaires.form_token import action_token_ok
from ..questionnaires.forms import build_form, csrf_ok, validate_answers
from ..urls import external_url
from .attachments import keep_attached
from .confirmation import check_copy_request, copy_requested, queue_confirmation
from .drafts import (
    delete_draft,
    draft_attachments,
    draft_by_token,
    draft_file_names,
    draft_form,
    draft_link_message,
    draft_text,
    draft_typed,
    kept_until,
    submit_draft,
)
from .kept_files import release_kept_files, take_kept_files
from .operations import ConsultationNotOpen, issue_private_links, new_submission_token
from .pages import (
    DRAFT_SAVED,
    csrf_message,
    existing_receipt,
    form_again,
    in_new_language,
    private,
    refused,
    render_form,
    save_draft_and_continue,
    sent_already,
    to_receipt,
)
from .pdf_downloads import draft_pdf_download
from .pending import held

bp = Blueprint("drafts", __name__, url_prefix="/drafts")


def _draft_or_404(token):
    return draft_by_token(token) or abort(404)


def _retention():
    return current_app.config["DRAFT_RETENTION_DAYS"]


@bp.get("/saved")
def saved():
    """Right after saving: the draft's private link, shown for a few minutes in this browser."""
    pending = held(DRAFT_SAVED)
    db.session.commit()  # a held row whose time is up is gone
    draft = draft_by_token(pending["token"]) if pending else None
    if draft is None:
        return private(render_template("public/draft_saved.html", draft=None))
    return private(
        render_template(
            "public/draft_saved.html",
            draft=draft,
            consultation=draft.consultation,
            token=pending["token"],
            problems=pending["problems"],
            email=draft_form(draft).data.get("q_email") or "",
            mail_enabled=mail_enabled(),
            kept_until=kept_until(draft.consultation, _retention()),
        )
    )


@bp.route("/<token>", methods=["GET", "POST"])
@csrf.exempt  # checked by the form itself, so an expired token keeps the answers
def resume(token):
    """The saved draft in the questionnaire; after the deadline, what was written, read only."""
    # The same form sent again after it became a response (Back then Send, or a resend
    # after the deadline): its receipt, before the draft (gone by then) or the deadline.
    sent = sent_already(request.form) if request.method == "POST" else None
    if sent is not None:
        return existing_receipt(sent)
    draft = _draft_or_404(token)
    consultation = draft.consultation
    questionnaire = consultation.questionnaire
    names = draft_file_names(draft)
    if request.method == "GET":
        if not consultation.is_open:
            return _closed_page(draft, token)
        form = draft_form(draft)
        form.submission_token.data = new_submission_token()
        return private(
            render_form(
                consultation,
                form,
                {},
                mode="draft",
                draft=draft,
                draft_token=token,
                attached=names,
            )
        )

    form = build_form(questionnaire)
    if not consultation.is_open:
        return refused(consultation, form, names)
    page = {"mode": "draft", "draft": draft, "draft_token": token, "attached": names}
    if switching_language():
        return in_new_language(form_again(consultation, form, {}, status=200, **page))
    if request.form.get("action") == "save_draft":
        return save_draft_and_continue(consultation, form, draft=draft, token=token)
    folder = current_app.config["UPLOAD_FOLDER"]
    values, errors = validate_answers(form, questionnaire)
    errors = check_copy_request(form, questionnaire, values, errors)
    found = take_kept_files(consultation, form, request.form, values, errors, folder)
    keep_attached(
        questionnaire, form, request.form, values, errors, draft_attachments(draft, folder)
    )
    if not csrf_ok(form):
        errors = {"_csrf": csrf_message(), **errors}
    if errors:
        return form_again(consultation, form, errors, values=values, found=found, **page)
    submission_token = (form.submission_token.data or new_submission_token())[:64]
    try:
        response, created = submit_draft(
            draft,
            values,
            submission_token=submission_token,
            language=values.get("language") or current_locale(),
            upload_folder=folder,
        )
    except ConsultationNotOpen:
        db.session.rollback()
        return refused(consultation, form, names)
    release_kept_files(consultation, submission_token, folder)
    if not created:
        db.session.commit()
        return existing_receipt(response)
    links = issue_private_links(response)  # shown once: on the receipt (or in a mail)
    if copy_requested(form):  # queued with the contribution, in the same transaction
        queue_confirmation(response, links, current_locale())
    page = to_receipt(response, links)
    db.session.commit()
    return page


def _closed_page(draft, token):
    return private(
        render_template(
            "public/draft_closed.html",
            draft=draft,
            consultation=draft.consultation,
            token=token,
            typed=draft_typed(draft, current_locale()),
            kept_until=kept_until(draft.consultation, _retention()),
        )
    )


@bp.get("/<token>/my-answers.txt")
def download(token):
    """Everything in the draft as a text file to keep, at any time."""
    draft = _draft_or_404(token)
    slug = draft.consultation.slug
    return private(
        Response(
            draft_text(draft, current_locale()),
            mimetype="text/plain",
            headers=attachment(f"{slug}-my-draft.txt"),
        )
    )


@bp.get("/<token>/my-draft.pdf")
def download_pdf(token):
    """Everything in the draft as a PDF to keep, at any time (after the deadline too)."""
    return draft_pdf_download(_draft_or_404(token), token)


def _again(what: str) -> str:
    """Why a draft's small form was refused (its token), and that nothing is lost."""
    hours = current_app.config["QUESTIONNAIRE_TOKEN_HOURS"]
    if what == "delete":
        return _(
            "Please confirm again: this page was open for more than %(hours)s hours, or it "
            "came from another browser or without cookies. Your draft is still here.",
            hours=hours,
        )
    return _(
        "Please send it again: this page was open for more than %(hours)s hours, or it came "
        "from another browser or without cookies. Your draft is still here.",
        hours=hours,
    )


@bp.route("/<token>/delete", methods=["GET", "POST"])
@csrf.exempt  # checked with the questionnaire's own token, which outlives the session
def delete(token):
    """Ask, then delete the draft and its files for good."""
    draft = _draft_or_404(token)
    consultation = draft.consultation
    page = {"draft": draft, "consultation": consultation, "token": token}
    if request.method == "GET":
        return private(render_template("public/draft_delete.html", **page))
    if not action_token_ok("draft-delete", token):
        error = _again("delete")
        return private(render_template("public/draft_delete.html", error=error, **page), 400)
    delete_draft(draft, current_app.config["UPLOAD_FOLDER"])
    db.session.commit()
    return private(render_template("public/draft_deleted.html", consultation=consultation))


@bp.post("/<token>/email")
@csrf.exempt  # checked with the questionnaire's own token, which outlives the session
def email(token):
    """Send the draft's private link to an address the person gives (not kept)."""
    if not mail_enabled():
        abort(404)
    draft = _draft_or_404(token)
    consultation = draft.consultation
    link = external_url("drafts.resume", token=token)
    address = request.form.get("email", "").strip()
    context = {"consultation": consultation, "token": token, "email": address}
    if not action_token_ok("draft-email", token):
        error = _again("email")
        return private(render_template("public/draft_emailed.html", error=error, **context), 400)
    try:
        address = validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        error = _("Enter an e-mail address in the form name@example.org.")
        return private(render_template("public/draft_emailed.html", error=error, **context), 400)
    subject, body = draft_link_message(consultation, link, _retention())
    try:
        enqueue_mail(address, subject, body)
    except QueueUnavailable:
        error = _("We could not send the e-mail just now. Copy the link below instead.")
        return private(render_template("public/draft_emailed.html", error=error, **context), 503)
    db.session.commit()  # the message goes to the queue once this commits
    return private(render_template("public/draft_emailed.html", sent=True, **context))
