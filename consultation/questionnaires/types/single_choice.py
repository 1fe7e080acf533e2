"""Single choice: radio buttons, or a drop-down for long lists."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from .base import AnswerError, DefinitionProblem, StoredAnswer, chosen, other_text
from .choices import ChoiceQuestion
from .fields import SelectWithOther


class SingleChoiceQuestion(ChoiceQuestion):
    kind = "single_choice"
    type_name = _l("One choice")
    template = "questions/single_choice.html"
    extra_keys = ChoiceQuestion.extra_keys + ("widget",)
    option_flags = ("other",)
    profile_capable = True
    required_message = _l("Select one option.")

    @classmethod
    def normalise_extra(cls, spec):
        result = super().normalise_extra(spec)
        widget = spec.get("widget", "radio")
        if widget not in ("radio", "select"):
            raise DefinitionProblem(
                _l("Show the options as buttons or as a drop-down list."), "widget"
            )
        result["widget"] = widget
        return result

    def __init__(self, spec):
        super().__init__(spec)
        self.widget = spec.get("widget", "radio")

    def field(self):
        return (SelectWithOther if self.other_key else SelectField)(
            choices=[], validate_choice=False
        )

    def clean_value(self, raw):
        if raw not in self.option_keys:
            raise AnswerError(_("Select one of the options shown."))
        return raw

    def to_rows(self, value):
        return [StoredAnswer(option_key=chosen(value), text_value=other_text(value))]

    def from_rows(self, rows):
        if not rows:
            return None
        return self._wrap(rows[0].option_key, rows[0].text_value)
