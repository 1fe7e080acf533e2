"""An admin's preview of a questionnaire as a respondent sees it, in each language it offers.

It is the public form itself: the same form class, question types, validation and
template (``public/respond.html`` in its "preview" mode), whatever the consultation's
state. A posted preview is checked as a contribution would be, then shown again with
the same messages; nothing is stored: no response, no draft, no file kept, no e-mail.
So this view calls no operation and never commits.
"""

from flask import abort, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from ..admin.views import bp
from ..consultations.queries import consultation_by_slug
from ..extensions import csrf
from ..i18n import SWITCH_FIELD, offered_languages, switching_language
from ..questionnaires.forms import build_form, csrf_ok, preselect_language, validate_answers
from ..responses.confirmation import check_copy_request
from ..responses.operations import new_submission_token
from ..responses.pages import csrf_message, private, render_form
from .views import admins_only

#: What a posted preview was for: checking the answers, or one of the other buttons.
CHECKED, DRAFT, SWITCHED = "checked", "draft", "switched"


def preview_languages(consultation) -> dict:
    """The languages a respondent may read the questionnaire in (code → own name)."""
    offered = offered_languages()
    return {code: offered[code] for code in consultation.questionnaire.languages(list(offered))}


@bp.route("/consultations/<slug>/preview/<lang>", methods=["GET", "POST"])
@csrf.exempt  # checked as the public form checks it (its own token), to show the same message
@admins_only
def preview_questionnaire(slug, lang):
    """The questionnaire as a respondent sees it in ``lang``; a POST checks, stores nothing."""
    consultation = consultation_by_slug(slug) or abort(404)
    languages = preview_languages(consultation)
    if request.method == "POST" and switching_language() in languages:
        lang = switching_language()  # the page's own language list: shown again, as typed
    if lang not in languages:
        abort(404)
    with force_locale(lang):
        return _preview(consultation, lang, languages)


def _preview(consultation, lang, languages):
    questionnaire = consultation.questionnaire
    form = build_form(questionnaire)
    errors, outcome, status = {}, None, 200
    if request.method == "GET":
        form.submission_token.data = new_submission_token()
        preselect_language(form, questionnaire, lang)
    elif request.form.get(SWITCH_FIELD):
        outcome = SWITCHED
    elif request.form.get("action") == "save_draft":
        outcome = DRAFT
    else:
        values, errors = validate_answers(form, questionnaire)
        errors = check_copy_request(form, questionnaire, values, errors)
        if not csrf_ok(form):
            errors = {"_csrf": csrf_message(), **errors}
        outcome, status = (None, 400) if errors else (CHECKED, 200)
    page = render_form(
        consultation,
        form,
        errors,
        mode="preview",
        languages=languages,
        preview_outcome=outcome,
        preview_action=url_for(".preview_questionnaire", slug=consultation.slug, lang=lang),
        preview_url=lambda code: url_for(
            ".preview_questionnaire", slug=consultation.slug, lang=code
        ),
        preview_state=_state_words(consultation),
    )
    return private(page, status)


def _state_words(consultation) -> str:
    """The consultation's real state, said in the preview's banner."""
    if consultation.archived_at is not None:
        return _("This consultation is archived: respondents cannot answer it.")
    state = consultation.state.value
    if state == "upcoming":
        return _("This consultation is upcoming: respondents cannot answer it yet.")
    if state == "closed":
        return _("This consultation is closed: respondents can no longer answer it.")
    return _("This consultation is open: respondents answer it at its public address.")
