"""Reads of consultations."""

from collections import defaultdict
from typing import NamedTuple

from flask_babel import gettext
from sqlalchemy import select

from .. import clock
from ..extensions import db
from .models import Consultation, QuestionnaireVersion, QuestionRecord, State


def consultation_by_slug(slug: str) -> Consultation | None:
    return db.session.scalar(select(Consultation).where(Consultation.slug == slug))


def published_consultation_by_slug(slug: str) -> Consultation | None:
    """The consultation the public may see at ``slug``: None for a draft, as for no such one."""
    return db.session.scalar(
        select(Consultation).where(Consultation.slug == slug, Consultation.published_expression())
    )


def consultations_by_state() -> dict[State, list[Consultation]]:
    """Every consultation not archived, grouped as open, upcoming and closed, in a useful order."""
    now = clock.now_utc()
    state = Consultation.state_expression(now).label("state")
    rows = db.session.execute(
        select(Consultation, state)
        .where(Consultation.archived_at.is_(None), Consultation.published_expression())
        .order_by(Consultation.closes_at)
    ).all()
    groups = {State.OPEN: [], State.UPCOMING: [], State.CLOSED: []}
    for consultation, value in rows:
        groups[State(value)].append(consultation)
    groups[State.CLOSED].reverse()  # most recently closed first
    return groups


def all_consultations(*, archived: bool = True, drafts: bool = True) -> list[Consultation]:
    """Every consultation (``archived=False``: not archived; ``drafts=False``: published
    only; both: those listed publicly), the latest closing first."""
    query = select(Consultation).order_by(Consultation.closes_at.desc())
    if not archived:
        query = query.where(Consultation.archived_at.is_(None))
    if not drafts:
        query = query.where(Consultation.published_expression())
    return list(db.session.scalars(query))


class Retired(NamedTuple):
    """A question an earlier questionnaire version asked and a later one replaced."""

    #: Its row, key ``key@vN``, still holding its answers.
    record: QuestionRecord
    #: The question as the last version that asked it asked it.
    question: object
    #: The last version that asked it (N); version N + 1 replaced it.
    version: int
    #: The first version that asked it.
    first: int


def retired_questions(consultation) -> list[Retired]:
    """Each question an earlier questionnaire version asked and a later one replaced, kept
    with its answers (``QuestionRecord.retired_from``), in the order they were asked; the
    question is read from the version that last asked it."""
    retired = [(record, record.retired_from) for record in consultation.questions]
    retired = [(record, found) for record, found in retired if found and not record.active]
    if not retired:
        return []
    versions = list(
        db.session.scalars(
            select(QuestionnaireVersion)
            .where(QuestionnaireVersion.consultation_id == consultation.id)
            .order_by(QuestionnaireVersion.number)
        )
    )
    # A key replaced twice (k@v1, then k@v3): the later one was first asked after v1.
    ends = defaultdict(list)
    for _, (key, number) in retired:
        ends[key].append(number)
    found = []
    for record, (key, number) in sorted(retired, key=lambda item: (item[1][1], item[0].position)):
        after = max((end for end in ends[key] if end < number), default=0)
        asked = [
            version
            for version in versions
            if after < version.number <= number and key in version.questionnaire.questions
        ]
        if asked:
            first = asked[0].number
            found.append(Retired(record, asked[-1].questionnaire.questions[key], number, first))
    return found


class Replaced:
    """A question a later version replaced, as pages that list questions name it: by the key
    of its row (``key@vN``, unique where the question's own key is the new question's) and
    by its label saying which versions asked it; in all else the question as it was asked."""

    def __init__(self, found: Retired):
        self.found = found
        self.key = found.record.key

    def label(self, locale=None) -> str:
        return asked_label(self.found.question.label(locale), self.found.first, self.found.version)

    def __getattr__(self, name):
        return getattr(self.found.question, name)


def asked_label(label, first, last) -> str:
    """A replaced question's label, with the versions of the questionnaire that asked it."""
    if first == last:
        return gettext(
            "%(question)s (asked in version %(version)s of the questionnaire)",
            question=label,
            version=first,
        )
    return gettext(
        "%(question)s (asked in versions %(first)s to %(last)s of the questionnaire)",
        question=label,
        first=first,
        last=last,
    )


def asked_questions(consultation) -> list[tuple[object, QuestionRecord]]:
    """(question, record) of every question whose answers are kept: the current
    questionnaire's, in its order, then those earlier versions asked and a later one
    replaced (``retired_questions``), each as ``Replaced`` names it. Grouping and themes
    read both: an answer stays analysed under the question it answered."""
    records = {record.key: record for record in consultation.questions if record.active}
    current = [(q, records[q.key]) for q in consultation.questionnaire if q.key in records]
    return current + [(Replaced(found), found.record) for found in retired_questions(consultation)]


def first_asked(consultation) -> dict[str, int]:
    """{key: the first version that asked the current question ``key``}, for the current
    questions a later version added or replaced (a contribution to an earlier version could
    not answer them); empty while there is one version."""
    versions = list(
        db.session.scalars(
            select(QuestionnaireVersion)
            .where(QuestionnaireVersion.consultation_id == consultation.id)
            .order_by(QuestionnaireVersion.number)
        )
    )
    if len(versions) < 2:
        return {}
    replaced = defaultdict(int)  # key: the last version that asked the question it replaced
    for record in consultation.questions:
        found = record.retired_from
        if found and not record.active:
            replaced[found[0]] = max(replaced[found[0]], found[1])
    first = {}
    for record in consultation.questions:
        if not record.active:
            continue
        after = replaced.get(record.key, 0)
        asked = [
            v.number
            for v in versions
            if v.number > after and record.key in v.questionnaire.questions
        ]
        if asked and asked[0] > 1:
            first[record.key] = asked[0]
    return first


def profile_questions_asked(consultation) -> dict[str, list]:
    """{profile column: [(version, question), ...]}: the questions that filled each profile
    column of the response row (``profile:``) in every questionnaire version, the newest
    first; empty while there is one version (the current questionnaire says it all)."""
    versions = list(
        db.session.scalars(
            select(QuestionnaireVersion)
            .where(QuestionnaireVersion.consultation_id == consultation.id)
            .order_by(QuestionnaireVersion.number.desc())
        )
    )
    if len(versions) < 2:
        return {}
    found = defaultdict(list)
    for version in versions:
        for column, question in version.questionnaire.profile_questions().items():
            found[column].append((version.number, question))
    return dict(found)


def _profile_versions(consultation, column, asked=None) -> list:
    """The questions that filled the profile column ``column``: the current one, then those
    of earlier versions, the newest first (``asked``: ``profile_questions_asked``)."""
    current = consultation.questionnaire.profile_questions().get(column)
    if asked is None:
        asked = profile_questions_asked(consultation)
    return [q for q in (current, *(q for _, q in asked.get(column, ()))) if q is not None]


def profile_choices(consultation, column, locale=None, asked=None) -> list[tuple[str, str]]:
    """(key, label) of every option the profile column ``column`` was ever offered with: the
    current questionnaire's in its order, then those only earlier versions had (the newest
    version's label), so that contributions to an earlier version can still be picked out
    (``asked``: ``profile_questions_asked``, read if not given)."""
    choices, seen = [], set()
    for question in _profile_versions(consultation, column, asked):
        for key, label in getattr(question, "choices", lambda _locale: ())(locale):
            if key not in seen:
                seen.add(key)
                choices.append((key, label))
    return choices


def profile_labels(consultation, columns, locale=None) -> dict:
    """{column: ``profile_labeller``} for each of ``columns``, the versions read once."""
    asked = profile_questions_asked(consultation)
    return {column: profile_labeller(consultation, column, locale, asked) for column in columns}


def profile_labeller(consultation, column, locale=None, asked=None):
    """``label(key)`` of an option stored in the profile column ``column`` of the response
    row: its label in the current questionnaire or, for an option a newer version removed,
    in the newest version that had it (``asked``: ``profile_questions_asked``, read if not
    given); a key no version offered is labelled by the current question (a country by
    its name), or stays as it is."""
    questions = _profile_versions(consultation, column, asked)

    def label(key):
        for question in questions:
            if key in getattr(question, "option_keys", ()):
                return question.option_label(key, locale)
        # A list of its own (countries) labels any key; else the key stays as it is.
        return questions[0].option_label(key, locale) if questions else key

    return label
