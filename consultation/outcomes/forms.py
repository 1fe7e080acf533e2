"""The admin's outcome form: the decision that followed and the texts in each language."""

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..admin.forms import ConfirmForm, DateInRangeField
from ..i18n import DEFAULT_LOCALE, LANGUAGES

#: The three parts of an outcome, in the order the page shows them.
PARTS = ("we_asked", "you_said", "we_did")
TEXT_LIMIT = 20_000


def _web_address(form, field):
    if not field.data:
        return
    parts = urlsplit(field.data.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_l("Enter a web address starting with https:// (or http://)."))


def _text(label):
    return TextAreaField(label, validators=[Length(max=TEXT_LIMIT)], filters=[_strip])


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class OutcomeForm(FlaskForm):
    """What followed the consultation. English is required; French and German fall back to it."""

    decision_title = StringField(
        _l("Decision or act that followed"),
        validators=[DataRequired(_l("Enter the title of the decision or act.")), Length(max=300)],
        filters=[_strip],
    )
    decision_url = StringField(
        _l("Its web address"), validators=[Optional(), Length(max=500), _web_address]
    )
    decision_date = DateInRangeField(_l("Its date"), validators=[Optional()], format="%Y-%m-%d")
    report_url = StringField(
        _l("Web address of the published summary report (optional)"),
        validators=[Optional(), Length(max=500), _web_address],
    )
    for _language in LANGUAGES:
        for _part in PARTS:
            locals()[f"{_part}_{_language}"] = _text(_part)
    del _language, _part

    def validate_you_said_en(self, field):
        if not field.data:
            raise ValidationError(_l("Write what people said, at least in English."))

    def validate_we_did_en(self, field):
        if not field.data:
            raise ValidationError(_l("Write what was done, at least in English."))

    def texts(self) -> dict[str, dict[str, str]]:
        """The texts typed, by language; a language left blank is not kept."""
        found = {}
        for language in LANGUAGES:
            values = {part: self[f"{part}_{language}"].data or "" for part in PARTS}
            if language == DEFAULT_LOCALE or any(values.values()):
                found[language] = values
        return found


class PublishForm(ConfirmForm):
    """Publishing (or withdrawing) is asked twice, like every change of the admin area."""


class ResultsWhileOpenForm(FlaskForm):
    show = BooleanField()


class UnsubscribeForm(FlaskForm):
    """The button of the unsubscribe page: a link alone changes nothing (mail scanners follow
    links)."""
