"""Forms of the questionnaire editor: a fresh class per question type and languages shown,
built from the type's own setting names (``editor_settings``), never from a list of types.

The forms check only what a browser cannot say by itself (a number that is no number,
a text missing in a language offered); everything else is the loader's to say, and its
message is put back at the field concerned (``place``).
"""

import re

from flask_babel import lazy_gettext as _l
from wtforms import Form

from ..questionnaires.types import QUESTION_TYPES
from .editor_settings import SECTION_SETTINGS, UNSET, KeyedList, Setting, catalogue

#: Words of a loader message that name a setting without quoting it.
_WORDS = (("option", "options"), ("profile", "profile"), ("key", "key"), ("show_if", "show_if"))
_QUOTED = re.compile(r"'([a-z_]+)'")


class EditorForm(Form):
    """What the question and section forms share: the settings shown and their languages."""

    settings: list[Setting] = []
    codes: list[str] = ["en"]
    offered: list[str] = ["en"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.general: list[str] = []  # problems that belong to no field of this form

    def values(self) -> dict | None:
        """The settings typed, as the loader takes them; ``None`` when a field has a problem
        (a translation missing in a language offered, a number that is none)."""
        spec = {}
        for setting in self.settings:
            value = setting.read(self)
            if value is not UNSET:
                spec[setting.name] = value
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

    def place(self, message: str) -> None:
        """Show a loader message at the field it is about (or above the form)."""
        setting = self._setting_of(message)
        if setting is None:
            self.general.append(message)
            return
        field = setting.target(self, message)
        field.errors = [*field.errors, message]

    def _setting_of(self, message):
        names = {setting.name: setting for setting in self.settings}
        first = message.split(" ", 1)[0]
        if isinstance(names.get(first), KeyedList):  # "options #2 has no 'key'"
            return names[first]
        for name in _QUOTED.findall(message):
            if name in names and name != "key":
                return names[name]
        for word, name in _WORDS:
            if word in message and name in names:
                return names[name]
        return None

    def problems(self) -> list[tuple[str, str]]:
        """(field id, message) for the error summary at the top of the page."""
        found = [("editor-form", message) for message in self.general]
        for field in self._all_fields():
            found.extend((field.id, message) for message in field.errors)
        return found

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
        {**fields, "settings": settings, "codes": list(codes), "offered": list(offered)},
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


def type_choices():
    """The question types (loader name, name in words), in the registry's order."""
    return [(kind, cls.type_name) for kind, cls in QUESTION_TYPES.items()]
