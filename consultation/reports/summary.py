"""The factual summary of a consultation: the figures, in the order the report shows them.

Every number comes from ``queries`` (SQL aggregates); this module only puts
labels on them, computes shares and draws the charts.
"""

from dataclasses import dataclass, field

from markupsafe import Markup

from .. import clock
from ..questionnaires.options import EU_MEMBERS, country_footnotes, country_name
from . import charts, queries
from .queries import Scope

#: Question kinds counted option by option.
CHOICE_KINDS = {"single_choice", "multiple_choice", "country"}
#: Question kinds whose answers are texts people wrote.
TEXT_KINDS = {"short_text", "long_text"}
#: Kinds searched for campaigns; one-line answers (a dataset's name) coincide naturally.
CAMPAIGN_KINDS = {"long_text"}
#: Kinds left out of the question-by-question part: personal, or counted elsewhere.
SKIPPED_KINDS = {"email", "consent", "file"}
SME_SIZES = ("micro", "small", "medium")
#: A country question lists this many countries before "other countries".
TOP_COUNTRIES = 15
EXCERPT_CHARS = 400
#: The report lists at most this many campaign groups (the largest), and counts the rest.
MAX_CAMPAIGNS = 40
NOT_GIVEN = "Not given"


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
    rows: list = field(default_factory=list)
    stats: dict | None = None
    excerpts: list = field(default_factory=list)
    note: str = ""
    #: The "Other" option's label, and a few of the texts written for it, as excerpts are.
    other_label: str = ""
    others: list = field(default_factory=list)


@dataclass
class Summary:
    """Everything the summary report shows."""

    consultation: object
    generated_at: object
    filters: list
    total: int
    flagged: dict
    by_type: list
    by_country: list
    eu_count: int
    non_eu_count: int
    country_count: int
    by_size: list
    sized: int
    sme_count: int
    by_publication: list
    sections: list
    uploads: int
    responses_with_uploads: int
    campaigns: list
    campaign_threshold: int
    #: Campaign groups found in all, listed or not.
    campaign_count: int
    participation_chart: Markup = Markup("")
    size_chart: Markup = Markup("")
    #: A few of the texts of those who answered "Other" to the respondent type.
    type_others: list = field(default_factory=list)
    #: Footnotes of the country designations listed (Kosovo*).
    country_notes: list = field(default_factory=list)

    @property
    def flagged_total(self) -> int:
        return sum(self.flagged.values())

    @property
    def sme_share(self) -> float:
        return charts.percent(self.sme_count, self.sized)


def build_summary(
    consultation, respondent_type=None, country=None, *, campaign_threshold=10, excerpts=5
) -> Summary:
    """Gather the figures of the summary report for ``consultation`` (optionally filtered)."""
    scope = Scope(consultation.id, respondent_type, country)
    questionnaire = consultation.questionnaire
    profile = questionnaire.profile_questions()
    groups = queries.profile_counts(scope)
    total = sum(groups.values())

    def count_by(column):
        index = queries.PROFILE_COLUMNS.index(column)
        counts = {}
        for key, n in groups.items():
            counts[key[index]] = counts.get(key[index], 0) + n
        return counts

    by_type = _profile_rows(count_by("respondent_type"), profile.get("respondent_type"), total)
    by_size = _profile_rows(count_by("organisation_size"), profile.get("organisation_size"))
    sized = sum(n for key, n, _ in _keyed(by_size) if key is not None)
    sme = sum(n for key, n, _ in _keyed(by_size) if key in SME_SIZES)
    countries = count_by("country")
    eu = sum(n for code, n in countries.items() if code in EU_MEMBERS)
    known = sum(n for code, n in countries.items() if code)
    by_country = sorted(
        (
            (country_name(code) if code else NOT_GIVEN, n, charts.percent(n, total), code)
            for code, n in countries.items()
        ),
        key=lambda row: (-row[1], row[0]),
    )
    files, with_files = queries.upload_counts(scope)
    campaign_count, campaigns = _campaigns(scope, consultation, campaign_threshold)

    summary = Summary(
        consultation=consultation,
        generated_at=clock.now_utc(),
        filters=_filter_texts(profile, respondent_type, country),
        total=total,
        flagged=queries.flag_counts(scope),
        by_type=[row[:3] for row in by_type],
        by_country=by_country,
        eu_count=eu,
        non_eu_count=known - eu,
        country_count=sum(1 for code in countries if code),
        by_size=[row[:3] for row in by_size],
        sized=sized,
        sme_count=sme,
        by_publication=[
            row[:3]
            for row in _profile_rows(count_by("publication"), profile.get("publication"), total)
        ],
        sections=_sections(scope, consultation, total, excerpts),
        uploads=files,
        responses_with_uploads=with_files,
        campaigns=campaigns,
        campaign_threshold=campaign_threshold,
        campaign_count=campaign_count,
    )
    summary.participation_chart = charts.bar_chart(summary.by_type, "Respondents by type")
    summary.country_notes = country_footnotes(countries)
    types = profile.get("respondent_type")
    if types is not None:
        ids = {record.key: record.id for record in consultation.questions if record.active}
        summary.type_others = _others(
            types, scope, ids.get(types.key), excerpts, types.option_label
        )
    summary.size_chart = charts.bar_chart(
        [(label, n, charts.percent(n, sized)) for label, n, _ in summary.by_size if label],
        "Organisations by size",
    )
    return summary


def _keyed(rows):
    return [(row[3], row[1], row[2]) for row in rows]


def _profile_rows(counts, question, denominator=None):
    """(label, count, percent, key) for {key: n} of a response column, in the question's order."""
    whole = denominator if denominator is not None else sum(counts.values())
    keys = list(getattr(question, "option_keys", [])) if question else []
    keys += sorted(k for k in counts if k is not None and k not in keys)
    rows = []
    for key in keys:
        label = question.option_label(key) if question else key
        rows.append((label, counts.get(key, 0), charts.percent(counts.get(key, 0), whole), key))
    if counts.get(None) and denominator is not None:
        none = counts[None]
        rows.append((NOT_GIVEN, none, charts.percent(none, whole), None))
    return rows


def _filter_texts(profile, respondent_type, country):
    texts = []
    if respondent_type:
        question = profile.get("respondent_type")
        label = question.option_label(respondent_type) if question else respondent_type
        texts.append(f"Respondent type: {label}")
    if country:
        texts.append(f"Country: {country_name(country)}")
    return texts


def _sections(scope, consultation, total, excerpts):
    questionnaire = consultation.questionnaire
    ids = {record.key: record.id for record in consultation.questions if record.active}
    reported = [
        q for q in questionnaire if not q.profile and q.kind not in SKIPPED_KINDS and q.key in ids
    ]

    def ids_of(kinds):
        return [ids[q.key] for q in reported if q.kind in kinds]

    options = queries.option_counts(scope, ids_of(CHOICE_KINDS | {"matrix"}))
    answered = queries.answered_counts(scope, [ids[q.key] for q in reported])
    rows_answered = queries.row_answered_counts(scope, ids_of({"matrix"}))
    ranks = queries.rank_stats(scope, ids_of({"ranking"}))
    numbers = queries.number_stats(scope, ids_of({"number"}))
    types = questionnaire.profile_questions().get("respondent_type")

    def type_label(key):
        return types.option_label(key) if types else key

    sections, number = [], 0
    for section in questionnaire.sections:
        items = []
        for question in section.questions:
            if question not in reported:
                continue
            number += 1
            qid = ids[question.key]
            item = QuestionSummary(
                number, question.key, question.label(), question.kind, answered.get(qid, 0), total
            )
            if question.kind in CHOICE_KINDS:
                _choice(item, question, qid, options)
                item.other_label = question.other_label() if question.other_key else ""
                item.others = _others(question, scope, qid, excerpts, type_label)
            elif question.kind == "matrix":
                _matrix(item, question, qid, options, rows_answered)
            elif question.kind == "ranking":
                _ranking(item, question, qid, ranks)
            elif question.kind == "number":
                _number(item, question, numbers.get(qid))
            elif question.kind in TEXT_KINDS:
                _text(item, question, scope, qid, excerpts, type_label)
            items.append(item)
        if items:
            sections.append((section.heading(), items))
    return sections


def _choice(item, question, qid, options):
    counts = {option: n for (q, _, option), n in options.items() if q == qid}
    if question.kind == "country":
        ordered = sorted(counts, key=lambda code: -counts[code])
        rows = [(country_name(c), counts[c]) for c in ordered[:TOP_COUNTRIES]]
        rest = sum(counts[c] for c in ordered[TOP_COUNTRIES:])
        if rest:
            rows.append((f"Other countries ({len(ordered) - TOP_COUNTRIES})", rest))
    else:
        rows = [(question.option_label(key), counts.get(key, 0)) for key in question.option_keys]
    item.rows = [(label, n, charts.percent(n, item.answered)) for label, n in rows]
    item.chart = charts.bar_chart(item.rows, item.label)
    if question.kind == "country":
        item.note = " ".join(country_footnotes(counts))
    if question.kind == "multiple_choice":
        item.note = "Several answers were possible, so the percentages add up to more than 100%."


def _matrix(item, question, qid, options, rows_answered):
    rows = []
    for row in question.row_keys:
        counts = [options.get((qid, row, point), 0) for point in question.scale_keys]
        rows.append((question.row_label(row), counts, rows_answered.get((qid, row), 0)))
    scale = [question.scale_label(point) for point in question.scale_keys]
    item.rows = rows
    item.stats = {"scale": scale}
    item.chart = charts.stacked_chart(rows, scale, item.label)
    item.note = "Each bar shows the shares of those who answered that statement (n)."


def _ranking(item, question, qid, ranks):
    size = len(question.option_keys)
    rows = []
    for key in question.option_keys:
        stats = ranks.get((qid, key), queries.RankStats(0, 0, 0))
        # Borda points: first place earns as many points as there are options, last earns 1.
        points = stats.ranked * (size + 1) - stats.rank_sum
        score = points / item.answered if item.answered else 0.0
        rows.append((question.option_label(key), score, stats.first))
    rows.sort(key=lambda row: -row[1])
    item.rows = rows
    item.chart = charts.score_chart(rows, size, item.label)
    item.note = (
        f"Score: the average points per respondent, {size} for a first place down to 1 for "
        "the last; an option left unranked earns none."
    )


def _number(item, question, stats):
    if not stats:
        return
    answers, low, high, mean = stats
    unit = f" {question.unit}" if question.unit else ""
    item.stats = {
        "Answers": f"{answers:,}",
        "Lowest": f"{low:g}{unit}",
        "Highest": f"{high:g}{unit}",
        "Average": f"{float(mean):.2f}{unit}",
    }


def _text(item, question, scope, qid, excerpts, type_label):
    if getattr(question, "pattern", None) is not None:
        item.note = "An identifier, not an opinion: only the number of answers is reported."
        return
    for row in queries.text_samples(scope, qid, excerpts):
        item.excerpts.append((_excerpt(row.text_value), _attribution(row, type_label)))
    if item.excerpts:
        item.note = (
            f"The first {len(item.excerpts)} answers received, shown as each respondent chose "
            "to be published."
        )


def _others(question, scope, qid, excerpts, type_label) -> list:
    """A few of the texts written for the question's "Other" option, as excerpts are shown."""
    if qid is None or not question.other_key:
        return []
    return [
        (_excerpt(row.text_value), _attribution(row, type_label))
        for row in queries.text_samples(scope, qid, excerpts)
    ]


def _excerpt(text):
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


def _attribution(row, type_label):
    """Who wrote an excerpt, as far as they allowed it: never an e-mail, a name only if public."""
    if row.organisation_name:
        name = row.organisation_name  # published even for anonymous organisations, never a person
    elif row.publication == "public" and (row.first_name or row.surname):
        name = " ".join(part for part in (row.first_name, row.surname) if part)
    else:
        name = "Anonymous"
    kind = type_label(row.respondent_type) if row.respondent_type else ""
    place = country_name(row.country) if row.country else ""
    return ", ".join(part for part in (name, kind, place) if part)


def _campaigns(scope, consultation, threshold):
    questionnaire = consultation.questionnaire
    records = {record.id: record.key for record in consultation.questions}
    text_ids = [
        record_id
        for record_id, key in records.items()
        if key in questionnaire.questions
        and questionnaire.questions[key].kind in CAMPAIGN_KINDS
        and not questionnaire.questions[key].profile
    ]
    count, groups = queries.campaign_groups(scope, text_ids, threshold, MAX_CAMPAIGNS)
    return count, [
        (questionnaire.questions[records[qid]].label(), size, _excerpt(text))
        for qid, size, text in groups
    ]
