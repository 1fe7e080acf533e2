"""The questionnaire, the receipt, editing a contribution, and what a person gets when a
consultation is not open."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
)

from ..consultations.models import State
from ..consultations.queries import consultation_by_slug
from ..extensions import csrf, db
from ..formatting import current_locale
from ..i18n import switching_language
from ..questionnaires.forms import build_form, csrf_ok, preselect_language, validate_answers
from .attachments import keep_attached
from .kept_files import release_kept_files, take_kept_files
from .operations import (
    ConsultationNotOpen,
    issue_edit_token,
    new_submission_token,
    submit_response,
    update_response,
)
from .pages import (
    csrf_message,
    form_again,
    in_new_language,
    pop_receipt_link,
    private,
    refused,
    render_form,
    save_draft_and_continue,
    to_receipt,
)
from .queries import (
    last_changed_at,
    response_attachments,
    response_by_edit_token,
    response_by_reference,
    response_values,
)
from .typed import typed_answers_text

bp = Blueprint("responses", __name__)


@bp.route("/consultations/<slug>/respond", methods=["GET", "POST"])
@csrf.exempt  # checked by the form itself, so an expired token keeps the answers
def respond(slug):
    """Show the questionnaire; on POST, save a draft, or validate, store and show the receipt."""
    consultation = consultation_by_slug(slug) or abort(404)
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
    values, errors = validate_answers(form, questionnaire)
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
        )
    except ConsultationNotOpen:
        db.session.rollback()
        return refused(consultation, form)
    edit_token = issue_edit_token(response) if created else None
    release_kept_files(consultation, token, folder)
    db.session.commit()
    return to_receipt(response, edit_token)


@bp.post("/consultations/<slug>/my-answers.txt")
def download_typed(slug):
    """The answers a person sent to a closed consultation, as a text file to keep."""
    consultation = consultation_by_slug(slug) or abort(404)
    form = build_form(consultation.questionnaire)
    text = typed_answers_text(consultation, form, current_locale())
    return private(
        Response(
            text,
            mimetype="text/plain",
            headers={"Content-Disposition": f'attachment; filename="{slug}-my-answers.txt"'},
        )
    )


@bp.get("/contributions/<reference>")
def receipt(reference):
    """The receipt: the contribution reference and every answer as stored."""
    response = response_by_reference(reference) or abort(404)
    return _contribution_page(response, link=pop_receipt_link(reference))


@bp.route("/contributions/edit/<token>", methods=["GET", "POST"])
@csrf.exempt  # checked by the form itself, so an expired token keeps the answers
def edit(token):
    """Change a contribution until the deadline, through its private link; then read it only."""
    response = response_by_edit_token(token) or abort(404)
    consultation = response.consultation
    if not consultation.is_open or response.erased_at is not None:
        status = 403 if request.method == "POST" else 200
        return _contribution_page(response, locked=True, status=status)
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
        update_response(
            response,
            values,
            language=values.get("language") or current_locale(),
            upload_folder=folder,
        )
    except ConsultationNotOpen:
        db.session.rollback()
        return _contribution_page(response, locked=True, status=403)
    release_kept_files(consultation, form.submission_token.data, folder)
    db.session.commit()
    return to_receipt(response, token, changed=True)


def _contribution_page(response, *, link=None, locked=False, status=200):
    consultation = response.consultation
    return private(
        render_template(
            "public/receipt.html",
            response=response,
            consultation=consultation,
            questionnaire=consultation.questionnaire,
            values=response_values(response),
            last_changed=last_changed_at(response),
            link=link,
            locked=locked,
            locale=current_locale(),
        ),
        status,
    )


@bp.get("/contributions/<reference>/copy.pdf")
def contribution_copy(reference):
    """The respondent's copy of their contribution, as a PDF to keep."""
    from ..reports.pdf import contribution_pdf  # WeasyPrint loads only when a PDF is asked for

    response = response_by_reference(reference) or abort(404)
    return private(
        Response(
            contribution_pdf(response),
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="contribution-{reference}.pdf"'},
        )
    )
