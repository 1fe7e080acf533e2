"""A tick box the person must tick, such as agreeing to the privacy statement."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from .base import AnswerError, DefinitionProblem, Question, StoredAnswer


class ConsentQuestion(Question):
    kind = "consent"
    type_name = _l("Consent tick box")
    template = "questions/consent.html"
    required_message = _l("You need to tick this box to send your contribution.")

    @classmethod
    def normalise_extra(cls, spec):
        if spec.get("required") is not True:
            raise DefinitionProblem(
                _l("A consent question must require an answer: tick “An answer is required”."),
                "required",
            )
        return {}

    def field(self):
        return BooleanField(false_values=("", "false", "0", "off", "n", "no"))

    def raw(self, field):
        return True if field.data else None

    def clean_value(self, raw):
        if raw is not True:
            raise AnswerError(self.required_message)
        return True

    def to_rows(self, value):
        return [StoredAnswer(option_key="yes")]

    def from_rows(self, rows):
        return True if rows else None

    def display(self, value, locale=None):
        return [_("Yes")] if value else []
