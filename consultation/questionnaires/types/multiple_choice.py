"""Multiple choice: tick boxes, with at-least and at-most limits.

An option may be ``exclusive`` ("None of these", "I don't know"): it cannot be
chosen together with any other.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import SelectMultipleField

from ...i18n import current_locale
from .base import AnswerError, DefinitionProblem, StoredAnswer, chosen, other_text
from .choices import ChoiceQuestion
from .fields import SelectMultipleWithOther


class MultipleChoiceQuestion(ChoiceQuestion):
    kind = "multiple_choice"
    type_name = _l("Several choices")
    template = "questions/multiple_choice.html"
    extra_keys = ChoiceQuestion.extra_keys + ("min_choices", "max_choices")
    option_flags = ("other", "exclusive")
    required_message = _l("Select at least one option.")

    @classmethod
    def normalise_extra(cls, spec):
        result = super().normalise_extra(spec)
        count = len(spec.get("options") or []) or None
        low, high = spec.get("min_choices"), spec.get("max_choices")
        for name, value in (("min_choices", low), ("max_choices", high)):
            if value is not None and (not isinstance(value, int) or value < 1):
                raise DefinitionProblem(
                    _l("The fewest choices must be a whole number, 1 or more.")
                    if name == "min_choices"
                    else _l("The most choices must be a whole number, 1 or more."),
                    name,
                )
            if value is not None and count and value > count:
                raise DefinitionProblem(
                    _l(
                        "%(value)s choices are asked for, but there are only %(count)s "
                        "options: ask for fewer, or add options.",
                        value=value,
                        count=count,
                    ),
                    name,
                )
        if low and high and low > high:
            raise DefinitionProblem(
                _l(
                    "The fewest choices (%(low)s) is more than the most (%(high)s).",
                    low=low,
                    high=high,
                ),
                "min_choices",
            )
        options = result.get("options", [])
        exclusive = [option["key"] for option in options if option.get("exclusive")]
        for row, option in enumerate(options, 1):
            if option.get("exclusive") and option.get("other"):
                raise DefinitionProblem(
                    _l(
                        "Option “%(key)s” cannot be both exclusive and “Other”: untick one.",
                        key=option["key"],
                    ),
                    "options",
                    row=row,
                    part="exclusive",
                )
        if exclusive and len(exclusive) == len(options):
            raise DefinitionProblem(
                _l(
                    "Every option is exclusive, so only one can ever be chosen: untick one, or "
                    "make it a question with a single choice."
                ),
                "options",
                part="exclusive",
            )
        if exclusive and low and low > 1:
            raise DefinitionProblem(
                _l(
                    "The exclusive option “%(key)s” could never be chosen, since at least "
                    "%(low)s choices are asked for: ask for 1 at least, or untick “exclusive”.",
                    key=exclusive[0],
                    low=low,
                ),
                "min_choices",
            )
        result.update({k: v for k, v in (("min_choices", low), ("max_choices", high)) if v})
        return result

    def __init__(self, spec):
        super().__init__(spec)
        self.min_choices = spec.get("min_choices")
        self.max_choices = spec.get("max_choices")
        self.exclusive_keys = [o["key"] for o in self.options if o.get("exclusive")]

    def field(self):
        return (SelectMultipleWithOther if self.other_key else SelectMultipleField)(
            choices=[], validate_choice=False
        )

    def exclusive_message(self, key, locale=None) -> str:
        """Why an exclusive option cannot go with others (the server's refusal, and the page's
        note when JavaScript unticks the others)."""
        return _(
            "“%(option)s” cannot be combined with other options.",
            option=self.option_label(key, locale),
        )

    def raw(self, field):
        return [value for value in (field.data or []) if value != ""]

    def clean_value(self, raw):
        if any(value not in self.option_keys for value in raw):
            raise AnswerError(_("Select only options shown in the list."))
        picked = [key for key in self.option_keys if key in raw]  # questionnaire order, no repeats
        for key in self.exclusive_keys:
            if key in picked and len(picked) > 1:
                raise AnswerError(self.exclusive_message(key, current_locale()))
        if self.min_choices and len(picked) < self.min_choices:
            raise AnswerError(self._at_least())
        if self.max_choices and len(picked) > self.max_choices:
            raise AnswerError(self._at_most())
        return picked

    def form_data(self, value):
        return value or []

    def to_rows(self, value):
        text = other_text(value)
        return [
            StoredAnswer(option_key=key, text_value=text if key == self.other_key else None)
            for key in chosen(value)
        ]

    def from_rows(self, rows):
        picked = {row.option_key for row in rows}
        text = next((row.text_value for row in rows if row.option_key == self.other_key), None)
        return self._wrap([key for key in self.option_keys if key in picked], text)

    def too_many_message(self) -> str:
        """Said at once (JavaScript) when one box too many is ticked."""
        return ngettext(
            "You can select at most %(num)d option: untick one to choose another.",
            "You can select at most %(num)d options: untick one to choose another.",
            self.max_choices or 0,
        )

    def limits_text(self, locale=None):
        low, high = self.min_choices, self.max_choices
        if low and high and low == high:
            return _("Select exactly %(num)d.", num=high)
        if low and high:
            return _("Select between %(low)d and %(high)d.", low=low, high=high)
        # The same words as the refusal, so the rule reads the same before and after.
        if high:
            return self._at_most()
        if low:
            return self._at_least()
        return ""

    def _at_least(self) -> str:
        return ngettext(
            "Select at least %(num)d option.", "Select at least %(num)d options.", self.min_choices
        )

    def _at_most(self) -> str:
        return ngettext(
            "Select at most %(num)d option.", "Select at most %(num)d options.", self.max_choices
        )
