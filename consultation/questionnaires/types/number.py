"""Number: a value between bounds, whole or decimal."""

from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField

from ...i18n import number, quantity, unit_text
from ..text import is_unit
from .base import AnswerError, DefinitionProblem, Question, StoredAnswer


class NumberQuestion(Question):
    kind = "number"
    type_name = _l("Number")
    template = "questions/number.html"
    extra_keys = ("min", "max", "integer", "unit")
    required_message = _l("Enter a number.")

    @classmethod
    def normalise_extra(cls, spec):
        result = {"integer": spec.get("integer", True)}
        if not isinstance(result["integer"], bool):
            raise DefinitionProblem(
                _l("Whether only whole numbers are accepted must be true or false."), "integer"
            )
        for name in ("min", "max"):
            if name in spec:
                if isinstance(spec[name], bool) or not isinstance(spec[name], int | float):
                    raise DefinitionProblem(
                        _l("The smallest number must be a number.")
                        if name == "min"
                        else _l("The largest number must be a number."),
                        name,
                    )
                result[name] = spec[name]
        if "min" in result and "max" in result and result["min"] > result["max"]:
            raise DefinitionProblem(
                _l(
                    "The smallest number (%(min)s) is larger than the largest (%(max)s).",
                    min=result["min"],
                    max=result["max"],
                ),
                "min",
            )
        if "unit" in spec:
            if not is_unit(spec["unit"]):
                raise DefinitionProblem(
                    _l(
                        "The unit must be a word, such as “per cent” or “days”, or its plural "
                        "forms, such as one=day; other=days (in a file: {one: day, other: days})."
                    ),
                    "unit",
                )
            result["unit"] = spec["unit"]
        return result

    def __init__(self, spec):
        super().__init__(spec)
        self.minimum = spec.get("min")
        self.maximum = spec.get("max")
        self.integer = spec.get("integer", True)
        self.unit = spec.get("unit")

    def field(self):
        return StringField()

    def raw(self, field):
        return (field.data or "").strip().replace(" ", "").replace("\u00a0", "") or None

    def clean_value(self, raw):
        text = raw.replace(",", ".") if raw.count(",") == 1 and "." not in raw else raw
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise AnswerError(_("Enter a number, using digits only (for example 25).")) from None
        if not value.is_finite():
            raise AnswerError(_("Enter a number, using digits only (for example 25)."))
        if self.integer and value != value.to_integral_value():
            raise AnswerError(_("Enter a whole number."))
        if self.minimum is not None and value < Decimal(str(self.minimum)):
            raise AnswerError(_("Enter a number of at least %(min)s.", min=number(self.minimum)))
        if self.maximum is not None and value > Decimal(str(self.maximum)):
            raise AnswerError(_("Enter a number of at most %(max)s.", max=number(self.maximum)))
        return int(value) if self.integer else float(value)

    def limits_text(self, locale=None) -> str:
        """The accepted range in words, shown under the question."""
        low, high = self.minimum, self.maximum
        if low is not None and high is not None:
            return _(
                "Enter a number from %(min)s to %(max)s.",
                min=number(low, locale),
                max=number(high, locale),
            )
        if low is not None:
            return _("Enter a number of at least %(min)s.", min=number(low, locale))
        if high is not None:
            return _("Enter a number of at most %(max)s.", max=number(high, locale))
        return ""

    def form_data(self, value):
        return "" if value is None else str(value)

    def to_rows(self, value):
        return [StoredAnswer(number_value=float(value))]

    def from_rows(self, rows):
        if not rows or rows[0].number_value is None:
            return None
        value = rows[0].number_value
        return int(value) if self.integer else value

    def display(self, value, locale=None):
        if value is None:
            return []
        return [quantity(value, self.unit, locale)]

    def unit_text(self, locale=None) -> str:
        """The unit beside the box and in column notes: its general form (days)."""
        return unit_text(self.unit, locale)
