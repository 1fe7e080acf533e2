"""Drafts through their private link: resume, send, read after the deadline, e-mail, delete."""

from email_validator import EmailNotValidError, validate_email
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from ..extensions import csrf, db
from ..formatting import current_locale
from ..i18n import switching_language
from ..jobs.queue import QueueUnavailable
from ..mail import enqueue_mail, mail_enabled
from ..questionnaires.forms import build_form, csrf_ok, validate_answers
from .attachments import keep_attached
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
from .operations import ConsultationNotOpen, issue_edit_token, new_submission_token
from .pages import (
    CSRF_MESSAGE,
    DRAFT_SAVED,
    in_new_language,
    pending_link,
    private,
    refused,
    render_form,
    save_draft_and_continue,
    to_receipt,
)
from .queries import response_by_submission_token

bp = Blueprint("drafts", __name__, url_prefix="/drafts")


def _draft_or_404(token):
    return draft_by_token(token) or abort(404)


def _retention():
    return current_app.config["DRAFT_RETENTION_DAYS"]


@bp.get("/saved")
def saved():
    """Right after saving: the draft's private link, shown for a few minutes in this browser."""
    pending = pending_link(DRAFT_SAVED)
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
    draft = draft_by_token(token)
    if draft is None:
        # The same form sent again after it became a response (Back, then Send): its receipt.
        sent = request.method == "POST" and request.form.get("submission_token")
        response = response_by_submission_token(sent[:64]) if sent else None
        if response is None:
            abort(404)
        return to_receipt(response)
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
    if switching_language():
        page = render_form(
            consultation, form, {}, mode="draft", draft=draft, draft_token=token, attached=names
        )
        return in_new_language(page)
    if request.form.get("action") == "save_draft":
        return save_draft_and_continue(consultation, form, draft=draft, token=token)
    folder = current_app.config["UPLOAD_FOLDER"]
    values, errors = validate_answers(form, questionnaire)
    keep_attached(
        questionnaire, form, request.form, values, errors, draft_attachments(draft, folder)
    )
    if not csrf_ok(form):
        errors = {"_csrf": CSRF_MESSAGE, **errors}
    if errors:
        return private(
            render_form(
                consultation,
                form,
                errors,
                mode="draft",
                draft=draft,
                draft_token=token,
                attached=names,
            ),
            400,
        )
    try:
        response, created = submit_draft(
            draft,
            values,
            submission_token=(form.submission_token.data or new_submission_token())[:64],
            language=values.get("language") or current_locale(),
            upload_folder=folder,
        )
    except ConsultationNotOpen:
        db.session.rollback()
        return refused(consultation, form, names)
    edit_token = issue_edit_token(response) if created else None
    db.session.commit()
    return to_receipt(response, edit_token)


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
            headers={"Content-Disposition": f'attachment; filename="{slug}-my-draft.txt"'},
        )
    )


@bp.get("/<token>/my-draft.pdf")
def download_pdf(token):
    """Everything in the draft as a PDF to keep, at any time (after the deadline too)."""
    from ..reports.pdf import draft_pdf  # WeasyPrint loads only when a PDF is asked for

    draft = _draft_or_404(token)
    slug = draft.consultation.slug
    return private(
        Response(
            draft_pdf(draft, draft_typed(draft, current_locale())),
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{slug}-my-draft.pdf"'},
        )
    )


@bp.route("/<token>/delete", methods=["GET", "POST"])
def delete(token):
    """Ask, then delete the draft and its files for good."""
    draft = _draft_or_404(token)
    consultation = draft.consultation
    if request.method == "GET":
        return private(
            render_template(
                "public/draft_delete.html", draft=draft, consultation=consultation, token=token
            )
        )
    delete_draft(draft, current_app.config["UPLOAD_FOLDER"])
    db.session.commit()
    return private(render_template("public/draft_deleted.html", consultation=consultation))


@bp.post("/<token>/email")
def email(token):
    """Send the draft's private link to an address the person gives (not kept)."""
    if not mail_enabled():
        abort(404)
    draft = _draft_or_404(token)
    consultation = draft.consultation
    link = url_for(".resume", token=token, _external=True)
    address = request.form.get("email", "").strip()
    context = {"consultation": consultation, "token": token, "email": address}
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
