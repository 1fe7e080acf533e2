"""Multiple choice: tick boxes, with at-least and at-most limits."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import SelectMultipleField

from .base import AnswerError, DefinitionProblem, StoredAnswer
from .choices import ChoiceQuestion


class MultipleChoiceQuestion(ChoiceQuestion):
    kind = "multiple_choice"
    template = "questions/multiple_choice.html"
    extra_keys = ChoiceQuestion.extra_keys + ("min_choices", "max_choices")
    required_message = _l("Select at least one option.")

    @classmethod
    def normalise_extra(cls, spec):
        result = super().normalise_extra(spec)
        count = len(spec.get("options") or []) or None
        low, high = spec.get("min_choices"), spec.get("max_choices")
        for name, value in (("min_choices", low), ("max_choices", high)):
            if value is not None and (not isinstance(value, int) or value < 1):
                raise DefinitionProblem(f"'{name}' must be a whole number of at least 1")
            if value is not None and count and value > count:
                raise DefinitionProblem(f"'{name}' is larger than the number of options")
        if low and high and low > high:
            raise DefinitionProblem("'min_choices' is larger than 'max_choices'")
        result.update({k: v for k, v in (("min_choices", low), ("max_choices", high)) if v})
        return result

    def __init__(self, spec):
        super().__init__(spec)
        self.min_choices = spec.get("min_choices")
        self.max_choices = spec.get("max_choices")

    def field(self):
        return SelectMultipleField(choices=[], validate_choice=False)

    def raw(self, field):
        return [value for value in (field.data or []) if value != ""]

    def clean_value(self, raw):
        if any(value not in self.option_keys for value in raw):
            raise AnswerError(_("Select only options shown in the list."))
        chosen = [key for key in self.option_keys if key in raw]  # questionnaire order, no repeats
        if self.min_choices and len(chosen) < self.min_choices:
            raise AnswerError(self._at_least())
        if self.max_choices and len(chosen) > self.max_choices:
            raise AnswerError(self._at_most())
        return chosen

    def form_data(self, value):
        return value or []

    def to_rows(self, value):
        return [StoredAnswer(option_key=key) for key in value]

    def from_rows(self, rows):
        chosen = {row.option_key for row in rows}
        return [key for key in self.option_keys if key in chosen]

    def display(self, value, locale=None):
        return [self.option_label(key, locale) for key in value or []]

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
