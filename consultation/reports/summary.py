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
from ..consultations.queries import (
    first_asked,
    profile_labeller,
    profile_questions_asked,
    retired_questions,
)
from ..formatting import brussels_datetime, long_date, share
from ..i18n import current_locale, number
from ..questionnaires.options import EU_MEMBERS, country_footnotes, country_name
from ..questionnaires.text import tr
from . import charts, publication, queries
from .queries import Scope
from .question_summary import attribution, excerpt, other_texts, question_summaries

#: Kinds searched for campaigns; one-line answers (a dataset's name) coincide naturally.
CAMPAIGN_KINDS = {"long_text"}
#: Kinds left out of the question-by-question part: personal, or counted elsewhere.
SKIPPED_KINDS = {"email", "consent", "file"}
SME_SIZES = ("micro", "small", "medium")
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
    #: ``QuestionSummary`` of the questions earlier versions asked and a later one replaced.
    replaced: list
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
    asked = profile_questions_asked(consultation)
    # An option a newer version removed is still stored on the rows that chose it.
    label_of = {
        column: profile_labeller(consultation, column, locale, asked)
        for column in ("respondent_type", "organisation_size", "publication")
    }
    type_label = label_of["respondent_type"]
    groups = queries.profile_counts(scope)
    total = sum(groups.values())

    def count_by(column):
        index = queries.PROFILE_COLUMNS.index(column)
        counts = {}
        for key, n in groups.items():
            counts[key[index]] = counts.get(key[index], 0) + n
        return counts

    types = count_by("respondent_type")
    by_type = _profile_rows(types, profile.get("respondent_type"), type_label, locale, total)
    by_size = _profile_rows(
        count_by("organisation_size"),
        profile.get("organisation_size"),
        label_of["organisation_size"],
        locale,
    )
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
    sections, replaced = _sections(scope, consultation, total, excerpts, type_label, locale)
    campaign_count, campaigns = _campaigns(
        scope, consultation, campaign_threshold, type_label, locale
    )

    summary = Summary(
        consultation=consultation,
        locale=locale,
        issuing_body=consultation.text("issuing_body", locale) or issuing_body(locale),
        window=window_sentence(consultation, locale),
        generated_at=clock.now_utc(),
        filters=_filter_texts(type_label, respondent_type, country, locale),
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
                count_by("publication"),
                profile.get("publication"),
                label_of["publication"],
                locale,
                total,
            )
        ],
        sections=sections,
        replaced=replaced,
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
        summary.type_others = other_texts(
            types,
            scope,
            ids.get(types.key),
            excerpts,
            type_label,
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


def _profile_rows(counts, question, label_of, locale, denominator=None):
    """(label, count, share, key) for {key: n} of a response column, in the question's order
    (``label_of(key)``: ``profile_labeller``'s, naming the options a newer version removed
    too, which follow the current ones)."""
    whole = denominator if denominator is not None else sum(counts.values())
    keys = list(getattr(question, "option_keys", [])) if question else []
    keys += sorted(k for k in counts if k is not None and k not in keys)
    rows = []
    for key in keys:
        n = counts.get(key, 0)
        rows.append((label_of(key), n, share(n, whole, locale), key))
    if counts.get(None) and denominator is not None:
        none = counts[None]
        rows.append((gettext("Not given"), none, share(none, whole, locale), None))
    return rows


def _filter_texts(type_label, respondent_type, country, locale):
    texts = []
    if respondent_type:
        texts.append(gettext("Respondent type: %(type)s", type=type_label(respondent_type)))
    if country:
        texts.append(gettext("Country: %(country)s", country=country_name(country, locale)))
    return texts


def _sections(scope, consultation, total, excerpts, type_label, locale):
    """(heading, [QuestionSummary]) per section of the questionnaire, and the summaries of
    the questions earlier versions asked and a later one replaced, numbered after them."""
    questionnaire = consultation.questionnaire
    ids = {record.key: record.id for record in consultation.questions if record.active}
    reported = [
        q for q in questionnaire if not q.profile and q.kind not in SKIPPED_KINDS and q.key in ids
    ]
    replaced = [
        found
        for found in retired_questions(consultation)
        if not found.question.profile and found.question.kind not in SKIPPED_KINDS
    ]
    since = first_asked(consultation)
    by_version = queries.version_counts(scope) if replaced or since else {}

    def could(first, last=None):
        """How many counted contributions answered a version from ``first`` to ``last``."""
        return sum(n for v, n in by_version.items() if first <= (v or 1) <= (last or v or 1))

    entries = [
        (n, q, ids[q.key], could(since[q.key]) if q.key in since else total)
        for n, q in enumerate(reported, 1)
    ]
    if replaced:
        for n, found in enumerate(replaced, len(reported) + 1):
            entries.append((n, found.question, found.record.id, could(found.first, found.version)))
    items = question_summaries(scope, entries, excerpts, type_label, locale)
    current = dict(zip(reported, items, strict=False))
    sections = []
    for section in questionnaire.sections:
        found = [current[q] for q in section.questions if q in current]
        if found:
            sections.append((section.heading(locale), found))
    earlier = items[len(reported) :]
    for item, found in zip(earlier, replaced, strict=True):
        item.asked = asked_sentence(found.first, found.version)
    return sections, earlier


def asked_sentence(first, last) -> str:
    """Which versions asked a replaced question, and which replaced it, as a sentence."""
    if first == last:
        return gettext(
            "Asked in version %(version)s of the questionnaire, replaced in version %(replaced)s.",
            version=first,
            replaced=last + 1,
        )
    return gettext(
        "Asked in versions %(first)s to %(last)s of the questionnaire, replaced in version "
        "%(replaced)s.",
        first=first,
        last=last,
        replaced=last + 1,
    )


def _campaigns(scope, consultation, threshold, type_label, locale):
    """The near-identical groups (``campaigns.report``), each quoted once as its author allows."""
    from ..campaigns.report import campaign_lines

    def who(row):
        return attribution(row, type_label, locale)

    count, lines = campaign_lines(scope, consultation, threshold, MAX_CAMPAIGNS, locale, who)
    for line in lines:
        line.quote = excerpt(line.quote) if line.quote else None
    return count, lines
