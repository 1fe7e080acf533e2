"""Pieces shared by the questionnaire, draft and edit views: rendering and the private links."""

from flask import current_app, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from .. import clock
from ..consultations.models import State
from ..extensions import db
from ..formatting import current_locale
from ..i18n import remember_language, switching_language
from ..questionnaires.forms import csrf_ok, field_for
from .drafts import draft_file_names, save_draft
from .form_map import estimate, progress
from .kept_files import (
    chosen_files,
    keep_files,
    kept_for_form,
    lost_message,
    release_kept_files,
)
from .operations import ConsultationNotOpen
from .typed import typed_answers


def csrf_message() -> str:
    """Why a questionnaire's token was refused, and what to do: nothing is lost."""
    return _(
        "Please send the form again: it was open for more than %(hours)s hours, or it came "
        "from another browser or without cookies. Your answers are all still here, and so "
        "is any file you chose.",
        hours=current_app.config["QUESTIONNAIRE_TOKEN_HOURS"],
    )


#: Session keys holding a private link for the one page that shows it, right after a POST.
RECEIPT_LINK = "receipt_link"
DRAFT_SAVED = "draft_saved"


def private(body, status=200):
    """Pages with answers or a private link are not cached, nor their address leaked on."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def render_form(consultation, form, errors, *, mode="new", attached=None, blank=False, **context):
    """The questionnaire page: ``mode`` is "new", "draft" (resumed) or "edit".

    ``blank``: the form holds nothing typed (a first visit), so its questions can
    come from ``blank_questions``.
    """
    questionnaire = consultation.questionnaire
    page = dict(
        consultation=consultation,
        questionnaire=questionnaire,
        form=form,
        errors=list(errors.items()),
        field_for=field_for,
        locale=current_locale(),
        mode=mode,
        attached=attached or {},
        estimate=estimate(questionnaire),
        form_map=progress(questionnaire, form, attached or {}, current_locale()),
        **context,
    )
    if blank and not errors and mode == "new":
        page["blank_questions"] = blank_questions(consultation, page)
    return render_template("public/respond.html", **page)


#: Rendered questions of blank questionnaires by (consultation, definition, language, defaults).
_BLANK: dict = {}
#: Fields rendered outside the questions, different on every visit.
OUTSIDE_QUESTIONS = {"csrf_token", "submission_token"}


def blank_questions(consultation, page) -> Markup:
    """The questions of a blank questionnaire, rendered once per definition and language.

    They are most of the page and the same for every first visit; the tokens of
    each visit are outside them.
    """
    given = tuple(
        (field.name, repr(field.data))
        for field in page["form"]
        if field.data and field.name not in OUTSIDE_QUESTIONS
    )  # a blank form may hold defaults, such as the language of the page
    key = (consultation.id, consultation.definition_digest, page["locale"], given)
    markup = _BLANK.get(key)
    if markup is None:
        if len(_BLANK) >= 64:
            _BLANK.clear()
        markup = _BLANK[key] = Markup(render_template("public/_questions.html", **page))
    return markup


def form_again(consultation, form, errors, *, values=None, found=None, status=400, **context):
    """The questionnaire shown again unsent, with every answer, and the chosen files kept.

    ``values`` and ``found``: the validated answers and what ``take_kept_files`` found,
    when the form was validated; otherwise the files chosen in this request are kept.
    """
    chosen = values if values is not None else chosen_files(consultation.questionnaire, form)
    kept = keep_files(consultation, form, chosen, current_app.config["UPLOAD_FOLDER"], found=found)
    db.session.commit()
    attached = {**(context.pop("attached", None) or {}), **kept}
    return private(render_form(consultation, form, errors, attached=attached, **context), status)


def refused(consultation, form, files=None):
    """The consultation closed (or is not open yet): say so, store nothing, keep the answers."""
    return private(
        render_template(
            "public/not_open.html",
            consultation=consultation,
            State=State,
            typed=typed_answers(consultation.questionnaire, form, current_locale(), files),
            resend=request.form.items(multi=True),
        ),
        403,
    )


def to_receipt(response, edit_token=None, *, changed=False):
    """Go to the receipt, which shows the private edit link this once."""
    if edit_token:
        session[RECEIPT_LINK] = {
            "reference": response.reference,
            "token": edit_token,
            "changed": changed,
        }
    return redirect(url_for("responses.receipt", reference=response.reference), code=303)


#: How long a private link stays on its page in the same browser after it is first shown,
#: so that a reload or a change of language does not lose it; then it is gone for good.
LINK_GRACE_SECONDS = 10 * 60


def pending_link(key, reference=None) -> dict | None:
    """A private link waiting in this browser's session to be shown, within its grace time."""
    pending = session.get(key)
    if not pending or (reference is not None and pending.get("reference") != reference):
        return None
    now = clock.now_utc().timestamp()
    first_shown = pending.setdefault("shown_at", now)
    if now - first_shown > LINK_GRACE_SECONDS:
        session.pop(key)
        return None
    session[key] = pending
    return pending


def pop_receipt_link(reference) -> dict | None:
    """The edit link to show on the receipt of ``reference`` (for a few minutes only)."""
    return pending_link(RECEIPT_LINK, reference)


def save_draft_and_continue(consultation, form, *, draft=None, token=None):
    """Save the form as a draft, then show its private link (new drafts: that once only)."""
    if not consultation.is_open:
        return refused(consultation, form)
    if not csrf_ok(form):
        return form_again(
            consultation,
            form,
            {"_csrf": csrf_message()},
            mode="draft" if draft else "new",
            draft=draft,
            draft_token=token,
            attached=draft_file_names(draft) if draft else None,
        )
    folder = current_app.config["UPLOAD_FOLDER"]
    found = kept_for_form(consultation, form, request.form, folder)
    try:
        draft, new_token, problems = save_draft(
            consultation,
            form,
            request.form,
            draft=draft,
            language=current_locale(),
            upload_folder=folder,
            kept=found.files,
        )
    except ConsultationNotOpen:
        db.session.rollback()
        return refused(consultation, form)
    attached = draft.data["files"]
    lost = found.lost.items()
    problems.update((key, lost_message(name)) for key, name in lost if key not in attached)
    release_kept_files(consultation, form.submission_token.data, folder)
    db.session.commit()
    session[DRAFT_SAVED] = {"token": new_token or token, "problems": list(problems.values())}
    return redirect(url_for("drafts.saved"), code=303)


def in_new_language(page):
    """The questionnaire shown again, as sent, in the language just chosen (remembered)."""
    return remember_language(private(page), switching_language())
