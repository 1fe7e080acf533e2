"""The question types. Each is one class; this registry maps YAML ``type`` names to them."""

from .base import AnswerError, DefinitionProblem, Question, StoredAnswer
from .choices import ChoiceQuestion
from .consent import ConsentQuestion
from .country import CountryQuestion
from .email import EmailQuestion
from .file_upload import FileUploadQuestion
from .long_text import LongTextQuestion
from .matrix import MatrixQuestion
from .multiple_choice import MultipleChoiceQuestion
from .number import NumberQuestion
from .ranking import RankingQuestion
from .short_text import ShortTextQuestion
from .single_choice import SingleChoiceQuestion

QUESTION_TYPES: dict[str, type[Question]] = {
    cls.kind: cls
    for cls in (
        SingleChoiceQuestion,
        MultipleChoiceQuestion,
        MatrixQuestion,
        RankingQuestion,
        ShortTextQuestion,
        LongTextQuestion,
        NumberQuestion,
        EmailQuestion,
        CountryQuestion,
        FileUploadQuestion,
        ConsentQuestion,
    )
}


def can_be_condition(kind: str) -> bool:
    """Whether a question of ``kind`` can be the earlier question of a condition
    (``show_if``): one whose answer is one or several of its options, as the loader
    checks and the editor offers."""
    cls = QUESTION_TYPES[kind]
    return issubclass(cls, ChoiceQuestion) and cls.kind != "ranking"


__all__ = [
    "QUESTION_TYPES",
    "AnswerError",
    "DefinitionProblem",
    "Question",
    "StoredAnswer",
    "can_be_condition",
]
