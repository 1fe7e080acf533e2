"""Forms of the admin area's consultations: settings (texts per language offered),
a YAML upload, and archiving. Each settings form is a fresh class for its languages."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..admin.forms import ConfirmForm, DateInRangeField
from ..i18n import LANGUAGES
from ..questionnaires.loader import QUESTIONNAIRE_LANGUAGES, is_email
from ..questionnaires.text import lookup
from .operations import TEXT_SETTINGS

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: The longest text each setting takes (the title is also a column of 255 characters).
TEXT_LIMITS = {
    "title": 255,
    "summary": 2000,
    "about": 20000,
    "issuing_body": 255,
    "privacy_notice": 10000,
}
#: Settings written on one line.
ONE_LINE = {"title", "issuing_body"}
LABELS = {
    "title": _l("Title"),
    "summary": _l("Summary (shown in the list of consultations)"),
    "about": _l("What it is about (optional; the summary is shown if empty)"),
    "issuing_body": _l("Issuing body (optional; the site’s is shown if empty)"),
    "privacy_notice": _l("Privacy notice"),
}


MISSING_TRANSLATION = _l("Enter this text in this language too, or stop offering the language.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def language_name(code: str) -> str:
    """A language by its own name and code: "Français (fr)"."""
    return f"{LANGUAGES.get(code, code)} ({code})"


def text_field_name(setting: str, code: str) -> str:
    return f"{setting}_{code}"


def offered_codes(values) -> list[str]:
    """The languages asked for, known ones only, in the loader's order, English first."""
    asked = set(values or ()) | {"en"}
    return ["en"] + [code for code in QUESTIONNAIRE_LANGUAGES if code in asked and code != "en"]


class SettingsForm(FlaskForm):
    """The settings of a consultation; text fields are added per language offered."""

    contact = StringField(
        _l("Contact e-mail address (optional; the site’s is shown if empty)"),
        validators=[Optional(), Length(max=254)],
    )
    languages = MultiCheckboxField(
        _l("Languages offered"),
        choices=[(code, language_name(code)) for code in QUESTIONNAIRE_LANGUAGES],
    )
    opens = DateInRangeField(
        _l("Opening date (opens at midnight at the start of this day, Brussels time)"),
        validators=[InputRequired(_l("Enter a date such as 2025-06-04."))],
        format="%Y-%m-%d",
    )
    closes = DateInRangeField(
        _l("Closing date (closes at midnight at the end of this day, Brussels time)"),
        validators=[InputRequired(_l("Enter a date such as 2025-06-04."))],
        format="%Y-%m-%d",
    )

    codes: list[str] = ["en"]

    def validate_contact(self, field):
        if field.data and not is_email(field.data.strip()):
            raise ValidationError(_l("Enter an e-mail address such as consultations@example.eu."))

    def validate_languages(self, field):
        field.data = offered_codes(field.data)

    def text_fields(self, code):
        """The text fields of one language, in the order of ``TEXT_SETTINGS``."""
        return [(name, self[text_field_name(name, code)]) for name in TEXT_SETTINGS]

    def check_translations(self) -> bool:
        """Each text given in English exists in every language offered: typed here, or in the
        questionnaire catalogue for that English text. Else the empty field says so."""
        complete = True
        for name in TEXT_SETTINGS:
            english = (self[text_field_name(name, "en")].data or "").strip()
            if not english:
                continue
            for code in self.codes[1:]:
                field = self[text_field_name(name, code)]
                if not (field.data or "").strip() and not lookup(english, code):
                    field.errors = [*field.errors, str(MISSING_TRANSLATION)]
                    complete = False
        return complete

    def settings(self) -> dict:
        """The typed settings, as the operations take them."""
        texts = {
            name: {code: _plain_text(self[text_field_name(name, code)].data) for code in self.codes}
            for name in TEXT_SETTINGS
        }
        return {
            "slug": (self.slug.data or "").strip() if "slug" in self else None,
            **texts,
            "contact": (self.contact.data or "").strip(),
            "languages": offered_codes(self.languages.data),
            "opens": self.opens.data,
            "closes": self.closes.data,
        }


def _plain_text(value) -> str:
    """A typed text with the line breaks of the YAML files: browsers send a textarea's as CRLF,
    and a blank line (two line feeds) is what starts a paragraph on the pages."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def settings_form_class(codes, *, with_slug: bool, sources=None):
    """A settings form for the languages ``codes`` (English first), with a slug field for a
    new consultation, and a choice of the questionnaire to copy (``sources``: slug, title)."""

    class Form(SettingsForm):
        pass

    Form.codes = list(codes)
    if with_slug:
        Form.slug = StringField(
            _l("Web address (/consultations/…)"),
            validators=[Length(max=100)],
        )
        Form.validate_slug = _validate_slug
    if sources is not None:
        Form.source = SelectField(
            _l("Questionnaire: copy the sections and questions of"),
            choices=list(sources),
            validate_choice=True,
        )
    for code in codes:
        for name in TEXT_SETTINGS:
            required = code == "en" and name in ("title", "summary", "privacy_notice")
            checks = [Length(max=TEXT_LIMITS[name])]
            checks.insert(0, DataRequired(_l("Enter this text.")) if required else Optional())
            field_class = StringField if name in ONE_LINE else TextAreaField
            setattr(Form, text_field_name(name, code), field_class(LABELS[name], validators=checks))
    return Form


def _validate_slug(form, field):
    field.data = (field.data or "").strip()
    if not SLUG_RE.match(field.data):
        raise ValidationError(
            _l("Use lower-case letters, digits and dashes only, e.g. digital-skills-2027.")
        )


class ImportForm(FlaskForm):
    """A questionnaire file to upload."""

    file = FileField(
        _l("Questionnaire file (YAML)"),
        validators=[FileRequired(_l("Choose a YAML file."))],
    )
    #: Offered once a change was refused: begin a new questionnaire version instead.
    new_version = BooleanField(
        _l(
            "Make a new questionnaire version: the questions changed or removed keep their "
            "answers, reported under their own question as from the earlier version"
        )
    )


class ArchiveForm(ConfirmForm):
    pass


class RestoreForm(ConfirmForm):
    pass


class PublishForm(ConfirmForm):
    pass
