"""Aggregate reads for reports: every figure is a COUNT or GROUP BY in SQL.

Nothing here loads responses one by one. Only responses that are not flagged
(``flag IS NULL``) are counted, except by ``flag_counts`` which says how many
were left out. ``Scope`` narrows every query to a consultation and, optionally,
to one respondent type and one country.

Why some counts are a difference: question ids belong to one consultation, so
an unfiltered count of a question's answers needs no join with the responses
and is read from an index alone; the few answers of flagged responses are then
counted the same way (with the join) and taken off. Counts and sums allow this;
minimums and averages are always computed with the join.
"""

from dataclasses import dataclass

from sqlalchemy import and_, exists, func, select
from sqlalchemy import text as sql_text

from ..extensions import db
from ..responses.models import PUBLISHABLE_SQL, Answer, Response, Upload
from . import publication, tallies
from .models import AnswerTally


@dataclass(frozen=True)
class Scope:
    """Which responses a report covers: a consultation and optional filters."""

    consultation_id: int
    respondent_type: str | None = None
    country: str | None = None

    @property
    def filtered(self) -> bool:
        return bool(self.respondent_type or self.country)

    def conditions(self, *, counted=True):
        """WHERE conditions on ``Response``; ``counted`` keeps only unflagged responses."""
        result = [Response.consultation_id == self.consultation_id]
        if counted:
            result.append(Response.flag.is_(None))
        if self.respondent_type:
            result.append(Response.respondent_type == self.respondent_type)
        if self.country:
            result.append(Response.country == self.country)
        return and_(*result)


def _answers(scope, *columns):
    """SELECT ``columns`` FROM answers joined to the counted responses of ``scope``."""
    return (
        select(*columns)
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .where(scope.conditions())
    )


def _additive(scope, question_ids, keys, values, *where, at_least=None) -> dict[tuple, list]:
    """{keys: [values]} over the counted answers of ``question_ids``; counts and sums only.

    ``keys`` start with ``Answer.question_id``. The queries restricted to some
    responses (flagged ones, or a filter) select answers by ``response_id IN
    (responses...)`` and do not name the questions: that way the database starts
    from those responses and reaches their answers by index, instead of reading
    every answer of the questions. Other questions are dropped here.

    ``at_least``: leave out groups of fewer rows (the first value must be the
    count). Before the flagged answers are taken off, a total below it cannot
    reach it, so the database drops those; the rest are checked afterwards.
    """
    wanted = set(question_ids)

    def run(query):
        width = len(keys)
        return {
            tuple(row[:width]): list(row[width:])
            for row in db.session.execute(query)
            if row[0] in wanted
        }

    def of_responses(*conditions):
        responses = select(Response.id).where(*conditions)
        return query.where(Answer.response_id.in_(responses))

    query = select(*keys, *values).select_from(Answer).where(*where).group_by(*keys)
    large = query.having(func.count() >= at_least) if at_least else query
    if scope.filtered:
        return run(of_responses(scope.conditions()).having(func.count() >= (at_least or 0)))
    totals = run(large.where(Answer.question_id.in_(wanted)))
    flagged = run(
        of_responses(Response.consultation_id == scope.consultation_id, Response.flag.is_not(None))
    )
    for key, taken in flagged.items():
        if key in totals:
            totals[key] = [
                (total or 0) - (off or 0) for total, off in zip(totals[key], taken, strict=True)
            ]
    if at_least:
        totals = {key: values for key, values in totals.items() if values[0] >= at_least}
    return totals


#: The columns of a response row the summary breaks the responses down by.
PROFILE_COLUMNS = ("respondent_type", "country", "organisation_size", "publication")


def profile_counts(scope: Scope) -> dict[tuple, int]:
    """Counted responses by ``PROFILE_COLUMNS`` together, in one pass over the responses.

    Each breakdown of the report (by type, by country...) is a sum of these few
    hundred groups, so the responses are read once instead of once per breakdown.
    """
    columns = [Response.__table__.c[name] for name in PROFILE_COLUMNS]
    query = select(*columns, func.count()).where(scope.conditions()).group_by(*columns)
    return {tuple(row[:-1]): row[-1] for row in db.session.execute(query)}


def version_counts(scope: Scope) -> dict[int, int]:
    """Counted responses by the questionnaire version they answered: {version: n}."""
    query = (
        select(Response.questionnaire_version, func.count())
        .where(scope.conditions())
        .group_by(Response.questionnaire_version)
    )
    return dict(db.session.execute(query).all())


def flag_counts(scope: Scope) -> dict[str, int]:
    """How many responses of the scope were left out, by flag (spam, duplicate)."""
    query = (
        select(Response.flag, func.count())
        .where(scope.conditions(counted=False), Response.flag.is_not(None))
        .group_by(Response.flag)
    )
    return dict(db.session.execute(query).all())


def _tallied(scope: Scope, question_ids, measure, keys, *filled):
    """Rows of ``keys`` + (n, rank_sum, firsts) summed from the answer tallies of ``scope``, with
    the columns ``filled`` not empty.

    The tallies (``reports.tallies``) are kept as responses are written, per
    respondent type and country, so this reads a few thousand rows whatever the
    number of responses; to them is added what the few responses the workers have
    not counted yet contribute (``tallies.waiting``).
    """
    table = AnswerTally.__table__
    wanted = set(question_ids)
    conditions = [
        table.c.measure == measure,
        table.c.question_id.in_(sorted(wanted)),
        *(table.c[name] != "" for name in filled),
    ]
    if scope.respondent_type:
        conditions.append(table.c.respondent_type == scope.respondent_type)
    if scope.country:
        conditions.append(table.c.country == scope.country)
    sums = (func.sum(table.c.n), func.sum(table.c.rank_sum), func.sum(table.c.firsts))
    columns = [table.c[key] for key in keys]
    query = select(*columns, *sums).where(*conditions).group_by(*columns)
    width = len(keys)
    found = {
        tuple(row[:width]): [value or 0 for value in row[width:]]
        for row in db.session.execute(query)
    }
    wanted_profile = {"respondent_type": scope.respondent_type, "country": scope.country}
    for full_key, values in tallies.waiting(scope.consultation_id).items():
        row = dict(zip(tallies.KEYS, full_key, strict=True))
        if (
            row["measure"] != measure
            or row["question_id"] not in wanted
            or any(row[name] == "" for name in filled)
            or any(value and row[name] != value for name, value in wanted_profile.items())
        ):
            continue
        total = found.setdefault(tuple(row[key] for key in keys), [0, 0, 0])
        for index, value in enumerate(values):
            total[index] += value
    for key, values in found.items():
        if values[0]:
            yield tuple(value or None for value in key), tuple(values)


def option_counts(scope: Scope, question_ids) -> dict[tuple[int, str | None, str], int]:
    """Chosen options (and matrix cells) counted: {(question_id, row_key, option_key): n}."""
    if not question_ids:
        return {}
    keys = ("question_id", "row_key", "option_key")
    rows = _tallied(scope, question_ids, tallies.ANSWERS, keys, "option_key")
    return {key: int(n) for key, (n, _, _) in rows}


def answered_counts(scope: Scope, question_ids) -> dict[int, int]:
    """How many counted responses answered each question: {question_id: n}."""
    if not question_ids:
        return {}
    rows = _tallied(scope, question_ids, tallies.ANSWERED, ("question_id",))
    return {question_id: int(n) for (question_id,), (n, _, _) in rows}


def row_answered_counts(scope: Scope, question_ids) -> dict[tuple[int, str], int]:
    """How many counted responses answered each matrix row: {(question_id, row_key): n}."""
    if not question_ids:
        return {}
    keys = ("question_id", "row_key")
    rows = _tallied(scope, question_ids, tallies.ANSWERS, keys, "row_key")
    return {key: int(n) for key, (n, _, _) in rows}


@dataclass
class RankStats:
    """How one option of a ranking fared: ``score`` is the mean Borda points."""

    ranked: int
    rank_sum: int
    first: int


def rank_stats(scope: Scope, question_ids) -> dict[tuple[int, str], RankStats]:
    """Per ranking option: how many ranked it, the sum of ranks, how often it came first."""
    if not question_ids:
        return {}
    keys = ("question_id", "option_key")
    rows = _tallied(scope, question_ids, tallies.ANSWERS, keys, "option_key")
    return {
        key: RankStats(int(n), int(total or 0), int(firsts or 0))
        for key, (n, total, firsts) in rows
    }


def number_stats(scope: Scope, question_ids) -> dict[int, tuple]:
    """Per number question: (answers, minimum, maximum, mean), from the tallies of each value."""
    if not question_ids:
        return {}
    values = {}
    for (question_id, text), (n, _, _) in _tallied(
        scope, question_ids, tallies.NUMBERS, ("question_id", "option_key")
    ):
        values.setdefault(question_id, []).append((float(text), int(n)))
    stats = {}
    for question_id, counted in values.items():
        answers = sum(n for _, n in counted)
        mean = sum(value * n for value, n in counted) / answers
        stats[question_id] = (answers, min(v for v, _ in counted), max(v for v, _ in counted), mean)
    return stats


def _published_texts(scope, *columns):
    """SELECT ``columns`` and each answer's published text (``text_value``: its redactions
    replaced by "[removed]") over the answers moderators approved, of the counted responses
    of ``scope`` that may be published (``publishing``): what a public report may quote."""
    from ..publishing.models import ItemReview

    return (
        _answers(scope, ItemReview.public_text.label("text_value"), *columns)
        .join(ItemReview, ItemReview.answer_id == Answer.id)
        .where(
            ItemReview.state == "approved",
            ItemReview.public_text.is_not(None),
            sql_text(PUBLISHABLE_SQL),
        )
    )


def _has_approved_text(question_id: int) -> bool:
    """Whether any text of the question was approved, read from the decisions' side.

    The sample query reads the question's answers in index order until it has found enough
    approved ones: with none approved (a consultation not moderated yet) it would read every
    answer, seconds at a million. This asks the decisions first (``+ 0`` keeps the question's
    index out of it, so the database walks the decisions, not the answers): there are none
    yet, or one of the question's is found among the first.
    """
    from ..publishing.models import ItemReview  # (publishing imports the reports)

    return bool(
        db.session.scalar(
            select(
                exists().where(
                    ItemReview.answer_id == Answer.id,
                    (Answer.question_id + 0) == question_id,
                    ItemReview.state == "approved",
                    ItemReview.public_text.is_not(None),
                )
            )
        )
    )


def text_samples(scope: Scope, question_id: int, limit: int) -> list:
    """A few published texts of a question with the columns of their responses that some
    publication choice publishes (``publication.published_profile`` keeps those of each
    row's choice). Only texts moderators approved, as published.

    Columns published for nobody (the e-mail address) are not even read.
    """
    if not _has_approved_text(question_id):
        return []
    table = Response.__table__
    published = [table.c[name] for name in publication.sometimes_published()]
    query = _published_texts(scope, *published).where(Answer.question_id == question_id)
    # In the order of the index on (question_id, response_id): the first are found at once.
    first = query.order_by(Answer.response_id, Answer.id).limit(limit)
    return db.session.execute(first).all()


def campaign_groups(
    scope: Scope, question_ids, threshold: int, limit: int
) -> tuple[int, list[tuple[int, int, str]]]:
    """Groups of identical texts of at least ``threshold``: how many, and the ``limit`` largest.

    Texts are identical when their fingerprints are (case, spacing and
    punctuation ignored). Each listed group is (question_id, size, its first
    published text, or None while none is); the largest come first.
    """
    if not question_ids:
        return 0, []
    groups = _additive(
        scope,
        question_ids,
        (Answer.question_id, Answer.text_fingerprint),
        (func.count(),),
        Answer.text_fingerprint.is_not(None),
        at_least=threshold,
    )
    largest = sorted(groups.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    listed = []
    for (question_id, fingerprint), (size,) in largest:
        # The text is quoted from a published copy (None while no copy is moderated).
        sample = _published_texts(scope).where(
            Answer.question_id == question_id, Answer.text_fingerprint == fingerprint
        )
        quoted = db.session.scalar(sample.order_by(Answer.id).limit(1))
        listed.append((question_id, size, quoted))
    return len(groups), listed


def upload_counts(scope: Scope) -> tuple[int, int]:
    """Position papers: (files uploaded, responses with at least one file)."""
    query = (
        select(func.count(), func.count(func.distinct(Upload.response_id)))
        .select_from(Upload)
        .join(Response, Response.id == Upload.response_id)
        .where(scope.conditions())
    )
    files, responses = db.session.execute(query).one()
    return files, responses
