"""The JSON documents of consultations and their results, built from what may be published.

Questions are described only when their answers are published to someone
(``reports.publication.answer_audiences``): the e-mail, or "tell me about the outcome",
are never listed. Counts come from the running tallies (``reports.queries``), like
the summary report: responses marked as spam or duplicate are not counted.
"""

from ..consultations.models import State
from ..i18n import LANGUAGES
from ..questionnaires.text import tr
from ..reports import publication, queries
from ..reports.queries import Scope
from ..urls import external_url

#: Profile columns as Have Your Say's open data names them.
PROFILE_NAMES = {
    "respondent_type": "userType",
    "country": "country",
    "language": "language",
    "organisation_size": "companySize",
    "organisation_name": "organization",
    "transparency_register": "trNumber",
    "first_name": "firstName",
    "surname": "surname",
    "submitted_at": "submittedAt",
    "publication": "publication",
}
#: Question types whose results are option counts.
CHOICE_KINDS = {"single_choice", "multiple_choice", "country"}


def texts(value) -> dict:
    """A questionnaire text in every interface language: {"en": ..., "fr": ..., "de": ...}."""
    return {language: tr(value, language) for language in LANGUAGES}


def iso(moment):
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def results_public(consultation) -> bool:
    """Counts are published once the consultation has closed, or while open if an admin chose."""
    state = consultation.state
    return state is State.CLOSED or (state is State.OPEN and consultation.results_while_open)


def published_questions(consultation):
    """(question record, question) of every question whose answers are published to someone."""
    questionnaire = consultation.questionnaire
    for record in consultation.questions:
        question = questionnaire.questions.get(record.key)
        if question is not None and record.active and publication.answer_audiences(question):
            yield record, question


def _links(consultation, contributions_public):
    links = {
        "self": external_url("api.consultation", slug=consultation.slug),
        "page": external_url("consultations.show", slug=consultation.slug),
        "results": external_url("api.results", slug=consultation.slug),
    }
    if contributions_public:
        links["contributions"] = external_url("api.contributions", slug=consultation.slug)
        links["contributionsCsv"] = external_url("api.bulk_csv", slug=consultation.slug)
        links["contributionsJsonl"] = external_url("api.bulk_jsonl", slug=consultation.slug)
    return links


def consultation_summary(consultation, contributions_public: bool) -> dict:
    """A consultation as the list shows it."""
    return {
        "slug": consultation.slug,
        "title": texts(consultation.questionnaire.data.get("title")),
        "summary": texts(consultation.questionnaire.data.get("summary")),
        "state": consultation.state.value,
        "opensAt": iso(consultation.opens_at),
        "closesAt": iso(consultation.closes_at),
        "closedAt": iso(consultation.closed_at),
        "resultsAvailable": results_public(consultation),
        "contributionsPublished": contributions_public,
        "links": _links(consultation, contributions_public),
    }


def _question(record, question) -> dict:
    item = {
        "key": question.key,
        "type": question.kind,
        "section": question.section.key if question.section else None,
        "text": texts(question.text),
    }
    if question.kind == "matrix":
        item["rows"] = [{"key": r["key"], "label": texts(r["label"])} for r in question.rows]
        item["options"] = [{"key": s["key"], "label": texts(s["label"])} for s in question.scale]
    elif hasattr(question, "options") and question.kind != "country":
        item["options"] = [{"key": o["key"], "label": texts(o["label"])} for o in question.options]
    if question.profile in PROFILE_NAMES:
        item["field"] = PROFILE_NAMES[question.profile]
    return item


def consultation_detail(consultation, contributions_public: bool, outcome=None) -> dict:
    """A consultation with its published questions and, once published, its outcome."""
    document = consultation_summary(consultation, contributions_public)
    document["questions"] = [_question(r, q) for r, q in published_questions(consultation)]
    document["outcome"] = (
        {
            "decisionTitle": outcome.decision_title,
            "decisionUrl": outcome.decision_url,
            "decisionDate": outcome.decision_date.isoformat() if outcome.decision_date else None,
            "reportUrl": outcome.report_url,
            "publishedAt": iso(outcome.published_at),
        }
        if outcome is not None
        else None
    )
    return document


def results(consultation, locale: str) -> dict:
    """The counts per question and option (labels in ``locale``), from the tallies."""
    scope = Scope(consultation.id)
    pairs = list(published_questions(consultation))
    ids = [record.id for record, _ in pairs]
    options = queries.option_counts(scope, ids)
    answered = queries.answered_counts(scope, ids)
    rows_answered = queries.row_answered_counts(scope, ids)
    ranks = queries.rank_stats(scope, ids)
    numbers = queries.number_stats(scope, ids)
    profile = queries.profile_counts(scope)
    total = sum(profile.values())
    by = {name: {} for name in ("respondent_type", "country", "organisation_size", "publication")}
    for key, n in profile.items():
        row = dict(zip(queries.PROFILE_COLUMNS, key, strict=True))
        for name in by:
            if row[name] is not None:
                by[name][row[name]] = by[name].get(row[name], 0) + n
    questions = []
    for record, question in pairs:
        qid = record.id
        item = {
            "key": question.key,
            "type": question.kind,
            "text": tr(question.text, locale),
            "answered": answered.get(qid, 0),
        }
        if question.profile in by:
            item["answered"] = sum(by[question.profile].values())
            item["options"] = _options(question, by[question.profile], locale)
        elif question.profile:
            item["answered"] = total if question.profile == "language" else item["answered"]
        elif question.kind in CHOICE_KINDS:
            counts = {o: n for (q, r, o), n in options.items() if q == qid and r is None}
            item["options"] = _options(question, counts, locale)
        elif question.kind == "matrix":
            item["rows"] = [
                {
                    "key": row,
                    "label": question.row_label(row, locale),
                    "answered": rows_answered.get((qid, row), 0),
                    "options": [
                        {
                            "key": point,
                            "label": question.scale_label(point, locale),
                            "count": options.get((qid, row, point), 0),
                        }
                        for point in question.scale_keys
                    ],
                }
                for row in question.row_keys
            ]
        elif question.kind == "ranking":
            item["options"] = [
                {
                    "key": key,
                    "label": question.option_label(key, locale),
                    "ranked": ranks[(qid, key)].ranked if (qid, key) in ranks else 0,
                    "rankSum": ranks[(qid, key)].rank_sum if (qid, key) in ranks else 0,
                    "first": ranks[(qid, key)].first if (qid, key) in ranks else 0,
                }
                for key in question.option_keys
            ]
        elif question.kind == "number" and qid in numbers:
            count, low, high, mean = numbers[qid]
            item["numbers"] = {"count": count, "min": low, "max": high, "mean": round(mean, 4)}
        questions.append(item)
    return {
        "slug": consultation.slug,
        "state": consultation.state.value,
        "final": consultation.state is State.CLOSED,
        "language": locale,
        "respondents": total,
        "questions": questions,
    }


def _options(question, counts: dict, locale) -> list:
    """Options with their counts: every option of the question, then any other value found."""
    keys = list(getattr(question, "option_keys", []) or [])
    if question.kind == "country" or not keys:
        keys = sorted(counts, key=lambda k: (-counts[k], k))
    return [
        {"key": key, "label": question.option_label(key, locale), "count": counts.get(key, 0)}
        for key in keys
    ]
