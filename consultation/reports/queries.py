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

from sqlalchemy import and_, case, func, select

from ..extensions import db
from ..responses.models import Answer, Response, Upload


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


def response_count(scope: Scope) -> int:
    """How many counted responses."""
    query = select(func.count()).select_from(Response).where(scope.conditions())
    return db.session.scalar(query)


def flag_counts(scope: Scope) -> dict[str, int]:
    """How many responses of the scope were left out, by flag (spam, duplicate)."""
    query = (
        select(Response.flag, func.count())
        .where(scope.conditions(counted=False), Response.flag.is_not(None))
        .group_by(Response.flag)
    )
    return dict(db.session.execute(query).all())


def count_by(scope: Scope, column) -> dict[str | None, int]:
    """Counted responses grouped by a column of the response row (type, country, size...)."""
    query = select(column, func.count()).where(scope.conditions()).group_by(column)
    return dict(db.session.execute(query).all())


def option_counts(scope: Scope, question_ids) -> dict[tuple[int, str | None, str], int]:
    """Chosen options (and matrix cells) counted: {(question_id, row_key, option_key): n}."""
    if not question_ids:
        return {}
    result = _additive(
        scope,
        question_ids,
        (Answer.question_id, Answer.row_key, Answer.option_key),
        (func.count(),),
        Answer.option_key.is_not(None),
    )
    return {key: n for key, (n,) in result.items()}


def answered_counts(scope: Scope, question_ids) -> dict[int, int]:
    """How many counted responses answered each question: {question_id: n}."""
    if not question_ids:
        return {}
    wanted = set(question_ids)
    if scope.filtered:
        counts = _answering(responses=scope.conditions())
    else:
        counts = _answering(question_ids=wanted)
        flagged = _answering(
            responses=and_(
                Response.consultation_id == scope.consultation_id, Response.flag.is_not(None)
            )
        )
        for question_id, n in flagged.items():  # flagged responses are disjoint from the rest
            if question_id in counts:
                counts[question_id] -= n
    return {q: n for q, n in counts.items() if q in wanted}


def _answering(*, question_ids=None, responses=None) -> dict[int, int]:
    """{question_id: responses with an answer}, from distinct (question, response) pairs.

    Distinct pairs come straight off the index on (question_id, response_id);
    ``count(DISTINCT ...)`` per group is far slower on PostgreSQL.
    """
    pairs = select(Answer.question_id, Answer.response_id).distinct()
    if question_ids is not None:
        pairs = pairs.where(Answer.question_id.in_(question_ids))
    if responses is not None:
        pairs = pairs.where(Answer.response_id.in_(select(Response.id).where(responses)))
    pairs = pairs.subquery()
    query = select(pairs.c.question_id, func.count()).group_by(pairs.c.question_id)
    return dict(db.session.execute(query).all())


def row_answered_counts(scope: Scope, question_ids) -> dict[tuple[int, str], int]:
    """How many counted responses answered each matrix row: {(question_id, row_key): n}."""
    if not question_ids:
        return {}
    result = _additive(
        scope,
        question_ids,
        (Answer.question_id, Answer.row_key),
        (func.count(),),
        Answer.row_key.is_not(None),
    )
    return {key: n for key, (n,) in result.items()}


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
    first = func.sum(case((Answer.rank == 1, 1), else_=0))
    result = _additive(
        scope,
        question_ids,
        (Answer.question_id, Answer.option_key),
        (func.count(), func.sum(Answer.rank), first),
        Answer.rank.is_not(None),
    )
    return {
        key: RankStats(int(n), int(total or 0), int(firsts or 0))
        for key, (n, total, firsts) in result.items()
    }


def number_stats(scope: Scope, question_ids) -> dict[int, tuple]:
    """Per number question: (answers, minimum, maximum, mean)."""
    if not question_ids:
        return {}
    query = _answers(
        scope,
        Answer.question_id,
        func.count(Answer.number_value),
        func.min(Answer.number_value),
        func.max(Answer.number_value),
        func.avg(Answer.number_value),
    ).where(Answer.question_id.in_(question_ids), Answer.number_value.is_not(None))
    query = query.group_by(Answer.question_id)
    return {row[0]: tuple(row[1:]) for row in db.session.execute(query)}


def text_samples(scope: Scope, question_id: int, limit: int) -> list:
    """A few texts of a question with what their authors allow to be published.

    The e-mail address is not even read.
    """
    query = _answers(
        scope,
        Answer.text_value,
        Response.publication,
        Response.respondent_type,
        Response.country,
        Response.first_name,
        Response.surname,
        Response.organisation_name,
    ).where(Answer.question_id == question_id, Answer.text_value.is_not(None))
    # In the order of the index on (question_id, response_id): the first are found at once.
    first = query.order_by(Answer.response_id, Answer.id).limit(limit)
    return db.session.execute(first).all()


def campaign_groups(
    scope: Scope, question_ids, threshold: int, limit: int
) -> tuple[int, list[tuple[int, int, str]]]:
    """Groups of identical texts of at least ``threshold``: how many, and the ``limit`` largest.

    Texts are identical when their fingerprints are (case, spacing and
    punctuation ignored). Each listed group is (question_id, size, its first
    counted text); the largest come first.
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
        sample = _answers(scope, Answer.text_value).where(
            Answer.question_id == question_id, Answer.text_fingerprint == fingerprint
        )
        text = db.session.scalar(sample.order_by(Answer.id).limit(1))
        listed.append((question_id, size, text))
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
