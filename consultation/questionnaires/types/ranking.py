"""Ranking: put options in order of importance (a position for each, no JavaScript needed)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .base import AnswerError, StoredAnswer
from .choices import ChoiceQuestion
from .fields import KeyedField


class RankingQuestion(ChoiceQuestion):
    kind = "ranking"
    type_name = _l("Ranking")
    template = "questions/ranking.html"
    required_message = _l("Give every item a position.")

    def field(self):
        return KeyedField(sub_keys=self.option_keys)

    def is_empty(self, raw):
        return not raw

    def positions(self):
        return list(range(1, len(self.option_keys) + 1))

    def limits_text(self, locale=None) -> str:
        """How to rank, in one sentence (the questionnaire's hint need not repeat it)."""
        if self.required:
            return _("Give each item a different position, 1 being the most important.")
        return _(
            "Give each item you rank a different position, 1 being the most important. "
            "You can leave out those that do not matter to you."
        )

    def clean_value(self, raw):
        ranks = {}
        for key, value in raw.items():
            try:
                rank = int(value) if value is not None else 0
            except (TypeError, ValueError):
                rank = 0
            if not 1 <= rank <= len(self.option_keys):
                raise AnswerError(_("Use positions from 1 to %(num)d.", num=len(self.option_keys)))
            ranks[key] = rank
        if len(set(ranks.values())) != len(ranks):
            raise AnswerError(_("Give each item a different position."))
        if self.required and len(ranks) < len(self.option_keys):
            raise AnswerError(self.required_message)
        if sorted(ranks.values()) != list(range(1, len(ranks) + 1)):
            raise AnswerError(_("Number the positions you use from 1 without gaps."))
        return dict(sorted(ranks.items(), key=lambda item: item[1]))

    def form_data(self, value):
        return {key: str(rank) for key, rank in (value or {}).items()}

    def to_rows(self, value):
        return [StoredAnswer(option_key=key, rank=rank) for key, rank in value.items()]

    def from_rows(self, rows):
        ranks = {row.option_key: row.rank for row in rows}
        return dict(sorted(ranks.items(), key=lambda item: item[1])) or None

    def display_typed(self, raw, locale=None):
        return [f"{rank}. {self.option_label(key, locale)}" for key, rank in (raw or {}).items()]

    def display(self, value, locale=None):
        return [f"{rank}. {self.option_label(key, locale)}" for key, rank in (value or {}).items()]
