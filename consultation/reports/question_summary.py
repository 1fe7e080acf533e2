"""What the summary report says about each question, one question type's way each: its
counts, chart, text samples and notes, from the aggregate reads of ``queries``.

Current questions and the questions an earlier questionnaire version asked (kept with
their answers under their own question row) go through the same code, so a replaced
question is reported exactly like a current one of its type.
"""

from dataclasses import dataclass, field

from flask_babel import gettext, ngettext
from markupsafe import Markup

from ..formatting import share
from ..i18n import number, quantity
from ..questionnaires.options import country_footnotes, country_name
from . import charts, publication, queries

#: Question kinds counted option by option.
CHOICE_KINDS = {"single_choice", "multiple_choice", "country"}
#: Question kinds whose answers are texts people wrote.
TEXT_KINDS = {"short_text", "long_text"}
#: A country question lists this many countries before "other countries".
TOP_COUNTRIES = 15
EXCERPT_CHARS = 400


@dataclass
class QuestionSummary:
    """What the report says about one question."""

    number: int
    key: str
    label: str
    kind: str
    answered: int
    total: int
    chart: Markup | None = None
    #: Choice questions: (label, count, share); matrices: (label, [counts], answered);
    #: rankings: (label, score, times first).
    rows: list = field(default_factory=list)
    stats: dict | None = None
    excerpts: list = field(default_factory=list)
    note: str = ""
    #: The "Other" option's label, and a few of the texts written for it, as excerpts are.
    other_label: str = ""
    others: list = field(default_factory=list)
    #: A question of an earlier questionnaire version: which versions asked it, in words.
    asked: str = ""


def question_summaries(scope, entries, excerpts, type_label, locale) -> list[QuestionSummary]:
    """A ``QuestionSummary`` for each (number, question, question_id, total) of ``entries``
    (``total``: how many counted contributions could answer it), its figures read with one
    query per kind for all of them."""

    def ids_of(kinds):
        return [qid for _, question, qid, _ in entries if question.kind in kinds]

    options = queries.option_counts(scope, ids_of(CHOICE_KINDS | {"matrix"}))
    answered = queries.answered_counts(scope, [qid for _, _, qid, _ in entries])
    rows_answered = queries.row_answered_counts(scope, ids_of({"matrix"}))
    ranks = queries.rank_stats(scope, ids_of({"ranking"}))
    numbers = queries.number_stats(scope, ids_of({"number"}))
    items = []
    for position, question, qid, total in entries:
        item = QuestionSummary(
            position,
            question.key,
            question.label(locale),
            question.kind,
            answered.get(qid, 0),
            total,
        )
        if question.kind in CHOICE_KINDS:
            _choice(item, question, qid, options, locale)
            item.other_label = question.other_label(locale) if question.other_key else ""
            item.others = other_texts(question, scope, qid, excerpts, type_label, locale)
        elif question.kind == "matrix":
            _matrix(item, question, qid, options, rows_answered, locale)
        elif question.kind == "ranking":
            _ranking(item, question, qid, ranks, locale)
        elif question.kind == "number":
            _number(item, question, numbers.get(qid), locale)
        elif question.kind in TEXT_KINDS:
            _text(item, question, scope, qid, excerpts, type_label, locale)
        items.append(item)
    return items


def _choice(item, question, qid, options, locale):
    counts = {option: n for (q, _, option), n in options.items() if q == qid}
    if question.kind == "country":
        ordered = sorted(counts, key=lambda code: -counts[code])
        rows = [(country_name(c, locale), counts[c]) for c in ordered[:TOP_COUNTRIES]]
        rest = sum(counts[c] for c in ordered[TOP_COUNTRIES:])
        if rest:
            others = len(ordered) - TOP_COUNTRIES
            rows.append(
                (
                    ngettext(
                        "One other country",
                        "%(count)s other countries",
                        others,
                        count=number(others, locale),
                    ),
                    rest,
                )
            )
    else:
        rows = [
            (question.option_label(key, locale), counts.get(key, 0)) for key in question.option_keys
        ]
    item.rows = [(label, n, share(n, item.answered, locale)) for label, n in rows]
    item.chart = charts.bar_chart(rows, item.answered, item.label, locale)
    if question.kind == "country":
        item.note = " ".join(country_footnotes(counts))
    if question.kind == "multiple_choice":
        item.note = gettext(
            "Several answers were possible, so the percentages add up to more than 100%."
        )


def _matrix(item, question, qid, options, rows_answered, locale):
    rows = []
    for row in question.row_keys:
        counts = [options.get((qid, row, point), 0) for point in question.scale_keys]
        rows.append((question.row_label(row, locale), counts, rows_answered.get((qid, row), 0)))
    scale = [question.scale_label(point, locale) for point in question.scale_keys]
    item.rows = rows
    item.stats = {"scale": scale}
    item.chart = charts.stacked_chart(rows, scale, question.scale_keys, item.label, locale)
    item.note = gettext(
        "Each bar shows the shares of those who answered that statement (n); the table gives "
        "every share."
    )


def _ranking(item, question, qid, ranks, locale):
    size = len(question.option_keys)
    rows = []
    for key in question.option_keys:
        stats = ranks.get((qid, key), queries.RankStats(0, 0, 0))
        # Borda points: first place earns as many points as there are options, last earns 1.
        points = stats.ranked * (size + 1) - stats.rank_sum
        score = points / item.answered if item.answered else 0.0
        rows.append((question.option_label(key, locale), score, stats.first))
    rows.sort(key=lambda row: -row[1])
    item.rows = rows
    item.chart = charts.score_chart(rows, size, item.label, locale)
    item.note = gettext(
        "Score: the average points per respondent, %(size)s for a first place down to 1 for "
        "the last; an option left unranked earns none.",
        size=size,
    )


def _number(item, question, stats, locale):
    if not stats:
        return
    answers, low, high, mean = stats
    unit = question.unit

    def shown(value, places=None):
        value = float(value)
        if places is not None:
            value = round(value, places)
        elif question.integer:
            value = int(value)
        return quantity(value, unit, locale)

    item.stats = {
        gettext("Answers"): number(answers, locale),
        gettext("Lowest"): shown(low),
        gettext("Highest"): shown(high),
        gettext("Average"): shown(mean, 1),
    }


def _text(item, question, scope, qid, excerpts, type_label, locale):
    if getattr(question, "pattern", None) is not None:
        item.note = gettext(
            "An identifier, not an opinion: only the number of answers is reported."
        )
        return
    audiences = publication.answer_audiences(question)
    for row in queries.text_samples(scope, qid, excerpts):
        if publication.audience(row.respondent_type, row.publication) in audiences:
            item.excerpts.append((excerpt(row.text_value), attribution(row, type_label, locale)))
    if item.excerpts:
        item.note = ngettext(
            "The first answer received, shown as its author chose to be published.",
            "The first %(count)s answers received, shown as each respondent chose to be published.",
            len(item.excerpts),
            count=len(item.excerpts),
        )


def other_texts(question, scope, qid, excerpts, type_label, locale) -> list:
    """A few of the texts written for the question's "Other" option, as excerpts are shown."""
    if qid is None or not question.other_key:
        return []
    return [
        (excerpt(row.text_value), attribution(row, type_label, locale))
        for row in queries.text_samples(scope, qid, excerpts)
    ]


def excerpt(text):
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


def attribution(row, type_label, locale):
    """Who wrote an excerpt, from what the allow-list publishes of them: an organisation's name
    or a public citizen's, else "Anonymous"; their type and country."""
    shown = publication.published_profile(row)
    person = " ".join(part for part in (shown.get("first_name"), shown.get("surname")) if part)
    name = shown.get("organisation_name") or person or gettext("Anonymous")
    kind = type_label(shown["respondent_type"]) if shown.get("respondent_type") else ""
    place = country_name(shown["country"], locale) if shown.get("country") else ""
    return ", ".join(part for part in (name, kind, place) if part)
