"""A questionnaire at run time: sections and question objects built from a definition."""

import json
from collections.abc import Callable

from .languages import complete_in
from .text import tr
from .types import QUESTION_TYPES


class Section:
    """A titled group of questions."""

    def __init__(self, data, questions):
        self.key = data["key"]
        self.title = data["title"]
        self.intro = data.get("intro")
        self.questions = questions
        for question in questions:
            question.section = self

    def heading(self, locale=None):
        return tr(self.title, locale)

    def intro_text(self, locale=None):
        return tr(self.intro, locale)


class Questionnaire:
    """The questions of one consultation, in order, keyed by their ``key``."""

    def __init__(self, data: dict):
        self.data = data
        self._complete: dict[str, bool] = {}
        self.sections = []
        self.questions = {}
        for section_data in data["sections"]:
            questions = [QUESTION_TYPES[q["type"]](q) for q in section_data["questions"]]
            self.sections.append(Section(section_data, questions))
            self.questions.update((q.key, q) for q in questions)

    def __iter__(self):
        return iter(self.questions.values())

    def languages(self, candidates) -> list[str]:
        """The languages of ``candidates`` this questionnaire is offered in: those its file
        names (``languages:``, each checked complete when loaded), else every language its
        texts are complete in."""
        named = self.data.get("languages")
        if named:
            return [code for code in candidates if code in named]
        for code in candidates:
            if code not in self._complete:
                self._complete[code] = complete_in(self.data, code)
        return [code for code in candidates if self._complete[code]]

    def profile_questions(self):
        """Questions whose answer is also a column of the response row."""
        return {q.profile: q for q in self if q.profile}

    def visible_questions(self, values: dict):
        """The questions that apply, given accepted answers (conditions refer backwards)."""
        return [q for q in self if q.visible(values)]


#: Questionnaires by the digest of their definition (``consultations.definition_digest``).
_BUILT: dict[str, Questionnaire] = {}


def questionnaire_for(digest: str, definition: Callable[[], dict]) -> Questionnaire:
    """The questionnaire of the definition version ``digest``, built once from ``definition()``.

    The digest is a fingerprint of the definition's content, so it is the whole key; the
    definition is copied (as stored: through JSON), so the questionnaire shares nothing
    with the caller's dictionary.
    """
    found = _BUILT.get(digest)
    if found is None:
        if len(_BUILT) >= 64:
            _BUILT.clear()
        found = _BUILT[digest] = Questionnaire(json.loads(json.dumps(definition())))
    return found
