"""Reads of themes and codes: counts in SQL, over the responses counted in reports."""

from dataclasses import dataclass, field

from sqlalchemy import distinct, func, select

from ..consultations.queries import asked_questions
from ..extensions import db
from ..responses.models import Answer, Response
from .models import AnswerCode, Code, Theme, ThemeAnswer

#: Question kinds whose answers are free text people wrote.
TEXT_KINDS = ("long_text", "short_text")


def _counted(scope):
    """The responses counted: every unflagged one, or those of a report's ``scope``."""
    return Response.flag.is_(None) if scope is None else scope.conditions()


@dataclass
class ThemeRow:
    """A theme with its counts (counted responses only) and, when asked, its quotes."""

    theme: Theme
    answers: int
    #: Distinct texts among them: copies of one text count once.
    distinct: int
    quotes: list = field(default_factory=list)


def free_text_questions(consultation) -> list:
    """(definition, record) of each free-text question: not personal, not an identifier;
    those a later version replaced follow the current ones, named by their own row's key
    (``key@vN``) and label (``consultations.queries.Replaced``)."""
    return [
        (question, record)
        for question, record in asked_questions(consultation)
        if question.kind in TEXT_KINDS
        and not question.profile
        and getattr(question, "pattern", None) is None
    ]


def question_by_key(consultation, key):
    """(definition, record) of the free-text question ``key`` (``key@vN``: the one version
    N asked last and a later one replaced), or None."""
    return next(((q, r) for q, r in free_text_questions(consultation) if q.key == key), None)


def counted_answers(question_id: int, scope=None) -> int:
    """Counted responses that answered the question with a text."""
    return db.session.scalar(
        select(func.count(distinct(Answer.response_id)))
        .join(Response, Response.id == Answer.response_id)
        .where(
            Answer.question_id == question_id,
            Answer.text_value.is_not(None),
            Answer.option_key.is_(None),
            _counted(scope),
        )
    )


def themes(question_id: int, scope=None) -> list[ThemeRow]:
    """The question's themes in their order, with how many counted answers each holds."""
    counts = dict(
        (theme_id, (n, d))
        for theme_id, n, d in db.session.execute(
            select(
                ThemeAnswer.theme_id,
                func.count(),
                func.count(distinct(Answer.text_fingerprint)),
            )
            .join(Response, Response.id == ThemeAnswer.response_id)
            .join(
                Answer,
                (Answer.response_id == ThemeAnswer.response_id)
                & (Answer.question_id == ThemeAnswer.question_id)
                & Answer.option_key.is_(None),
            )
            .where(ThemeAnswer.question_id == question_id, _counted(scope))
            .group_by(ThemeAnswer.theme_id)
        )
    )
    found = db.session.scalars(
        select(Theme).where(Theme.question_id == question_id).order_by(Theme.position, Theme.id)
    )
    return [ThemeRow(theme, *counts.get(theme.id, (0, 0))) for theme in found]


def themes_found_at(question_id: int):
    """When the question's themes were last found (None: never)."""
    query = select(func.max(Theme.found_at)).where(Theme.question_id == question_id)
    return db.session.scalar(query)


def theme_by_id(theme_id: int) -> Theme | None:
    return db.session.get(Theme, theme_id)


def codebook(question_id: int) -> list[Code]:
    """The question's codes, by name."""
    return list(
        db.session.scalars(
            select(Code).where(Code.question_id == question_id).order_by(func.lower(Code.label))
        )
    )


def code_counts(question_id: int, scope=None) -> dict:
    """Code id -> counted responses whose answer has it."""
    return dict(
        db.session.execute(
            select(AnswerCode.code_id, func.count())
            .join(Code, Code.id == AnswerCode.code_id)
            .join(Response, Response.id == AnswerCode.response_id)
            .where(Code.question_id == question_id, _counted(scope))
            .group_by(AnswerCode.code_id)
        ).all()
    )


def coded_answers(question_id: int, scope=None) -> int:
    """Counted responses whose answer has at least one code."""
    return db.session.scalar(
        select(func.count(distinct(AnswerCode.response_id)))
        .join(Code, Code.id == AnswerCode.code_id)
        .join(Response, Response.id == AnswerCode.response_id)
        .where(Code.question_id == question_id, _counted(scope))
    )


def codes_of(response_ids, question_id: int) -> dict:
    """Response id -> set of code ids ticked on its answer to the question."""
    found = {}
    rows = db.session.execute(
        select(AnswerCode.response_id, AnswerCode.code_id)
        .join(Code, Code.id == AnswerCode.code_id)
        .where(Code.question_id == question_id, AnswerCode.response_id.in_(list(response_ids)))
    )
    for response_id, code_id in rows:
        found.setdefault(response_id, set()).add(code_id)
    return found


def coding_page_query(question_id: int, theme_id=None, uncoded=False):
    """The answers to code, oldest first: (response id, reference, text, theme id)."""
    query = (
        select(Response.id, Response.reference, Answer.text_value, ThemeAnswer.theme_id)
        .join(Answer, Answer.response_id == Response.id)
        .outerjoin(
            ThemeAnswer,
            (ThemeAnswer.response_id == Response.id) & (ThemeAnswer.question_id == question_id),
        )
        .where(
            Answer.question_id == question_id,
            Answer.text_value.is_not(None),
            Answer.option_key.is_(None),
            Response.flag.is_(None),
        )
        .order_by(Response.id)
    )
    if theme_id is not None:
        query = query.where(ThemeAnswer.theme_id == theme_id)
    if uncoded:
        coded = (
            select(AnswerCode.response_id)
            .join(Code, Code.id == AnswerCode.code_id)
            .where(Code.question_id == question_id)
        )
        query = query.where(Response.id.not_in(coded))
    return query


def response_coding(response) -> list:
    """For the admin response page: (definition, record, codebook, ticked ids, theme) of each
    free-text question the response answered."""
    answered = set(
        db.session.scalars(
            select(Answer.question_id).where(
                Answer.response_id == response.id,
                Answer.text_value.is_not(None),
                Answer.option_key.is_(None),
            )
        )
    )
    result = []
    for question, record in free_text_questions(response.consultation):
        if record.id not in answered:
            continue
        theme = db.session.scalar(
            select(Theme)
            .join(ThemeAnswer, ThemeAnswer.theme_id == Theme.id)
            .where(ThemeAnswer.response_id == response.id, ThemeAnswer.question_id == record.id)
        )
        ticked = codes_of([response.id], record.id).get(response.id, set())
        result.append((question, record, codebook(record.id), ticked, theme))
    return result
