"""The questionnaire, the receipt, and what a person gets when a consultation is not open."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l

from ..consultations.models import State
from ..consultations.queries import consultation_by_slug
from ..extensions import csrf, db
from ..formatting import current_locale
from ..questionnaires.forms import (
    build_form,
    csrf_ok,
    field_for,
    preselect_language,
    validate_answers,
)
from .operations import ConsultationNotOpen, new_submission_token, submit_response
from .queries import response_by_reference, response_values
from .typed import typed_answers, typed_answers_text

bp = Blueprint("responses", __name__)

CSRF_MESSAGE = _l(
    "Your session expired before you sent the form. Your answers are still here: "
    "check them and send the form again."
)


def _private(body, status=200):
    """Pages with answers or a private reference are not cached, nor their address leaked on."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/consultations/<slug>/respond", methods=["GET", "POST"])
@csrf.exempt  # checked by the form itself, so an expired token keeps the answers
def respond(slug):
    """Show the questionnaire; on POST, validate, store and redirect to the receipt."""
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
        return _private(_render_form(consultation, form, {}))

    form = build_form(questionnaire)
    values, errors = validate_answers(form, questionnaire)
    if not consultation.is_open:
        return _refused(consultation, form)
    if not csrf_ok(form):
        errors = {"_csrf": CSRF_MESSAGE, **errors}
    if errors:
        return _private(_render_form(consultation, form, errors), 400)
    token = form.submission_token.data or new_submission_token()
    try:
        response, _ = submit_response(
            consultation,
            values,
            submission_token=token[:64],
            language=values.get("language") or current_locale(),
            upload_folder=current_app.config["UPLOAD_FOLDER"],
        )
    except ConsultationNotOpen:
        db.session.rollback()
        return _refused(consultation, form)
    db.session.commit()
    return redirect(url_for(".receipt", reference=response.reference), code=303)


def _render_form(consultation, form, errors):
    questionnaire = consultation.questionnaire
    return render_template(
        "public/respond.html",
        consultation=consultation,
        questionnaire=questionnaire,
        form=form,
        errors=list(errors.items()),
        field_for=field_for,
        locale=current_locale(),
    )


def _refused(consultation, form):
    """The consultation closed (or is not open yet): say so, store nothing, keep the answers."""
    return _private(
        render_template(
            "public/not_open.html",
            consultation=consultation,
            State=State,
            typed=typed_answers(consultation.questionnaire, form, current_locale()),
            resend=request.form.items(multi=True),
        ),
        403,
    )


@bp.post("/consultations/<slug>/my-answers.txt")
def download_typed(slug):
    """The answers a person sent to a closed consultation, as a text file to keep."""
    consultation = consultation_by_slug(slug) or abort(404)
    form = build_form(consultation.questionnaire)
    text = typed_answers_text(consultation, form, current_locale())
    return _private(
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
    consultation = response.consultation
    values = response_values(response)
    return _private(
        render_template(
            "public/receipt.html",
            response=response,
            consultation=consultation,
            questionnaire=consultation.questionnaire,
            values=values,
            locale=current_locale(),
        )
    )
