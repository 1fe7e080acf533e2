"""A form class built per questionnaire, and validation that applies the conditions.

Fields are named ``q_<key>`` so a question key can never shadow a form attribute.
The browser's show/hide of conditional questions is a convenience: the server
decides which questions apply from the answers it accepted, in order.
"""

from functools import lru_cache

from babel import support
from flask import request
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField
from wtforms.i18n import messages_path

from .form_token import FIELD, form_token_ok
from .types import AnswerError

FIELD_PREFIX = "q_"
#: The tick box "Send me a copy by e-mail" (``responses.confirmation``): not an answer.
SEND_COPY = "send_copy"


def field_name(question) -> str:
    return FIELD_PREFIX + question.key


@lru_cache(maxsize=32)
def _wtforms_catalogue(locale: str):
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _WTFormsMessages:
    """WTForms' own messages in the reader's language, as flask_wtf gives them, but with
    each language's catalogue read once per process (flask_wtf reads and parses the file
    again in every request that builds a form)."""

    def gettext(self, string):
        locale = get_locale()
        return string if locale is None else _wtforms_catalogue(str(locale)).ugettext(string)

    def ngettext(self, singular, plural, n):
        locale = get_locale()
        if locale is None:
            return singular if n == 1 else plural
        return _wtforms_catalogue(str(locale)).ungettext(singular, plural, n)


_MESSAGES = _WTFormsMessages()


class _Meta:
    # Not the session's CSRF token, which ends with the session: the form's own (form_token).
    csrf = False

    def get_translations(self, form):
        return _MESSAGES


@lru_cache(maxsize=64)
def _form_class(questionnaire):
    attributes = {field_name(q): q.field() for q in questionnaire}
    attributes["submission_token"] = HiddenField()
    attributes[SEND_COPY] = BooleanField()
    attributes["Meta"] = _Meta
    return type("QuestionnaireForm", (FlaskForm,), attributes)


def build_form(questionnaire, values: dict | None = None, **kwargs):
    """A bound form for ``questionnaire``; ``values`` fills it (e.g. to edit), else the request."""
    form_class = _form_class(questionnaire)
    if values is not None:
        data = {field_name(q): q.form_data(values.get(q.key)) for q in questionnaire}
        form = form_class(formdata=None, data=data, **kwargs)
    else:
        form = form_class(**kwargs)
    form.questionnaire = questionnaire
    return form


def preselect_language(form, questionnaire, locale: str) -> None:
    """Start the "language of your contribution" question at the interface language.

    Only a default for a blank form: the person can choose another language.
    """
    question = questionnaire.profile_questions().get("language")
    if question is None:
        return
    field = field_for(form, question)
    if not field.data and locale in getattr(question, "option_keys", ()):
        field.data = locale


def field_for(form, question):
    return form[field_name(question)]


def validate_answers(form, questionnaire) -> tuple[dict, dict]:
    """Accepted values of the visible questions, and errors keyed by question key.

    Hidden questions are neither required nor stored, whatever the request holds.
    """
    values, errors = {}, {}
    for question in questionnaire:
        field = field_for(form, question)
        field.errors = []
        if not question.visible(values):
            continue
        try:
            value = question.clean(field)
        except AnswerError as error:
            field.errors = [str(error)]
            errors[question.key] = str(error)
            continue
        if value is not None:
            values[question.key] = value
    return values, errors


def csrf_ok(form) -> bool:
    """Whether the request carries a valid token for this form (``form_token``)."""
    return form_token_ok(request.form.get(FIELD), form.submission_token.data)
