"""Shared behaviour of the question types that offer a list of options."""

from ..options import generated_options, sort_key
from ..text import tr
from .base import DefinitionProblem, Question, parse_options


class ChoiceQuestion(Question):
    """A question whose answer is one or more keys of its ``options``."""

    extra_keys = ("options", "options_from")

    @classmethod
    def normalise_extra(cls, spec):
        if "options_from" in spec:
            if "options" in spec:
                raise DefinitionProblem("give either 'options' or 'options_from', not both")
            name = spec["options_from"]
            try:
                generated_options(name)
            except KeyError:
                raise DefinitionProblem(f"unknown options_from list '{name}'") from None
            return {"options_from": name}
        return {"options": parse_options(spec)}

    def __init__(self, spec):
        super().__init__(spec)
        if "options_from" in spec:
            self.options = generated_options(spec["options_from"])
        else:
            self.options = spec["options"]
        self.option_keys = [option["key"] for option in self.options]
        self._labels = {option["key"]: option["label"] for option in self.options}

    def option_label(self, key, locale=None) -> str:
        return tr(self._labels.get(key, key), locale)

    def display_typed(self, raw, locale=None):
        keys = raw if isinstance(raw, list) else [raw]
        return [self.option_label(str(key), locale) for key in keys]

    def choices(self, locale=None):
        choices = [(key, self.option_label(key, locale)) for key in self.option_keys]
        if "options_from" in self.spec:
            # A generated list (languages) has no meaningful order but the alphabet of its reader.
            choices.sort(key=lambda choice: sort_key(choice[1]))
        return choices
