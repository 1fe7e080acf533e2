"""Long text: a paragraph or more, with a character limit shown and counted."""

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from .base import DefinitionProblem
from .short_text import ShortTextQuestion


class LongTextQuestion(ShortTextQuestion):
    kind = "long_text"
    type_name = _l("Long text")
    template = "questions/long_text.html"
    extra_keys = ("max_length",)
    profile_capable = False
    default_max_length = 5000

    @classmethod
    def normalise_extra(cls, spec):
        if "max_length" not in spec:
            raise DefinitionProblem(
                _l("Give the most characters an answer may have (a long text needs a limit)."),
                "max_length",
            )
        return super().normalise_extra(spec)

    def field(self):
        return TextAreaField()

    def display(self, value, locale=None):
        return value.split("\n") if value else []
