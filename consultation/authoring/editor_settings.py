"""The settings a question or section can have in the editor, one small class per kind of
setting (a text in every language, a whole number, a list of options...).

The editor never asks which question type it edits: a type's settings are the loader's
own names (``Question.COMMON_KEYS`` and the type's ``extra_keys``), and each name has
one setting here. A new question type whose settings are known needs nothing new.
"""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField

from ..questionnaires.text import PLURAL_CATEGORIES, lookup
from .forms import MISSING_TRANSLATION, MultiCheckboxField, language_name

#: Left out of the definition: a setting nobody filled in.
UNSET = object()
#: Blank rows offered under a list of options (more with "More rows").
BLANK_ROWS = 2


def short(label) -> str:
    """A label without its explanation (in brackets, or after a colon), as the error summary
    names a field: "Unit (optional): a word..." is "Unit"."""
    return str(label).split(" (", 1)[0].split(": ", 1)[0]


def plain(value) -> str:
    """A typed text with the line breaks of the YAML files (browsers send CRLF)."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


class Setting:
    """One setting of the definition and the form fields that edit it."""

    #: The macro of ``admin/authoring/_editor_fields.html`` that shows it.
    macro = "single"

    def __init__(self, name, label, hint=None):
        self.name = name
        self.label = label
        self.hint = hint

    def fields(self, codes) -> dict:
        """Unbound form fields by name."""
        return {self.name: StringField(self.label)}

    def load(self, value, codes) -> dict:
        """Form data that shows ``value`` (a definition's) in the fields."""
        return {} if value is UNSET else {self.name: "" if value is None else str(value)}

    def read(self, form):
        """The value typed, as the loader takes it, or ``UNSET``; may add field errors."""
        value = plain(form[self.name].data)
        return value if value else UNSET

    def target(self, form, error=None):
        """The field a loader error about this setting is shown at (``error``: its row and
        part, see ``QuestionnaireError``; None: the setting's first field)."""
        return form[self.name]

    def check(self, form, offered) -> bool:
        """Whether every language offered has its text (only texts can miss one)."""
        return True

    def labelled(self, form) -> list:
        """(field, its name in the error summary) for each field of this setting."""
        return [(form[self.name], short(self.label))]

    def act(self, form, action) -> bool:
        """Do a button's ``action`` that changes the form, not the questionnaire (more rows,
        a row moved...); whether it was this setting's."""
        return False


class Text(Setting):
    """A text in each language shown, side by side: a field per language."""

    macro = "texts"

    def __init__(self, name, label, hint=None, multiline=False, plural=False):
        super().__init__(name, label, hint)
        self.multiline = multiline
        self.plural = plural  # a unit may give its plural forms: "one=day; other=days"

    def field_name(self, code):
        return f"{self.name}_{code}"

    def fields(self, codes):
        kind = TextAreaField if self.multiline else StringField
        return {self.field_name(code): kind(language_name(code)) for code in codes}

    def load(self, value, codes):
        if value is UNSET or value is None:
            return {}
        english = value if isinstance(value, str) else value.get("en")
        data = {}
        for code in codes:
            found = value.get(code) if isinstance(value, dict) else None
            if found is None and code == "en":
                found = english
            if found is None and isinstance(english, str) and code != "en":
                found = lookup(english, code)
            data[self.field_name(code)] = _plural_text(found) if isinstance(found, dict) else found
        return data

    def read(self, form):
        texts = {}
        for code in form.codes:
            typed = plain(form[self.field_name(code)].data)
            if typed:
                texts[code] = _plural_forms(typed) if self.plural else typed
        return texts or UNSET

    def target(self, form, error=None):
        code = getattr(error, "part", None)
        return form[self.field_name(code if code in form.codes else "en")]

    def labelled(self, form, label=None):
        label = label or short(self.label)
        return [(form[self.field_name(c)], f"{label} – {language_name(c)}") for c in form.codes]

    def missing(self, form, code) -> bool:
        """Whether the text is given in English but not in ``code`` (typed or catalogued)."""
        english = plain(form[self.field_name("en")].data)
        typed = plain(form[self.field_name(code)].data)
        return bool(english) and not typed and not lookup(english, code)

    def check(self, form, offered):
        complete = True
        for code in offered:
            if code != "en" and self.missing(form, code):
                field = form[self.field_name(code)]
                field.errors = [*field.errors, str(MISSING_TRANSLATION)]
                complete = False
        return complete


def _plural_text(forms: dict) -> str:
    return "; ".join(f"{category}={text}" for category, text in forms.items())


def _plural_forms(typed: str):
    """ "one=day; other=days" as plural forms; any other text as it is."""
    parts = [part.partition("=") for part in typed.split(";")]
    plural = all(sep and key.strip() in PLURAL_CATEGORIES for key, sep, _v in parts)
    if len(parts) < 2 or not plural:
        return typed
    return {key.strip(): value.strip() for key, _sep, value in parts}


class Whole(Setting):
    """A whole number (a limit); left empty, the loader's default applies."""

    def read(self, form):
        typed = plain(form[self.name].data)
        if not typed:
            return UNSET
        try:
            return int(typed)
        except ValueError:
            form[self.name].errors = [*form[self.name].errors, str(_l("Enter a whole number."))]
            return UNSET


class Decimal(Setting):
    """A number bound, whole or decimal."""

    def read(self, form):
        typed = plain(form[self.name].data).replace(",", ".")
        if not typed:
            return UNSET
        try:
            value = float(typed)
        except ValueError:
            value = None
        if value is None or value != value or value in (float("inf"), float("-inf")):
            message = _l("Enter a number, using digits only (for example 25).")
            form[self.name].errors = [*form[self.name].errors, str(message)]
            return UNSET
        return int(value) if value.is_integer() and "." not in typed else value


class Flag(Setting):
    """A yes/no setting: a tick box; ``default`` is what the loader assumes when it is absent."""

    macro = "flag"

    def __init__(self, name, label, hint=None, default=False):
        super().__init__(name, label, hint)
        self.default = default

    def fields(self, codes):
        return {self.name: BooleanField(self.label)}

    def load(self, value, codes):
        return {self.name: self.default if value is UNSET else bool(value)}

    def read(self, form):
        value = bool(form[self.name].data)
        return value if value or self.default else UNSET


class _Listed(Setting):
    """A setting picked from a fixed list of (value, words)."""

    field_class = SelectField

    def __init__(self, name, label, choices, hint=None):
        super().__init__(name, label, hint)
        self.choices = choices

    def fields(self, codes):
        return {
            self.name: self.field_class(self.label, choices=self.choices, validate_choice=False)
        }


class Choice(_Listed):
    """One of a few named values; the first is the loader's default (left out)."""

    macro = "choice"

    def load(self, value, codes):
        return {self.name: self.choices[0][0] if value in (UNSET, None) else value}

    def read(self, form):
        value = form[self.name].data
        return value if value and value != self.choices[0][0] else UNSET


class Several(_Listed):
    """Some of a fixed list, such as the file types accepted."""

    macro = "several"
    field_class = MultiCheckboxField

    def load(self, value, codes):
        return {} if value is UNSET else {self.name: list(value)}

    def read(self, form):
        return list(form[self.name].data or []) or UNSET
