"""Shared behaviour of the question types that offer a list of options.

An option may ask "please specify" (``other: true`` in YAML): a short text box
goes with it, required when the option is chosen. The text is kept on the
option's own answer row (``text_value``), so the option is counted as any other
and the text can be exported and quoted.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...i18n import current_locale, number
from ..options import generated_options, sort_key
from ..text import tr
from .base import (
    AnswerError,
    DefinitionProblem,
    Question,
    chosen,
    clean_text,
    other_text,
    parse_options,
)

#: The longest text accepted for an "Other" option: a few words, not an essay.
OTHER_MAX_LENGTH = 200


class ChoiceQuestion(Question):
    """A question whose answer is one or more keys of its ``options``."""

    extra_keys = ("options", "options_from")
    #: The yes/no settings an option of this type may carry.
    option_flags: tuple[str, ...] = ()

    @classmethod
    def normalise_extra(cls, spec):
        if "options_from" in spec:
            if "options" in spec:
                raise DefinitionProblem(
                    _l("Give either options of your own or a list of options, not both."),
                    "options_from",
                )
            name = spec["options_from"]
            try:
                generated_options(name)
            except KeyError:
                raise DefinitionProblem(
                    _l("There is no list of options called “%(name)s”.", name=name),
                    "options_from",
                ) from None
            return {"options_from": name}
        options = parse_options(spec, flags=cls.option_flags)
        others = [n for n, option in enumerate(options, 1) if option.get("other")]
        if len(others) > 1:
            keys = ", ".join(options[n - 1]["key"] for n in others)
            raise DefinitionProblem(
                _l(
                    "Only one option can be “Other” (asking to specify), not %(keys)s: untick "
                    "all but one.",
                    keys=keys,
                ),
                "options",
                row=others[-1],
                part="other",
            )
        return {"options": options}

    def __init__(self, spec):
        super().__init__(spec)
        if "options_from" in spec:
            self.options = generated_options(spec["options_from"])
        else:
            self.options = spec["options"]
        self.option_keys = [option["key"] for option in self.options]
        self._labels = {option["key"]: option["label"] for option in self.options}
        self.other_key = next((o["key"] for o in self.options if o.get("other")), None)

    def option_label(self, key, locale=None) -> str:
        return tr(self._labels.get(key, key), locale)

    def choices(self, locale=None):
        choices = [(key, self.option_label(key, locale)) for key in self.option_keys]
        if "options_from" in self.spec:
            # A generated list (languages) has no meaningful order but the alphabet of its reader.
            choices.sort(key=lambda choice: sort_key(choice[1]))
        return choices

    # -- "Other, please specify" ---------------------------------------------------------
    def other_label(self, locale=None) -> str:
        return self.option_label(self.other_key, locale) if self.other_key else ""

    def other_box_label(self, locale=None) -> str:
        """The label of the text box that goes with the "Other" option."""
        return _("“%(option)s”: please specify", option=self.other_label(locale))

    def other_hint(self, locale=None) -> str:
        return _(
            "Needed only if you choose “%(option)s”. Up to %(num)s characters.",
            option=self.other_label(locale),
            num=number(OTHER_MAX_LENGTH, locale),
        )

    def other_column(self):
        if self.other_key is None:
            return None
        # In English, as the other column labels of the export (whoever's request made it).
        return f"{self.key}:{self.other_key}:text", f"{self.label()} – {self.other_label()}: text"

    def clean(self, field):
        if self.other_key is None:
            return super().clean(field)
        text = clean_text(field.other_text)
        picked = self.raw(field)
        if text and self.other_key not in (picked if isinstance(picked, list) else [picked]):
            # Never drop what was typed: the form comes back with the text, and says why.
            raise AnswerError(
                _(
                    "You filled in the box for “%(option)s” but did not choose “%(option)s”. "
                    "Choose it, or empty the box.",
                    option=self.other_label(current_locale()),
                )
            )
        return self.with_other(super().clean(field), text)

    def with_other(self, value, text: str):
        """``value`` with the text written for "Other"; a chosen "Other" needs one."""
        if value is None or self.other_key is None:
            return value
        if self.other_key not in (value if isinstance(value, list) else [value]):
            return value
        if not text:
            raise AnswerError(
                _(
                    "You chose “%(option)s”: please specify it in the box that goes with it.",
                    option=self.other_label(current_locale()),
                )
            )
        if len(text) > OTHER_MAX_LENGTH:
            raise AnswerError(
                _(
                    "Use at most %(max)s characters in the box for “%(option)s” "
                    "(you used %(used)s).",
                    max=number(OTHER_MAX_LENGTH),
                    used=number(len(text)),
                    option=self.other_label(current_locale()),
                )
            )
        return {"chosen": value, "other": text}

    def typed(self, field):
        text = getattr(field, "other_text", "")
        if text and text.strip():
            return {"chosen": field.data, "other": text.strip()}
        return field.data

    def answer_lines(self, value, locale=None) -> list[str]:
        """The chosen options in words; "Other" with what was written for it."""
        keys = chosen(value)
        keys = keys if isinstance(keys, list) else [keys]
        text = other_text(value)
        lines = []
        for key in keys:
            if key in (None, ""):
                continue
            label = self.option_label(str(key), locale)
            if text and key == self.other_key:
                label = _("%(option)s: %(text)s", option=label, text=text)
            lines.append(label)
        if text and self.other_key not in keys:  # typed, not chosen: shown as typed
            lines.append(_("%(option)s: %(text)s", option=self.other_label(locale), text=text))
        return lines

    def display(self, value, locale=None):
        return self.answer_lines(value, locale) if value else []

    def display_typed(self, raw, locale=None):
        return self.answer_lines(raw, locale)

    def _wrap(self, value, text):
        return {"chosen": value, "other": text} if text else value

    # -- a profile column (respondent type): the key in the column, the text in a row ----
    def column_value(self, value):
        return chosen(value)

    def profile_rows(self, value):
        return [row for row in self.to_rows(value) if row.text_value]

    def from_profile(self, column, rows):
        text = next(
            (row.text_value for row in rows if row.option_key == column and row.text_value), None
        )
        return self._wrap(column, text)
