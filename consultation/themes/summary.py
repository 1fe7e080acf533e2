"""What the summary report says of themes and codes: a section per free-text question."""

from dataclasses import dataclass, field

from ..consultations.queries import profile_labeller
from ..formatting import share
from . import queries
from .quotes import theme_quotes

#: Quotes per theme in the report.
REPORT_QUOTES = 2


def attribution_for(consultation, locale):
    """``who(row)``: who wrote a quote, as far as the allow-list publishes them."""
    # The report's one rule for naming authors (imported here: the reports import themes).
    from ..reports.question_summary import attribution

    type_label = profile_labeller(consultation, "respondent_type", locale)
    return lambda row: attribution(row, type_label, locale)


@dataclass
class ThemeSection:
    """One question's themes and codes, in the report's language."""

    key: str
    label: str
    answers: int
    #: (name, answers, share, distinct texts, top terms, [quotes]).
    themes: list = field(default_factory=list)
    #: (code, answers, share).
    codes: list = field(default_factory=list)
    coded: int = 0
    found_at: object = None


def theme_sections(consultation, scope, locale) -> list[ThemeSection]:
    """The questions that have themes or codes, in the questionnaire's order."""
    who = attribution_for(consultation, locale)
    sections = []
    for question, record in queries.free_text_questions(consultation):
        themes = queries.themes(record.id, scope)
        codes = queries.codebook(record.id)
        if not themes and not codes:
            continue
        answers = queries.counted_answers(record.id, scope)
        section = ThemeSection(question.key, question.label(locale), answers)
        section.found_at = queries.themes_found_at(record.id)
        for row in themes:
            quotes = theme_quotes(row.theme, question, REPORT_QUOTES, who, scope)
            section.themes.append(
                (
                    row.theme.name,
                    row.answers,
                    share(row.answers, answers, locale),
                    row.distinct,
                    row.theme.terms,
                    quotes,
                )
            )
        counts = queries.code_counts(record.id, scope)
        section.codes = [
            (code.label, counts.get(code.id, 0), share(counts.get(code.id, 0), answers, locale))
            for code in codes
        ]
        section.coded = queries.coded_answers(record.id, scope) if codes else 0
        sections.append(section)
    return sections
