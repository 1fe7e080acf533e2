"""The questionnaire, the receipt, editing a contribution, and what a person gets when a
consultation is not open."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

from ..consultations.models import State
from ..consultations.queries import published_consultation_by_slug
from ..downloads import attachment
from ..extensions import csrf, db
from ..formatting import current_locale
from ..i18n import switching_language
from ..questionnaires.forms import build_form, csrf_ok, preselect_language, validate_answers
from .attachments import keep_attached
from .confirmation import (
    check_copy_request,
    confirmation_status,
    copy_requested,
    queue_confirmation,
)
from .kept_files import release_kept_files, take_kept_files
from .operations import (
    ConsultationNotOpen,
    issue_private_links,
    new_submission_token,
    submit_response,
    update_response,
)
from .pages import (
    answers_markup,
    csrf_message,
    existing_receipt,
    form_again,
    held_links,
    in_new_language,
    private,
    refused,
    render_form,
    save_draft_and_continue,
    sent_already,
    to_receipt,
)
from .pdf_downloads import contribution_copy_download
from .queries import (
    last_changed_at,
    response_attachments,
    response_by_edit_token,
    response_by_receipt_token,
    response_values,
)
from .references import canonical_reference
from .typed import typed_answers_text

bp = Blueprint("responses", __name__)


@bp.route("/consultations/<slug>/respond", methods=["GET", "POST"])
@csrf.exempt  # checked by the form itself, so an expired token keeps the answers
def respond(slug):
    """Show the questionnaire; on POST, save a draft, or validate, store and show the receipt."""
    consultation = published_consultation_by_slug(slug) or abort(404)
    questionnaire = consultation.questionnaire
    if request.method == "GET":
        if not consultation.is_open:
            return render_template(
                "public/not_open.html", consultation=consultation, State=State
            ), 403
        form = build_form(questionnaire)
        form.submission_token.data = new_submission_token()
        preselect_language(form, questionnaire, current_locale())
        return private(render_form(consultation, form, {}, blank=True))

    form = build_form(questionnaire)
    if switching_language():
        return in_new_language(form_again(consultation, form, {}, status=200))
    if request.form.get("action") == "save_draft":
        return save_draft_and_continue(consultation, form)
    # A form already stored (Back then Send, a resend after midnight of a contribution
    # taken at 23:59:59) gets its receipt, whatever the time: it was not refused.
    sent = sent_already(request.form)
    if sent is not None and sent.consultation_id == consultation.id:
        return existing_receipt(sent)
    values, errors = validate_answers(form, questionnaire)
    errors = check_copy_request(form, questionnaire, values, errors)
    if not consultation.is_open:
        return refused(consultation, form)
    folder = current_app.config["UPLOAD_FOLDER"]
    found = take_kept_files(consultation, form, request.form, values, errors, folder)
    if not csrf_ok(form):
        errors = {"_csrf": csrf_message(), **errors}
    if errors:
        return form_again(consultation, form, errors, values=values, found=found)
    token = (form.submission_token.data or new_submission_token())[:64]
    try:
        response, created = submit_response(
            consultation,
            values,
            submission_token=token,
            language=values.get("language") or current_locale(),
            upload_folder=folder,
            token_is_new=sent is None,
        )
    except ConsultationNotOpen:
        db.session.rollback()
        return refused(consultation, form)
    if not created:  # the same form, sent twice at once: the other request stored it
        return existing_receipt(response)
    links = issue_private_links(response)  # shown once: on the receipt (or in a mail)
    if copy_requested(form):  # queued with the contribution, in the same transaction
        queue_confirmation(response, links, current_locale())
    if found.held:
        release_kept_files(consultation, token, folder)
    page = to_receipt(response, links)
    db.session.commit()
    return page


@bp.post("/consultations/<slug>/my-answers.txt")
def download_typed(slug):
    """The answers a person sent to a closed consultation, as a text file to keep."""
    consultation = published_consultation_by_slug(slug) or abort(404)
    form = build_form(consultation.questionnaire)
    text = typed_answers_text(consultation, form, current_locale())
    return private(
        Response(
            text,
            mimetype="text/plain",
            headers=attachment(f"{slug}-my-answers.txt"),
        )
    )


@bp.get("/contributions/receipt/<token>")
def receipt(token):
    """The receipt, at its private link: the reference and every answer as stored.

    Right after sending, this browser also sees the link to change the contribution.
    """
    response = response_by_receipt_token(token) or abort(404)
    links = held_links(response)
    page = _contribution_page(
        response,
        receipt_token=token,
        edit_token=links["edit"] if links else None,
        just_sent=links is not None,
    )
    db.session.commit()  # a held row whose time is up is gone
    return page


@bp.get("/contributions/<reference>")
@bp.get("/contributions/<reference>/copy.pdf")
def reference(reference):
    """What an old receipt address (made of the reference) shows now: how to get it back.

    It never looks the reference up: a quoted reference opens nothing, not even
    the knowledge that it exists.
    """
    if canonical_reference(reference) is None:
        abort(404)
    return private(render_template("public/reference.html"), 404)


@bp.route("/contributions/edit/<token>", methods=["GET", "POST"])
@csrf.exempt  # checked by the form itself, so an expired token keeps the answers
def edit(token):
    """Change a contribution until the deadline, through its private link; then read it only."""
    response = response_by_edit_token(token) or abort(404)
    consultation = response.consultation
    if not consultation.is_open or response.erased_at is not None:
        status = 403 if request.method == "POST" else 200
        return _contribution_page(response, edit_token=token, locked=True, status=status)
    questionnaire = consultation.questionnaire
    folder = current_app.config["UPLOAD_FOLDER"]
    attached = response_attachments(response, folder)
    names = {key: upload.filename for key, upload in attached.items()}
    if request.method == "GET":
        form = build_form(questionnaire, values=response_values(response))
        form.submission_token.data = new_submission_token()  # what it keeps is its own
        return private(render_form(consultation, form, {}, mode="edit", attached=names))

    form = build_form(questionnaire)
    if switching_language():
        page = form_again(consultation, form, {}, status=200, mode="edit", attached=names)
        return in_new_language(page)
    values, errors = validate_answers(form, questionnaire)
    found = take_kept_files(consultation, form, request.form, values, errors, folder)
    keep_attached(questionnaire, form, request.form, values, errors, attached)
    if not csrf_ok(form):
        errors = {"_csrf": csrf_message(), **errors}
    if errors:
        return form_again(
            consultation, form, errors, values=values, found=found, mode="edit", attached=names
        )
    try:
        changed = update_response(
            response,
            values,
            language=values.get("language") or current_locale(),
            upload_folder=folder,
        )
    except ConsultationNotOpen:
        db.session.rollback()
        return _contribution_page(response, edit_token=token, locked=True, status=403)
    release_kept_files(consultation, form.submission_token.data, folder)
    db.session.commit()
    saved = url_for(".edited", token=token, **({} if changed else {"unchanged": 1}))
    return redirect(saved, code=303)


@bp.get("/contributions/edit/<token>/saved")
def edited(token):
    """After a change through the edit link: the contribution as it is now."""
    response = response_by_edit_token(token) or abort(404)
    locked = not response.consultation.is_open or response.erased_at is not None
    unchanged = request.args.get("unchanged") == "1"
    return _contribution_page(
        response, edit_token=token, changed=not unchanged, unchanged=unchanged, locked=locked
    )


def _contribution_page(
    response, *, receipt_token=None, edit_token=None, locked=False, status=200, **context
):
    """The receipt template: the contribution, and the private links the visitor holds."""
    consultation = response.consultation
    locale = current_locale()
    return private(
        render_template(
            "public/receipt.html",
            response=response,
            consultation=consultation,
            answers=answers_markup(consultation, response_values(response), locale),
            last_changed=last_changed_at(response),
            receipt_token=receipt_token,
            edit_token=edit_token,
            locked=locked,
            locale=locale,
            copy=confirmation_status(response),
            **context,
        ),
        status,
    )


@bp.get("/contributions/receipt/<token>/copy.pdf")
def contribution_copy(token):
    """The respondent's copy of their contribution, as a PDF to keep (receipt link)."""
    return contribution_copy_download(response_by_receipt_token(token) or abort(404))


@bp.get("/contributions/edit/<token>/copy.pdf")
def edit_copy(token):
    """The same PDF copy through the edit link, which reads all the receipt link does."""
    return contribution_copy_download(response_by_edit_token(token) or abort(404))
