"""Forms of the questionnaire editor: a fresh class per question type and languages shown,
built from the type's own setting names (``editor_settings``), never from a list of types.

The forms check only what a browser cannot say by itself (a number that is no number,
a text missing in a language offered); everything else is the loader's to say, and its
message is put back at the field concerned (``place``).
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Form

from ..questionnaires.loader import PROFILE_FIELDS
from ..questionnaires.options import _GENERATORS
from ..questionnaires.types import QUESTION_TYPES
from ..questionnaires.types.file_upload import CONTENT_CHECKS
from .editor_options import Condition, KeyedList
from .editor_settings import (
    UNSET,
    Choice,
    Decimal,
    Flag,
    Setting,
    Several,
    Text,
    Whole,
    short,
)

_GENERATED = [("", "—")] + [(name, name) for name in _GENERATORS]
_PROFILES = [("", "—")] + [(name, name) for name in PROFILE_FIELDS]
_EXTENSIONS = [(ext, ext) for ext in CONTENT_CHECKS]
_WIDGETS = [("radio", _l("Buttons")), ("select", _l("Drop-down list"))]


def catalogue(option_flags=()) -> dict:
    """Every setting the editor knows, by the loader's name (a fresh set per type, since
    the flags an option may carry depend on the type)."""
    settings = [
        Text("text", _l("Question text")),
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


class EditorForm(Form):
    """What the question and section forms share: the settings shown and their languages."""

    settings: list[Setting] = []
    codes: list[str] = ["en"]
    offered: list[str] = ["en"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.general: list[str] = []  # problems that belong to no field of this form
        #: Problems caused by the question's type (a condition elsewhere is on it), shown at
        #: the list of types it may change to.
        self.type_errors: list[str] = []
        self.focus = None  # the id of the field to focus when shown again (a row moved)
        self.left_out: list[str] = []  # settings a change of type did not keep
        self.changed_type = False  # shown as another type than the one saved

    def typed(self) -> dict:
        """The settings typed, as the loader takes them, unchecked (to show them again)."""
        spec = {}
        for setting in self.settings:
            value = setting.read(self)
            if value is not UNSET:
                spec[setting.name] = value
        return spec

    def values(self) -> dict | None:
        """The settings typed, as the loader takes them; ``None`` when a field has a problem
        (a translation missing in a language offered, a number that is none)."""
        spec = self.typed()
        complete = all([setting.check(self, self.offered) for setting in self.settings])
        return spec if complete and not self.field_errors() else None

    def field_errors(self) -> list:
        return [field for field in self._all_fields() if field.errors]

    def _all_fields(self):
        for field in self:
            if field.type == "FieldList":
                for entry in field:
                    yield from entry.form
            else:
                yield field

    def place(self, error, message=None) -> None:
        """Show a loader error (``QuestionnaireError``) at the field it names, by its
        setting, row and part (or above the form when it names none of this form's);
        ``message``: other words to show than the error's own."""
        message = str(message or error.problem)
        setting = self.setting(error.setting) if error.setting else None
        if setting is None:
            self.general.append(message)
            return
        field = setting.target(self, error)
        field.errors = [*field.errors, message]

    def place_consequence(self, error, has_types: bool) -> None:
        """Show at this question's own field an error the loader found in another question
        whose condition is on this one (``error.about``): this question's new type cannot be
        a condition, its key changed, or the options that condition uses are gone."""
        other = error.question
        if error.part == "type" and has_types:
            self.type_errors.append(
                _(
                    "Question “%(key)s” is asked only after some answers to this question, so "
                    "this one must stay a question of one or several choices: keep its type, "
                    "or first change the condition of “%(key)s”.",
                    key=other,
                )
            )
            return
        if error.part == "in":
            message = _(
                "Question “%(key)s” is asked only after answers to this question that it "
                "would no longer have: keep those options, or first change the condition of "
                "“%(key)s”.",
                key=other,
            )
            target = "options" if self.setting("options") else None
        else:
            message = _(
                "Question “%(key)s” is asked only after some answers to this question, by its "
                "key and place: keep the key, or first change the condition of “%(key)s”.",
                key=other,
            )
            target = "key"
        if target is None:
            self.general.append(message)
        else:
            field = self.setting(target).target(self, None)
            field.errors = [*field.errors, message]

    def problems(self) -> list[tuple[str, str]]:
        """(field id, message) for the error summary at the top of the page; a field's
        message is said after its name, and its language for a text."""
        found = [("editor-form", message) for message in self.general]
        found += [
            ("new_type", _("%(field)s: %(problem)s", field=_("Change the type to"), problem=m))
            for m in self.type_errors
        ]
        named = [pair for setting in self.settings for pair in setting.labelled(self)]
        seen = {id(field) for field, _label in named}
        named += [
            (field, field.label.text) for field in self._all_fields() if id(field) not in seen
        ]
        for field, label in named:
            found.extend(
                (field.id, _("%(field)s: %(problem)s", field=label, problem=message))
                for message in field.errors
            )
        return found

    def redisplay(self, action) -> bool:
        """Do a button that changes the form only (more rows, a row moved, the options of a
        condition's question shown); whether ``action`` was one."""
        return any([setting.act(self, action) for setting in self.settings])

    def offer_conditions(self, questions, options_of) -> None:
        """The earlier questions a condition can be on, and the options of the one picked."""
        for setting in self.settings:
            if isinstance(setting, Condition):
                setting.offer(self, questions, options_of)

    def setting(self, name):
        return next((s for s in self.settings if s.name == name), None)

    def keyed_lists(self):
        return [s for s in self.settings if isinstance(s, KeyedList)]


def question_settings(kind: str) -> list[Setting]:
    """The settings of a question type, in the order the form shows them."""
    cls = QUESTION_TYPES[kind]
    known = catalogue(getattr(cls, "option_flags", ()))
    names = [name for name in cls.COMMON_KEYS if name not in ("key", "type")]
    if not cls.profile_capable:
        names.remove("profile")
    names += [name for name in cls.extra_keys if name not in names]
    order = list(known)
    names.sort(key=order.index)
    key = Setting("key", _l("Key (letters, digits and underscores; used in exports)"))
    return [key, *(known[name] for name in names)]


def question_form_class(kind: str, codes, offered):
    """A form for a question of ``kind`` with texts in ``codes`` (those ``offered`` must be
    complete)."""
    settings = question_settings(kind)
    fields = {}
    for setting in settings:
        fields.update(setting.fields(codes))
    return type(
        f"{kind.title()}QuestionForm",
        (EditorForm,),
        {
            **fields,
            "kind": kind,
            "settings": settings,
            "codes": list(codes),
            "offered": list(offered),
        },
    )


def section_form_class(codes, offered):
    """A form for a section's key, title and introduction."""
    key = Setting("key", _l("Key (letters, digits, dashes and underscores)"))
    settings = [key, *SECTION_SETTINGS]
    fields = {}
    for setting in settings:
        fields.update(setting.fields(codes))
    return type(
        "SectionForm",
        (EditorForm,),
        {**fields, "settings": settings, "codes": list(codes), "offered": list(offered)},
    )


def load(form_class, spec: dict, **kwargs):
    """A form showing ``spec`` (a definition's section or question)."""
    data = {}
    for setting in form_class.settings:
        data.update(setting.load(spec.get(setting.name, UNSET), form_class.codes))
    return form_class(data=data, **kwargs)


def type_choices(kinds=None):
    """The question types (loader name, name in words), in the registry's order."""
    return [
        (kind, cls.type_name)
        for kind, cls in QUESTION_TYPES.items()
        if kind in (kinds or QUESTION_TYPES)
    ]


def type_changes(kind: str) -> list[str]:
    """The types a question of ``kind`` can become and still say what it says: itself, and
    those sharing a setting of its own (options, a length limit)."""
    own = set(QUESTION_TYPES[kind].extra_keys)
    others = [k for k, cls in QUESTION_TYPES.items() if k != kind and own & set(cls.extra_keys)]
    return [kind, *others]


def left_out(form, form_class) -> list[str]:
    """The settings filled in ``form`` that ``form_class`` (another type's) has not."""
    kept = {setting.name for setting in form_class.settings}
    spec = form.typed()
    return [short(s.label) for s in form.settings if s.name in spec and s.name not in kept]
