"""What a person typed, shown back when their contribution could not be accepted."""

from flask_babel import gettext as _

from ..questionnaires.forms import field_for, validate_answers


def typed_answers(questionnaire, form, locale=None) -> list[tuple[str, list[str]]]:
    """(question, lines) for every answer the person gave, valid or not, in questionnaire order."""
    values, _ = validate_answers(form, questionnaire)
    result = []
    for question in questionnaire:
        if question.key in values:
            lines = question.display(values[question.key], locale)
        else:
            raw = field_for(form, question).data
            if raw in (None, "", [], {}) or question.kind in ("file", "consent"):
                continue
            lines = (
                [str(value) for value in raw.values()]
                if isinstance(raw, dict)
                else ([str(value) for value in raw] if isinstance(raw, list) else [str(raw)])
            )
        if lines:
            result.append((question.label(locale), lines))
    return result


def typed_answers_text(consultation, form, locale=None) -> str:
    """The same answers as a plain text file."""
    out = [consultation.text("title", locale), _("Your answers (not submitted)"), ""]
    for label, lines in typed_answers(consultation.questionnaire, form, locale):
        out.append(label)
        out.extend(f"  {line}" for line in lines)
        out.append("")
    return "\n".join(out)
