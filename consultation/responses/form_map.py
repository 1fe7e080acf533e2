"""The map at the top of a long questionnaire: its sections, how far the person got, how long.

Everything is worked out on the server, from the questionnaire and from what the
form holds (a resumed draft, a form shown again with errors), so the map works
without JavaScript; ``app.js`` only keeps the counts up to date while the person
types. The time is estimated from the questions by type: a choice is read and
ticked in seconds, a matrix takes a few seconds a statement, a long text minutes.
"""

import math
from dataclasses import dataclass
from functools import lru_cache

from ..questionnaires.forms import field_for
from ..questionnaires.types import AnswerError

#: Seconds to answer a question of each type: (fixed, per option or statement).
SECONDS = {
    "single_choice": (10, 1),
    "multiple_choice": (15, 2),
    "matrix": (10, 8),
    "ranking": (15, 8),
    "short_text": (20, 0),
    "email": (15, 0),
    "number": (20, 0),
    "country": (10, 0),
    "consent": (10, 0),
    "long_text": (180, 0),
    "file": (45, 0),
}
#: A type not listed above (a new one) counts as this many seconds.
OTHER_SECONDS = 30
#: A long list of options is skimmed, not read: a choice never counts more than this.
MAX_CHOICE_SECONDS = 20


def seconds_for(question) -> int:
    """About how long a person takes to answer ``question``."""
    fixed, each = SECONDS.get(question.kind, (OTHER_SECONDS, 0))
    items = len(getattr(question, "row_keys", None) or getattr(question, "option_keys", ()))
    seconds = fixed + each * items
    if question.kind == "single_choice":
        seconds = min(seconds, MAX_CHOICE_SECONDS)
    return seconds


def _minutes(seconds: int) -> int:
    """Rounded up to five minutes: an estimate says "about", never more precisely."""
    return max(5, 5 * math.ceil(seconds / 300))


@dataclass(frozen=True)
class Estimate:
    """Minutes to answer every question (at most), and the required ones alone."""

    every_question: int
    required_only: int
    questions: int
    required: int


@lru_cache(maxsize=64)
def estimate(questionnaire) -> Estimate:
    """The time a questionnaire takes, from its questions.

    Every question counts for the upper figure, even those that apply only to some
    respondents: it says "up to". The lower one counts the questions everybody
    must answer.
    """
    questions = list(questionnaire)
    required = [q for q in questions if q.required and not q.show_if]
    return Estimate(
        every_question=_minutes(sum(seconds_for(q) for q in questions)),
        required_only=_minutes(sum(seconds_for(q) for q in required)),
        questions=len(questions),
        required=len(required),
    )


@dataclass(frozen=True)
class SectionProgress:
    """How many of a section's questions apply, given the answers so far, and are answered."""

    key: str
    heading: str
    applicable: int
    answered: int


def _given(question, form, attached) -> object | None:
    """What the form holds for ``question``, valid or not; ``None`` if nothing."""
    if question.kind == "file":
        return attached.get(question.key)
    try:
        raw = question.raw(field_for(form, question))
    except AnswerError:
        return True  # something was typed, if not something acceptable
    return None if question.is_empty(raw) else raw


def progress(questionnaire, form, attached, locale=None) -> list[SectionProgress]:
    """Each section's questions that apply and those answered, from what the form holds.

    A condition is judged on what was typed, as the page's script does, so a
    question shown by an answer counts as soon as that answer is given; a question
    hidden by its condition counts nowhere.
    """
    given, applying = {}, set()
    for question in questionnaire:  # conditions refer backwards, as in validate_answers
        if not question.visible(given):
            continue
        applying.add(question.key)
        value = _given(question, form, attached)
        if value is not None:
            given[question.key] = value
    sections = []
    for section in questionnaire.sections:
        applicable = [q for q in section.questions if q.key in applying]
        sections.append(
            SectionProgress(
                key=section.key,
                heading=section.heading(locale),
                applicable=len(applicable),
                answered=sum(1 for q in applicable if q.key in given),
            )
        )
    return sections
