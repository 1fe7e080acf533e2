"""The codes in the exports: one column per code of each question's codebook.

1: the code is ticked on the response's answer; 0: answered, not ticked; blank:
the question was not answered (or, in the public export, its answers are not
published for this respondent). The columns come after the questionnaire's.
They are added as the file is written, never kept in the ready CSV lines: a
code ticked or renamed changes no line, so an export stays as fast as before
(one indexed read of the ticks per chunk of responses; none at all while no
question has a code).
"""

from dataclasses import dataclass, field

from sqlalchemy import select

from ..consultations.models import QuestionRecord
from ..extensions import db
from ..reports import publication
from ..responses.models import Answer
from .models import AnswerCode, Code
from .queries import free_text_questions

MEANING = "1: an analyst ticked this code on the answer; 0: not ticked; blank: not answered."
WIDTH = 12


@dataclass
class CodeColumns:
    """The code columns of one export, and how to fill them for a chunk of responses."""

    personal: bool
    headers: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    meanings: list = field(default_factory=list)
    widths: list = field(default_factory=list)
    #: (question id, [code ids in column order], audiences that may see the answers).
    questions: list = field(default_factory=list)

    def cells(self, responses) -> dict:
        """Response id -> its code cells, for ``responses`` (rows with ``id``, type, choice)."""
        first, last = responses[0].id, responses[-1].id
        question_ids = [question_id for question_id, _codes, _who in self.questions]
        in_range = Answer.response_id.between(first, last)
        answered = set(
            tuple(row)
            for row in db.session.execute(
                select(Answer.response_id, Answer.question_id).where(
                    in_range,
                    Answer.question_id.in_(question_ids),
                    Answer.text_value.is_not(None),
                    Answer.option_key.is_(None),
                )
            )
        )
        ticked = set(
            tuple(row)
            for row in db.session.execute(
                select(AnswerCode.response_id, AnswerCode.code_id)
                .join(Code, Code.id == AnswerCode.code_id)
                .where(
                    AnswerCode.response_id.between(first, last),
                    Code.question_id.in_(question_ids),
                )
            )
        )
        result = {}
        for response in responses:
            where = publication.audience(response.respondent_type, response.publication)
            row = []
            for question_id, codes, who in self.questions:
                if (response.id, question_id) not in answered or (
                    not self.personal and where not in who
                ):
                    row.extend([None] * len(codes))
                else:
                    row.extend(1 if (response.id, code) in ticked else 0 for code in codes)
            result[response.id] = row
        return result

    def lines(self, responses, lines) -> list:
        """The ready CSV ``lines`` of ``responses`` with their code cells appended."""
        cells = self.cells(responses)
        joined = []
        for response, line in zip(responses, lines, strict=True):
            extra = ",".join("" if cell is None else str(cell) for cell in cells[response.id])
            joined.append(f"{line[:-2]},{extra}\r\n")
        return joined


def code_columns(consultation, personal: bool) -> CodeColumns | None:
    """The code columns of an export of ``consultation``; None when no question has codes."""
    result = CodeColumns(personal)
    by_question = {}
    for code in db.session.scalars(
        select(Code)
        .join(QuestionRecord, QuestionRecord.id == Code.question_id)
        .where(QuestionRecord.consultation_id == consultation.id)
        .order_by(Code.question_id, Code.label, Code.id)
    ):
        by_question.setdefault(code.question_id, []).append(code)
    if not by_question:
        return None
    for question, record in free_text_questions(consultation):
        codes = by_question.get(record.id)
        who = publication.answer_audiences(question)
        if not codes or (not personal and not who):
            continue
        label = question.label()
        for code in codes:
            result.headers.append(f"{question.key}:code:{code.label}")
            result.labels.append(f"{label} – code: {code.label}")
            result.meanings.append(MEANING)
            result.widths.append(WIDTH)
        result.questions.append((record.id, [code.id for code in codes], who))
    return result if result.questions else None
