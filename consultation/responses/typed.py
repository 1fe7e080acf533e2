"""What a person typed, shown back when their contribution could not be accepted."""

from flask_babel import gettext as _

from ..questionnaires.forms import field_for, validate_answers


def typed_answers(questionnaire, form, locale=None, files=None) -> list[tuple[str, list[str]]]:
    """(question, lines) for every answer the person gave, valid or not, in questionnaire order.

    ``files`` names the files already kept (a draft's), by question.
    """
    values, _ = validate_answers(form, questionnaire)
    files = files or {}
    result = []
    for question in questionnaire:
        if question.key in files:
            lines = [files[question.key]]
        elif question.key in values:
            lines = question.display(values[question.key], locale)
        else:
            raw = question.typed(field_for(form, question))
            if raw in (None, "", [], {}) or question.kind in ("file", "consent"):
                continue
            lines = question.display_typed(raw, locale)
        if lines:
            result.append((question.label(locale), lines))
    return result


def typed_answers_text(consultation, form, locale=None, files=None) -> str:
    """The same answers as a plain text file."""
    return answers_text(
        consultation.text("title", locale), consultation.questionnaire, form, locale, files
    )


def answers_text(title, questionnaire, form, locale=None, files=None) -> str:
    """A questionnaire's answers in ``form`` as plain text, headed by ``title``."""
    out = [title, _("Your answers (not submitted)"), ""]
    for label, lines in typed_answers(questionnaire, form, locale, files):
        out.append(label)
        out.extend(f"  {line}" for line in lines)
        out.append("")
    return "\n".join(out)
