"""Short text: one line, with a length cap and an optional format."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField

from ...i18n import current_locale, number
from ..text import is_text, tr
from .base import AnswerError, DefinitionProblem, Question, clean_text


class ShortTextQuestion(Question):
    kind = "short_text"
    type_name = _l("Short text")
    template = "questions/short_text.html"
    extra_keys = ("max_length", "pattern", "pattern_message", "example")
    profile_capable = True
    required_message = _l("Enter an answer.")
    default_max_length = 200

    @classmethod
    def normalise_extra(cls, spec):
        max_length = spec.get("max_length", cls.default_max_length)
        if not isinstance(max_length, int) or max_length < 1:
            raise DefinitionProblem(
                _l("The most characters must be a whole number, 1 or more."), "max_length"
            )
        result = {"max_length": max_length}
        if "pattern" in spec:
            try:
                re.compile(spec["pattern"])
            except (re.error, TypeError) as error:
                raise DefinitionProblem(
                    _l(
                        "The format is not a regular expression that can be used (%(error)s): "
                        "correct it, or leave it empty.",
                        error=error,
                    ),
                    "pattern",
                ) from None
            if not is_text(spec.get("pattern_message")):
                raise DefinitionProblem(
                    _l(
                        "A format needs a message for those whose answer does not match it: "
                        "write it."
                    ),
                    "pattern_message",
                )
            result.update(pattern=spec["pattern"], pattern_message=spec["pattern_message"])
        if "example" in spec:
            result["example"] = str(spec["example"])
        return result

    def __init__(self, spec):
        super().__init__(spec)
        self.max_length = spec.get("max_length", self.default_max_length)
        self.pattern = re.compile(spec["pattern"]) if spec.get("pattern") else None
        self.pattern_message = spec.get("pattern_message")

    def field(self):
        return StringField()

    def raw(self, field):
        return clean_text(field.data) if field.data is not None else None

    def clean_value(self, raw):
        if len(raw) > self.max_length:
            raise AnswerError(
                _(
                    "Use at most %(max)s characters (you used %(used)s).",
                    max=number(self.max_length),
                    used=number(len(raw)),
                )
            )
        if self.pattern and not self.pattern.fullmatch(raw):
            raise AnswerError(tr(self.pattern_message, current_locale()))
        return raw
