"""Pieces shared by the questionnaire, draft and edit views: rendering and the private links."""

from flask import current_app, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..consultations.models import State
from ..extensions import db
from ..formatting import current_locale
from ..i18n import remember_language, switching_language
from ..questionnaires.forms import csrf_ok, field_for
from . import pending
from .confirmation import copy_offered
from .drafts import DraftTooLarge, draft_file_names, save_draft
from .form_map import estimate, progress
from .kept_files import (
    chosen_files,
    keep_files,
    kept_for_form,
    lost_message,
    release_kept_files,
)
from .operations import ConsultationNotOpen, PrivateLinks
from .queries import response_by_submission_token
from .typed import typed_answers


def csrf_message() -> str:
    """Why a questionnaire's token was refused, and what to do: nothing is lost."""
    return _(
        "Please send the form again: it was open for more than %(hours)s hours, or it came "
        "from another browser or without cookies. Your answers are all still here, and so "
        "is any file you chose.",
        hours=current_app.config["QUESTIONNAIRE_TOKEN_HOURS"],
    )


#: Pages that show private links for a few minutes after a POST (see ``pending``).
RECEIPT = "receipt"
DRAFT_SAVED = "draft"


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
        send_copy_offered=copy_offered(mode),
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
    key = (
        consultation.id,
        consultation.definition_digest,
        page["locale"],
        page["send_copy_offered"],
        given,
    )
    markup = _BLANK.get(key)
    if markup is None:
        if len(_BLANK) >= 64:
            _BLANK.clear()
        markup = _BLANK[key] = Markup(render_template("public/_questions.html", **page))
    return markup


#: Each section's heading and its questions' labels, escaped, by (consultation, definition,
#: language): the parts of a receipt's answers that are the same for every contribution.
_OUTLINES: dict = {}
_BREAK = Markup("<br>")


def _outline(consultation, locale) -> list:
    key = (consultation.id, consultation.definition_digest, locale)
    found = _OUTLINES.get(key)
    if found is None:
        if len(_OUTLINES) >= 64:
            _OUTLINES.clear()
        found = _OUTLINES[key] = [
            (
                Markup('<h3>%s</h3>\n<dl class="answers">\n') % section.heading(locale),
                [
                    (question, Markup("<dt>%s</dt>\n<dd>") % question.label(locale))
                    for question in section.questions
                ],
            )
            for section in consultation.questionnaire.sections
        ]
    return found


def answers_markup(consultation, values: dict, locale) -> Markup:
    """Every answer of a contribution under its question, section by section (the receipt).

    Sections without an answer are left out. The headings and labels are written once
    per definition and language; each answer's lines (``Question.display``) are escaped
    here, as the template would.
    """
    parts = []
    for heading, questions in _outline(consultation, locale):
        answered = [(question, start) for question, start in questions if question.key in values]
        if not answered:
            continue
        parts.append(heading)
        for question, start in answered:
            lines = question.display(values[question.key], locale)
            parts += (start, _BREAK.join(escape(line) for line in lines), "</dd>\n")
        parts.append("</dl>\n")
    return Markup("".join(parts))


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


def to_receipt(response, links: PrivateLinks):
    """Hold the new private links for this browser's page, and go to the receipt.

    The receipt's address is its private link; its page shows the edit link for
    ``pending.GRACE`` in this browser only.
    """
    pending.hold(RECEIPT, {"receipt": links.receipt, "edit": links.edit}, response_id=response.id)
    return redirect(url_for("responses.receipt", token=links.receipt), code=303)


def held_links(response) -> dict | None:
    """The private links of ``response`` this browser still holds ("receipt", "edit"), if any."""
    links = pending.held(RECEIPT)
    if links is None or links.get("response_id") != response.id:
        return None
    return links


def link_urls(links: PrivateLinks, *, external=True) -> dict:
    """The addresses of a contribution's private links (receipt, its PDF copy, edit), to mail."""
    return {
        "receipt": url_for("responses.receipt", token=links.receipt, _external=external),
        "copy": url_for("responses.contribution_copy", token=links.receipt, _external=external),
        "edit": url_for("responses.edit", token=links.edit, _external=external),
    }


def existing_receipt(response):
    """A form sent again after it was stored (a resend, a double click, Back then Send).

    This browser, while it holds the links, goes to the receipt. Otherwise the page
    says the contribution was received, and when, under which reference; not its
    answers: a copy of the form page (browser history, a shared computer) is not
    a private link.
    """
    links = held_links(response)
    db.session.commit()  # a held row whose time is up is gone
    if links is not None:
        return redirect(url_for("responses.receipt", token=links["receipt"]), code=303)
    return private(
        render_template(
            "public/already_received.html",
            response=response,
            consultation=response.consultation,
        )
    )


def sent_already(formdata):
    """The response already stored from the form in ``formdata`` (its submission token)."""
    token = formdata.get("submission_token")
    return response_by_submission_token(token[:64]) if token else None


def save_draft_and_continue(consultation, form, *, draft=None, token=None):
    """Save the form as a draft, then show its private link (new drafts: that once only)."""
    if not consultation.is_open:
        return refused(consultation, form)
    if not csrf_ok(form):
        return _draft_not_saved(consultation, form, {"_csrf": csrf_message()}, draft, token)
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
    except DraftTooLarge as refusal:
        db.session.rollback()
        return _draft_not_saved(consultation, form, refusal.problems, draft, token)
    attached = draft.data["files"]
    lost = found.lost.items()
    problems.update((key, lost_message(name)) for key, name in lost if key not in attached)
    release_kept_files(consultation, form.submission_token.data, folder)
    pending.hold(DRAFT_SAVED, {"token": new_token or token}, problems=list(problems.values()))
    db.session.commit()
    return redirect(url_for("drafts.saved"), code=303)


def _draft_not_saved(consultation, form, errors, draft, token):
    """The questionnaire again, as sent (chosen files kept), saying why the draft was not saved."""
    return form_again(
        consultation,
        form,
        errors,
        mode="draft" if draft else "new",
        draft=draft,
        draft_token=token,
        attached=draft_file_names(draft) if draft else None,
    )


def in_new_language(page):
    """The questionnaire shown again, as sent, in the language just chosen (remembered)."""
    return remember_language(private(page), switching_language())
