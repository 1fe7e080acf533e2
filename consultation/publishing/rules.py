"""When a contribution is public, and which of its parts need a moderator: the rules in one place.

Both Python (``is_visible_now``, ``needs_review``) and SQL (``publishable``,
``audience_condition``) read them here, so the public pages, the open-data API and
the moderation queue cannot disagree.
"""

from sqlalchemy import and_, false, not_, or_, text

from .. import clock
from ..consultations.models import State
from ..reports import publication
from ..responses.models import PUBLISHABLE_SQL, Response
from .models import AFTER_CLOSING, APPROVED, WHEN_MODERATED

#: Publication choices under which a contribution may be published at all; anything else
#: (no answer, or a choice a questionnaire may add such as "do not publish") never is.
PUBLISHING_CHOICES = (publication.PUBLIC, publication.ANONYMOUS)
#: Question types whose answers are free text a moderator reads before publication.
FREE_TEXT_KINDS = ("short_text", "long_text")


def is_visible_now(consultation, now=None) -> bool:
    """Whether the consultation's setting lets its cleared contributions be public at ``now``.

    "after_closing": once it is closed (by its date or by hand); "when_moderated": from
    its opening on, as soon as each contribution is cleared; "never": never.
    """
    state = consultation.state_at(now or clock.now_utc())
    if consultation.publication_mode == AFTER_CLOSING:
        return state is State.CLOSED
    if consultation.publication_mode == WHEN_MODERATED:
        return state is not State.UPCOMING
    return False


def publishable():
    """SQL: the response row may be shown (cleared, not flagged nor erased, a publishing choice).

    The very text of the public list's partial indexes (``responses.models``), so the
    database uses them. It says nothing of the consultation's setting: check
    ``is_visible_now`` first.
    """
    return text(PUBLISHABLE_SQL)


def row_publishable(response) -> bool:
    """The same rule as ``publishable``, for one response in Python."""
    return (
        response.moderation == APPROVED
        and response.flag is None
        and response.erased_at is None
        and response.publication in PUBLISHING_CHOICES
    )


def is_text_reviewed(question) -> bool:
    """Whether answers to ``question`` carry free text a moderator must clear.

    Short and long texts (not a profile column such as a name, which the allow-list
    rules on, nor a text held to a pattern such as a register number: no free words
    fit in it), and the "Other, please specify" text of choice questions. Only if
    something of it is ever published.
    """
    if not publication.answer_audiences(question):
        return False
    if question.kind in FREE_TEXT_KINDS:
        return not question.profile and not getattr(question, "pattern", None)
    return bool(question.other_key)


def is_file_reviewed(question) -> bool:
    """Whether files sent to ``question`` wait for a moderator (when they can be published)."""
    return question.kind == "file" and bool(publication.answer_audiences(question))


def audience_condition(audiences):
    """SQL on the response row: its (kind of respondent, choice) is one of ``audiences``."""
    citizen = or_(
        Response.respondent_type.is_(None),
        Response.respondent_type.in_(sorted(publication.CITIZEN_TYPES)),
    )
    public = Response.publication == publication.PUBLIC
    kinds = {publication.CITIZEN: citizen, publication.ORGANISATION: not_(citizen)}
    choices = {publication.PUBLIC: public, publication.ANONYMOUS: not_(public)}
    terms = [and_(kinds[kind], choices[choice]) for kind, choice in sorted(audiences)]
    return or_(*terms) if terms else false()


def reviewed_questions(consultation):
    """(text questions, file questions) of ``consultation`` that need review: lists of
    (question record id, question) pairs."""
    questionnaire = consultation.questionnaire
    texts, files = [], []
    for record in consultation.questions:
        question = questionnaire.questions.get(record.key)
        if question is None:
            continue
        if is_text_reviewed(question):
            texts.append((record.id, question))
        elif is_file_reviewed(question):
            files.append((record.id, question))
    return texts, files
