"""The factual summary of a consultation: the figures, in the order the report shows them.

Every number comes from ``queries`` (SQL aggregates); this module only puts
labels on them in the report's language, writes the shares and draws the
charts. Who wrote a quoted answer is said as far as ``publication`` allows.
"""

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale, gettext, ngettext
from markupsafe import Markup

from .. import clock
from ..campaigns.queries import PUBLIC_MINIMUM
from ..formatting import brussels_datetime, long_date, share
from ..i18n import current_locale, number, quantity
from ..questionnaires.options import EU_MEMBERS, country_footnotes, country_name
from ..questionnaires.text import tr
from . import charts, publication, queries
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


def issuing_body(locale=None) -> str:
    """Who publishes the report: the ``ISSUING_BODY`` setting (a text, or one per language)."""
    configured = current_app.config.get("ISSUING_BODY")
    return tr(configured, locale) if configured else gettext("European Commission")


def window_sentence(consultation, locale=None) -> str:
    """When the consultation was (or is) open, as a sentence in ``locale`` (by default the
    reader's language)."""
    with force_locale(locale or current_locale()):
        return _window_sentence(consultation, locale)


def _window_sentence(consultation, locale):
    opens = long_date(clock.to_brussels(consultation.opens_at).date(), locale)
    closes = long_date(consultation.closing_date, locale)
    now = clock.now_utc()
    if now < consultation.opens_at:
        return gettext(
            "The consultation opens on %(opens)s and will be open until %(closes)s (midnight "
            "at the end of the day, Brussels time).",
            opens=opens,
            closes=closes,
        )
    if consultation.closed_at and consultation.ended_at < consultation.closes_at:
        return gettext(
            "The consultation opened on %(opens)s and was closed early, on %(closed)s Brussels "
            "time (it was to stay open until %(closes)s).",
            opens=opens,
            closed=brussels_datetime(consultation.ended_at, locale),
            closes=closes,
        )
    if now < consultation.ended_at:
        return gettext(
            "The consultation opened on %(opens)s and is open until %(closes)s (midnight at the "
            "end of the day, Brussels time): these figures will still change.",
            opens=opens,
            closes=closes,
        )
    return gettext(
        "The consultation was open from %(opens)s to %(closes)s (midnight at the end of the "
        "day, Brussels time).",
        opens=opens,
        closes=closes,
    )


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


@dataclass
class Summary:
    """Everything the summary report shows, in the report's language (``locale``)."""

    consultation: object
    locale: str
    issuing_body: str
    window: str
    generated_at: object
    filters: list
    total: int
    flagged: dict
    #: (label, count, share) rows, and (name, count, share, code) for countries.
    by_type: list
    by_country: list
    eu_count: int
    non_eu_count: int
    country_count: int
    organisation_count: int
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
    #: How many contributions were left out and why, in words.
    left_out: str = ""
    #: A few of the texts of those who answered "Other" to the respondent type.
    type_others: list = field(default_factory=list)
    #: Footnotes of the country designations listed (Kosovo*).
    country_notes: list = field(default_factory=list)
    #: Themes and codes of the free-text questions (``themes.summary.ThemeSection``).
    themes: list = field(default_factory=list)

    @property
    def flagged_total(self) -> int:
        return sum(self.flagged.values())

    @property
    def sme_share(self) -> str:
        return share(self.sme_count, self.sized, self.locale)

    def share(self, part, whole=None) -> str:
        """``part`` as a share of ``whole`` (by default of all contributions counted)."""
        return share(part, self.total if whole is None else whole, self.locale)

    def number(self, value) -> str:
        return number(value, self.locale)

    def left_out_sentence(self) -> str:
        """How many contributions were left out and why, as a sentence."""
        total = self.flagged_total
        if not total:
            return gettext("No contribution was marked as spam or as a duplicate.")
        details = [
            ngettext("%(count)s as spam", "%(count)s as spam", n, count=number(n, self.locale))
            if flag == "spam"
            else ngettext(
                "%(count)s as a duplicate",
                "%(count)s as duplicates",
                n,
                count=number(n, self.locale),
            )
            for flag, n in sorted(self.flagged.items())
        ]
        return ngettext(
            "%(count)s contribution was left out because a moderator marked it (%(details)s).",
            "%(count)s contributions were left out because a moderator marked them (%(details)s).",
            total,
            count=number(total, self.locale),
            details=", ".join(details),
        )


def build_summary(
    consultation,
    respondent_type=None,
    country=None,
    *,
    locale=None,
    campaign_threshold=PUBLIC_MINIMUM,
    excerpts=5,
) -> Summary:
    """Gather the figures of the summary report for ``consultation`` (optionally filtered), with
    every label in ``locale`` (by default the reader's language)."""
    locale = locale or current_locale()
    with force_locale(locale):
        return _build(consultation, respondent_type, country, locale, campaign_threshold, excerpts)


def _build(consultation, respondent_type, country, locale, campaign_threshold, excerpts):
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

    types = count_by("respondent_type")
    by_type = _profile_rows(types, profile.get("respondent_type"), locale, total)
    by_size = _profile_rows(count_by("organisation_size"), profile.get("organisation_size"), locale)
    sized = sum(n for key, n in _keyed(by_size) if key is not None)
    sme = sum(n for key, n in _keyed(by_size) if key in SME_SIZES)
    countries = count_by("country")
    eu = sum(n for code, n in countries.items() if code in EU_MEMBERS)
    known = sum(n for code, n in countries.items() if code)
    by_country = sorted(
        (
            (
                country_name(code, locale) if code else gettext("Not given"),
                n,
                share(n, total, locale),
                code,
            )
            for code, n in countries.items()
        ),
        key=lambda row: (-row[1], row[0]),
    )
    files, with_files = queries.upload_counts(scope)
    campaign_count, campaigns = _campaigns(scope, consultation, campaign_threshold, locale)

    summary = Summary(
        consultation=consultation,
        locale=locale,
        issuing_body=consultation.text("issuing_body", locale) or issuing_body(locale),
        window=window_sentence(consultation, locale),
        generated_at=clock.now_utc(),
        filters=_filter_texts(profile, respondent_type, country, locale),
        total=total,
        flagged=queries.flag_counts(scope),
        by_type=[row[:3] for row in by_type],
        by_country=by_country,
        eu_count=eu,
        non_eu_count=known - eu,
        country_count=sum(1 for code in countries if code),
        organisation_count=sum(
            n for key, n in types.items() if key and key not in publication.CITIZEN_TYPES
        ),
        by_size=[row[:3] for row in by_size],
        sized=sized,
        sme_count=sme,
        by_publication=[
            row[:3]
            for row in _profile_rows(
                count_by("publication"), profile.get("publication"), locale, total
            )
        ],
        sections=_sections(scope, consultation, total, excerpts, locale),
        uploads=files,
        responses_with_uploads=with_files,
        campaigns=campaigns,
        campaign_threshold=campaign_threshold,
        campaign_count=campaign_count,
    )
    summary.left_out = summary.left_out_sentence()
    summary.participation_chart = charts.bar_chart(
        [(label, n) for label, n, _ in summary.by_type],
        total,
        gettext("Respondents by type"),
        locale,
    )
    summary.country_notes = country_footnotes(countries)
    types = profile.get("respondent_type")
    if types is not None:
        ids = {record.key: record.id for record in consultation.questions if record.active}
        summary.type_others = _others(
            types,
            scope,
            ids.get(types.key),
            excerpts,
            lambda key: types.option_label(key, locale),
            locale,
        )
    # -- themes and codes (consultation/themes) --
    from ..themes.summary import theme_sections

    summary.themes = theme_sections(consultation, scope, locale)
    # -- end themes and codes --
    summary.size_chart = charts.bar_chart(
        [(label, n) for label, n, _, key in by_size if key is not None],
        sized,
        gettext("Organisations by size"),
        locale,
    )
    return summary


def _keyed(rows):
    return [(row[3], row[1]) for row in rows]


def _profile_rows(counts, question, locale, denominator=None):
    """(label, count, share, key) for {key: n} of a response column, in the question's order."""
    whole = denominator if denominator is not None else sum(counts.values())
    keys = list(getattr(question, "option_keys", [])) if question else []
    keys += sorted(k for k in counts if k is not None and k not in keys)
    rows = []
    for key in keys:
        label = question.option_label(key, locale) if question else key
        n = counts.get(key, 0)
        rows.append((label, n, share(n, whole, locale), key))
    if counts.get(None) and denominator is not None:
        none = counts[None]
        rows.append((gettext("Not given"), none, share(none, whole, locale), None))
    return rows


def _filter_texts(profile, respondent_type, country, locale):
    texts = []
    if respondent_type:
        question = profile.get("respondent_type")
        label = question.option_label(respondent_type, locale) if question else respondent_type
        texts.append(gettext("Respondent type: %(type)s", type=label))
    if country:
        texts.append(gettext("Country: %(country)s", country=country_name(country, locale)))
    return texts


def _sections(scope, consultation, total, excerpts, locale):
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
        return types.option_label(key, locale) if types else key

    sections, position = [], 0
    for section in questionnaire.sections:
        items = []
        for question in section.questions:
            if question not in reported:
                continue
            position += 1
            qid = ids[question.key]
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
                item.others = _others(question, scope, qid, excerpts, type_label, locale)
            elif question.kind == "matrix":
                _matrix(item, question, qid, options, rows_answered, locale)
            elif question.kind == "ranking":
                _ranking(item, question, qid, ranks, locale)
            elif question.kind == "number":
                _number(item, question, numbers.get(qid), locale)
            elif question.kind in TEXT_KINDS:
                _text(item, question, scope, qid, excerpts, type_label, locale)
            items.append(item)
        if items:
            sections.append((section.heading(locale), items))
    return sections


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
            item.excerpts.append((_excerpt(row.text_value), _attribution(row, type_label, locale)))
    if item.excerpts:
        item.note = ngettext(
            "The first answer received, shown as its author chose to be published.",
            "The first %(count)s answers received, shown as each respondent chose to be published.",
            len(item.excerpts),
            count=len(item.excerpts),
        )


def _others(question, scope, qid, excerpts, type_label, locale) -> list:
    """A few of the texts written for the question's "Other" option, as excerpts are shown."""
    if qid is None or not question.other_key:
        return []
    return [
        (_excerpt(row.text_value), _attribution(row, type_label, locale))
        for row in queries.text_samples(scope, qid, excerpts)
    ]


def _excerpt(text):
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


def _attribution(row, type_label, locale):
    """Who wrote an excerpt, from what the allow-list publishes of them: an organisation's name
    or a public citizen's, else "Anonymous"; their type and country."""
    shown = publication.published_profile(row)
    person = " ".join(part for part in (shown.get("first_name"), shown.get("surname")) if part)
    name = shown.get("organisation_name") or person or gettext("Anonymous")
    kind = type_label(shown["respondent_type"]) if shown.get("respondent_type") else ""
    place = country_name(shown["country"], locale) if shown.get("country") else ""
    return ", ".join(part for part in (name, kind, place) if part)


def _campaigns(scope, consultation, threshold, locale):
    """The near-identical groups (``campaigns.report``), each quoted once as its author allows."""
    from ..campaigns.report import campaign_lines

    types = consultation.questionnaire.profile_questions().get("respondent_type")

    def who(row):
        return _attribution(
            row, lambda key: types.option_label(key, locale) if types else key, locale
        )

    count, lines = campaign_lines(scope, consultation, threshold, MAX_CAMPAIGNS, locale, who)
    for line in lines:
        line.quote = _excerpt(line.quote) if line.quote else None
    return count, lines
