"""Matrix: rows of statements rated on one scale, e.g. agreement, with "no opinion"."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..text import tr
from .base import AnswerError, DefinitionProblem, Question, StoredAnswer, parse_options
from .fields import KeyedField


class MatrixQuestion(Question):
    kind = "matrix"
    type_name = _l("Grid of statements on a scale")
    template = "questions/matrix.html"
    extra_keys = ("rows", "scale", "all_rows_required")
    required_message = _l("Give an answer for each statement.")

    @classmethod
    def normalise_extra(cls, spec):
        rows = parse_options(spec, "rows")
        scale = parse_options(spec, "scale")
        if len(scale) < 2:
            raise DefinitionProblem(
                _l("The scale needs at least two answers for each row to choose from."), "scale"
            )
        all_rows = spec.get("all_rows_required", True)
        if not isinstance(all_rows, bool):
            raise DefinitionProblem(
                _l("Whether every row needs an answer must be true or false."),
                "all_rows_required",
            )
        return {"rows": rows, "scale": scale, "all_rows_required": all_rows}

    def __init__(self, spec):
        super().__init__(spec)
        self.rows = spec["rows"]
        self.scale = spec["scale"]
        self.row_keys = [row["key"] for row in self.rows]
        self.scale_keys = [point["key"] for point in self.scale]
        self.all_rows_required = spec.get("all_rows_required", True)
        self._row_labels = {row["key"]: row["label"] for row in self.rows}
        self._scale_labels = {point["key"]: point["label"] for point in self.scale}

    def field(self):
        return KeyedField(sub_keys=self.row_keys)

    def is_empty(self, raw):
        return not raw

    def clean_value(self, raw):
        if any(value not in self.scale_keys for value in raw.values()):
            raise AnswerError(_("Choose one point of the scale for each statement."))
        if self.required and self.all_rows_required and len(raw) < len(self.row_keys):
            raise AnswerError(self.required_message)
        return {row: raw[row] for row in self.row_keys if row in raw}

    def row_label(self, key, locale=None):
        return tr(self._row_labels.get(key, key), locale)

    def scale_label(self, key, locale=None):
        return tr(self._scale_labels.get(key, key), locale)

    def option_label(self, key, locale=None):
        return self.scale_label(key, locale)

    def display_typed(self, raw, locale=None):
        return [
            f"{self.row_label(row, locale)}: {self.scale_label(point, locale)}"
            for row, point in (raw or {}).items()
        ]

    def to_rows(self, value):
        return [StoredAnswer(row_key=row, option_key=point) for row, point in value.items()]

    def from_rows(self, rows):
        given = {row.row_key: row.option_key for row in rows}
        return {row: given[row] for row in self.row_keys if row in given} or None

    def display(self, value, locale=None):
        return [
            f"{self.row_label(row, locale)}: {self.scale_label(point, locale)}"
            for row, point in (value or {}).items()
        ]
