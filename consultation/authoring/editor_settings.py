"""The settings a question or section can have in the editor, one small class per kind of
setting (a text in every language, a whole number, a list of options...).

The editor never asks which question type it edits: a type's settings are the loader's
own names (``Question.COMMON_KEYS`` and the type's ``extra_keys``), and each name has
one setting here. A new question type whose settings are known needs nothing new.
"""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)

from ..questionnaires.loader import PROFILE_FIELDS
from ..questionnaires.options import _GENERATORS
from ..questionnaires.text import PLURAL_CATEGORIES, lookup
from ..questionnaires.types.file_upload import CONTENT_CHECKS
from .forms import MISSING_TRANSLATION, MultiCheckboxField, language_name

#: Left out of the definition: a setting nobody filled in.
UNSET = object()
#: Blank rows offered under a list of options (more with "More rows").
BLANK_ROWS = 2


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

    def target(self, form, message=""):
        """The field a message about this setting is shown at."""
        return form[self.name]

    def check(self, form, offered) -> bool:
        """Whether every language offered has its text (only texts can miss one)."""
        return True


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

    def target(self, form, message=""):
        for code in form.codes:
            if f" {code} text" in message:
                return form[self.field_name(code)]
        return form[self.field_name("en")]

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


class Choice(Setting):
    """One of a few named values; the first is the loader's default (left out)."""

    macro = "choice"

    def __init__(self, name, label, choices, hint=None):
        super().__init__(name, label, hint)
        self.choices = choices

    def fields(self, codes):
        return {self.name: SelectField(self.label, choices=self.choices, validate_choice=False)}

    def load(self, value, codes):
        return {self.name: self.choices[0][0] if value in (UNSET, None) else value}

    def read(self, form):
        value = form[self.name].data
        return value if value and value != self.choices[0][0] else UNSET


class Several(Setting):
    """Some of a fixed list, such as the file types accepted."""

    macro = "several"

    def __init__(self, name, label, choices, hint=None):
        super().__init__(name, label, hint)
        self.choices = choices

    def fields(self, codes):
        return {self.name: MultiCheckboxField(self.label, choices=self.choices)}

    def load(self, value, codes):
        return {} if value is UNSET else {self.name: list(value)}

    def read(self, form):
        return list(form[self.name].data or []) or UNSET


class KeyedList(Setting):
    """Options (or a matrix's rows or scale): a key, a label in each language, and the
    yes/no settings the type lets an option carry (``exclusive``, ``other``)."""

    macro = "keyed"
    FLAG_LABELS = {
        "exclusive": _l("Exclusive (cannot be chosen with another)"),
        "other": _l("“Other”: asks to specify"),
    }

    def __init__(self, name, label, hint=None, flags=()):
        super().__init__(name, label, hint)
        self.flags = flags
        self.label_setting = Text("label", _l("Label"))

    def entry_class(self, codes):
        class Entry(Form):
            key = StringField(_l("Key"))

        for name, field in self.label_setting.fields(codes).items():
            setattr(Entry, name, field)
        for flag in self.flags:
            setattr(Entry, flag, BooleanField(self.FLAG_LABELS[flag]))
        Entry.codes = list(codes)
        return Entry

    def fields(self, codes):
        return {self.name: FieldList(FormField(self.entry_class(codes)), min_entries=BLANK_ROWS)}

    def load(self, value, codes):
        if value is UNSET:
            return {}
        entries = []
        for option in value:
            entry = {"key": option["key"], **self.label_setting.load(option["label"], codes)}
            entry.update({flag: bool(option.get(flag)) for flag in self.flags})
            entries.append(entry)
        return {self.name: entries}

    def used(self, form):
        """The rows filled in (a row left blank is no option), with their form entries."""
        rows = []
        for entry in form[self.name]:
            sub = entry.form
            if plain(sub.key.data) or any(plain(sub[f"label_{c}"].data) for c in form.codes):
                rows.append(sub)
        return rows

    def read(self, form):
        options = []
        for sub in self.used(form):
            option = {"key": plain(sub.key.data)}
            label = self.label_setting.read(sub)
            if label is not UNSET:
                option["label"] = label
            option.update({flag: True for flag in self.flags if sub[flag].data})
            options.append(option)
        return options or UNSET

    def target(self, form, message=""):
        rows = self.used(form)
        position = _number_after(message, f"{self.name} #")
        if position and position <= len(rows):
            return rows[position - 1].key
        for sub in reversed(rows):  # a key used twice: the second use is the problem
            key = plain(sub.key.data)
            if key and f"'{key}'" in message:
                return sub.label_en if "label" in message else sub.key
        first = rows[0] if rows else form[self.name][0].form
        return first.key

    def check(self, form, offered):
        complete = True
        for sub in self.used(form):
            complete = self.label_setting.check(sub, offered) and complete
        return complete

    def extend(self, form, count=BLANK_ROWS):
        """More blank rows (the "More rows" button: nothing is saved)."""
        for _n in range(count):
            form[self.name].append_entry()


def _number_after(message, prefix):
    head, found, tail = message.partition(prefix)
    digits = "".join(c for c in tail[:6] if c.isdigit()) if found else ""
    return int(digits) if digits else None


class Condition(Setting):
    """Shown only if an earlier choice question has one of some answers (``show_if``):
    a tick box per option of each earlier choice question."""

    macro = "several"

    def __init__(self, name, label, hint=None):
        super().__init__(name, label, hint)

    def fields(self, codes):
        return {self.name: MultiCheckboxField(self.label, choices=[], validate_choice=False)}

    def load(self, value, codes):
        if value in (UNSET, None):
            return {}
        return {self.name: [f"{value['question']}:{option}" for option in value["in"]]}

    def read(self, form):
        picked = [value.partition(":") for value in form[self.name].data or []]
        if not picked:
            return UNSET
        questions = list(dict.fromkeys(question for question, _sep, _o in picked))
        if len(questions) > 1:
            message = _l("Choose answers of one question only.")
            form[self.name].errors = [*form[self.name].errors, str(message)]
            return UNSET
        return {"question": questions[0], "in": [option for _q, _sep, option in picked]}


_GENERATED = [("", "—")] + [(name, name) for name in _GENERATORS]
_PROFILES = [("", "—")] + [(name, name) for name in PROFILE_FIELDS]
_EXTENSIONS = [(ext, ext) for ext in CONTENT_CHECKS]
_WIDGETS = [("radio", _l("Buttons")), ("select", _l("Drop-down list"))]


def catalogue(option_flags=()) -> dict:
    """Every setting the editor knows, by the loader's name (a fresh set per type, since
    the flags an option may carry depend on the type)."""
    settings = [
        Text("text", _l("Question")),
        Text("hint", _l("Hint (optional)"), multiline=True),
        Flag("required", _l("An answer is required")),
        Condition("show_if", _l("Ask only if an earlier answer is one of (optional)")),
        Choice("profile", _l("Also kept as the respondent’s (optional)"), _PROFILES),
        KeyedList("options", _l("Options"), flags=option_flags),
        Choice("options_from", _l("Or the options of a list"), _GENERATED),
        Choice("widget", _l("Shown as"), _WIDGETS),
        Whole("min_choices", _l("At least (choices)")),
        Whole("max_choices", _l("At most (choices)")),
        KeyedList("rows", _l("Rows (statements)")),
        KeyedList("scale", _l("Scale (answers for each row)")),
        Flag("all_rows_required", _l("Every row needs an answer"), default=True),
        Whole("max_length", _l("At most (characters)")),
        Setting("pattern", _l("Format (a regular expression, optional)")),
        Text("pattern_message", _l("Message when the format is not met")),
        Setting("example", _l("Example (optional)")),
        Decimal("min", _l("Smallest number (optional)")),
        Decimal("max", _l("Largest number (optional)")),
        Flag("integer", _l("Whole numbers only"), default=True),
        Text(
            "unit",
            _l("Unit (optional): a word, or its plural forms as one=day; other=days"),
            plural=True,
        ),
        Several("extensions", _l("File types accepted"), _EXTENSIONS),
        Whole("max_size_kb", _l("Largest file (KB)")),
    ]
    return {setting.name: setting for setting in settings}


#: The settings of a section.
SECTION_SETTINGS = (
    Text("title", _l("Section title")),
    Text("intro", _l("Introduction (optional)"), multiline=True),
)
