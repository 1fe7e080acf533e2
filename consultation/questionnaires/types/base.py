"""What every question type shares: its definition, conditions and the answer contract.

A question type is one class that knows its definition keys, its form field, how
to clean a submitted value, how the value is stored as rows SQL can count, and how
it is shown back to the person.
"""

import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..text import is_text, tr


class DefinitionProblem(Exception):
    """A question's definition is malformed; the message says what is wrong, in words an
    administrator understands (translated when shown); ``setting`` (the loader's name),
    ``row`` (from 1, in a list of options) and ``part`` (of that row or setting: "key",
    "label", a flag; "question" or "in" of a condition) say where, for the editor to show
    it at that field."""

    def __init__(self, message, setting=None, *, row=None, part=None):
        super().__init__(message)
        self.message = message
        self.setting = setting
        self.row = row
        self.part = part

    def __str__(self):
        return str(self.message)


#: The lists of keyed rows a question may have, by the names the editor shows them with.
LIST_NAMES = {"options": _l("Options"), "rows": _l("Rows"), "scale": _l("Scale")}


class AnswerError(Exception):
    """A submitted answer is not acceptable; the message is shown to the person."""


@dataclass
class StoredAnswer:
    """One row of the ``answers`` table, before it is tied to a response."""

    option_key: str | None = None
    row_key: str | None = None
    rank: int | None = None
    text_value: str | None = None
    number_value: float | None = None


#: Characters a person can legitimately type in a text box besides printable ones.
_ALLOWED_CONTROLS = {"\n", "\r", "\t"}


def clean_text(value: str | None) -> str:
    """Normalise line endings and Unicode form, refuse control characters."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    for char in value:
        if char not in _ALLOWED_CONTROLS and unicodedata.category(char) in ("Cc", "Cs", "Co"):
            raise AnswerError(_("Remove the invisible control characters from this answer."))
    return unicodedata.normalize("NFC", value)


def parse_options(spec, name="options", *, question=None, flags=()):
    """Check a list of ``{key, label}`` options and return it normalised.

    ``flags``: the yes/no settings an option may carry besides (``exclusive``,
    ``other``); they are kept only when true. Anything else is refused, so a
    misspelt setting is not silently ignored.
    """
    options = spec.get(name)
    words = LIST_NAMES.get(name, name)
    if not isinstance(options, list) or not options:
        raise DefinitionProblem(
            _l(
                "%(list)s: the list is empty. Add at least one row, with a key and a label.",
                list=words,
            ),
            name,
        )
    seen = set()
    result = []
    for position, option in enumerate(options, 1):

        def problem(message, part="key", row=position):
            return DefinitionProblem(message, name, row=row, part=part)

        where = {"list": words, "number": position}
        if not isinstance(option, dict):
            raise problem(_l("%(list)s, row %(number)s: give the row a key and a label.", **where))
        key = option.get("key")
        if not isinstance(key, str) or not key.strip():
            raise problem(
                _l(
                    "%(list)s, row %(number)s has no key: give it a short one, of letters, "
                    "digits and underscores (it names the answer in the exports).",
                    **where,
                )
            )
        if not key.replace("_", "").isalnum():
            # Keys end up in form names and element ids ("q_sectors-energy"), joined by "-".
            raise problem(
                _l(
                    "%(list)s, row %(number)s: the key “%(key)s” may have only letters, digits "
                    "and underscores (no spaces or dashes).",
                    key=key,
                    **where,
                )
            )
        if key in seen:
            raise problem(
                _l(
                    "%(list)s, row %(number)s: the key “%(key)s” is already used by another "
                    "row. Give each row its own key.",
                    key=key,
                    **where,
                )
            )
        if not is_text(option.get("label")):
            raise problem(
                _l(
                    "%(list)s, row %(number)s (“%(key)s”) has no label: write the words "
                    "people will see.",
                    key=key,
                    **where,
                ),
                "label",
            )
        unknown = set(option) - {"key", "label", *flags}
        if unknown:
            raise problem(
                _l(
                    "%(list)s, row %(number)s (“%(key)s”) has settings this type of question "
                    "does not know: %(names)s. Remove them.",
                    key=key,
                    names=", ".join(sorted(unknown)),
                    **where,
                )
            )
        seen.add(key)
        entry = {"key": key, "label": option["label"]}
        for flag in flags:
            if not isinstance(option.get(flag, False), bool):
                raise problem(
                    _l(
                        "%(list)s, row %(number)s (“%(key)s”): “%(flag)s” must be true or false.",
                        key=key,
                        flag=flag,
                        **where,
                    ),
                    flag,
                )
            if option.get(flag):
                entry[flag] = True
        result.append(entry)
    return result


def chosen(value):
    """The option key (or keys) of a choice answer, whether or not it carries an "Other" text.

    A choice answer is its key (single choice) or list of keys (multiple choice);
    when the option that asks "please specify" is chosen, it is
    ``{"chosen": <that>, "other": <the text>}``: plain data, so it is kept as JSON
    in earlier versions of a response like any other answer.
    """
    return value["chosen"] if isinstance(value, dict) else value


def other_text(value) -> str | None:
    """What was written for the "Other" option of a choice answer, if anything."""
    return value.get("other") if isinstance(value, dict) else None


class Question:
    """Base class of the question types. Subclasses set ``kind`` and ``template``."""

    kind: str = ""
    #: The type in words, as the questionnaire editor offers it.
    type_name = ""
    template: str = ""
    #: Keys this type accepts in YAML besides the common ones.
    extra_keys: tuple[str, ...] = ()
    #: Whether the value may be copied to a column of the response row.
    profile_capable = False
    required_message = _l("Answer this question.")
    #: The option whose choice asks "please specify" (choice questions only).
    other_key: str | None = None

    COMMON_KEYS = ("key", "type", "text", "hint", "required", "show_if", "profile")

    def __init__(self, spec: dict):
        self.spec = spec
        self.key: str = spec["key"]
        self.text = spec["text"]
        self.hint = spec.get("hint")
        self.required: bool = bool(spec.get("required", False))
        self.show_if: dict | None = spec.get("show_if")
        self.profile: str | None = spec.get("profile")
        self.section = None  # set by the questionnaire

    # -- definition ---------------------------------------------------------
    @classmethod
    def normalise(cls, spec: dict) -> dict:
        """Check a YAML mapping for this type and return the normalised definition."""
        unknown = set(spec) - set(cls.COMMON_KEYS) - set(cls.extra_keys)
        if unknown:
            raise DefinitionProblem(
                _l(
                    "This type of question has no setting %(names)s: remove it, or choose "
                    "another type.",
                    names=", ".join(sorted(unknown)),
                )
            )
        if not is_text(spec.get("text")):
            raise DefinitionProblem(_l("Write the question’s text."), "text")
        if "hint" in spec and not is_text(spec["hint"]):
            raise DefinitionProblem(_l("The hint is empty: write it, or remove it."), "hint")
        if not isinstance(spec.get("required", False), bool):
            raise DefinitionProblem(
                _l("Whether an answer is required must be true or false."), "required"
            )
        if spec.get("profile") is not None and not cls.profile_capable:
            raise DefinitionProblem(
                _l(
                    "A question of this type (%(type)s) cannot be kept as one of the "
                    "respondent’s details: choose none.",
                    type=cls.type_name or cls.kind,
                ),
                "profile",
            )
        result = {k: spec[k] for k in cls.COMMON_KEYS if k in spec}
        result.update(cls.normalise_extra(spec))
        return result

    @classmethod
    def normalise_extra(cls, spec: dict) -> dict:
        """Check and return the type's own settings."""
        return {}

    # -- form -----------------------------------------------------------------
    def field(self):
        """An unbound WTForms field that parses the submitted value."""
        raise NotImplementedError

    def raw(self, field):
        """The submitted value as the field parsed it."""
        return field.data

    def is_empty(self, raw) -> bool:
        return raw is None or raw == "" or raw == [] or raw == {}

    def clean(self, field):
        """The accepted value, ``None`` if unanswered, or ``AnswerError``."""
        raw = self.raw(field)
        if self.is_empty(raw):
            if self.required:
                raise AnswerError(self.required_message)
            return None
        return self.clean_value(raw)

    def clean_value(self, raw):
        return raw

    def form_data(self, value):
        """The field data that shows ``value`` again (editing, re-display)."""
        return value

    def typed(self, field):
        """What the person typed into the field, valid or not, for ``display_typed``."""
        return field.data

    # -- conditions -----------------------------------------------------------
    def visible(self, values: dict) -> bool:
        """Whether the question applies, given the answers accepted before it."""
        if not self.show_if:
            return True
        answer = chosen(values.get(self.show_if["question"]))
        wanted = set(self.show_if["in"])
        if isinstance(answer, list):
            return bool(wanted.intersection(answer))
        return answer in wanted

    # -- storage --------------------------------------------------------------
    def to_rows(self, value) -> list[StoredAnswer]:
        return [StoredAnswer(text_value=str(value))]

    def from_rows(self, rows: list) -> object:
        return rows[0].text_value if rows else None

    # A profile question's answer is a column of the response row (``profile:``); these
    # say what goes in the column and which answer rows hold what the column cannot.
    def column_value(self, value):
        """What the response's profile column holds for ``value``."""
        return value

    def profile_rows(self, value) -> list[StoredAnswer]:
        """Answer rows a profile question stores besides its column: none, by default."""
        return []

    def from_profile(self, column, rows: list) -> object:
        """The answer of a profile question, from its column and its answer rows."""
        return column

    def answer_rows(self, value) -> list[StoredAnswer]:
        """The answer rows stored for ``value``, profile question or not."""
        return self.profile_rows(value) if self.profile else self.to_rows(value)

    # -- display --------------------------------------------------------------
    def label(self, locale=None) -> str:
        return tr(self.text, locale)

    def hint_text(self, locale=None) -> str:
        return tr(self.hint, locale)

    def display(self, value, locale=None) -> list[str]:
        """Lines that show the answer to a person (receipt, PDF copy)."""
        if value is None or value == "":
            return []
        return [str(value)]

    def display_typed(self, raw, locale=None) -> list[str]:
        """Lines that show what was typed even when it is not a valid answer (drafts, errors)."""
        if isinstance(raw, dict):
            return [f"{key}: {value}" for key, value in raw.items()]
        if isinstance(raw, list):
            return [str(value) for value in raw]
        return [str(raw)]

    def condition_text(self, questionnaire, locale=None) -> str:
        """A plain sentence saying when the question applies, for pages without JavaScript."""
        if not self.show_if:
            return ""
        other = questionnaire.questions[self.show_if["question"]]
        labels = [
            _("“%(option)s”", option=other.option_label(key, locale)) for key in self.show_if["in"]
        ]
        return _(
            "Answer only if your answer to “%(question)s” is: %(options)s",
            question=other.label(locale),
            options=_(" or ").join(labels),
        )

    def other_column(self) -> tuple[str, str] | None:
        """The export column (header, label) of what was written for "Other", if any."""
        return None

    def attachments(self, value) -> list:
        """Files to keep with the response (only file questions have any)."""
        return []
