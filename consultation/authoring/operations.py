"""Writes of the admin area's consultations. They flush; the request commits once.

Every definition made here goes through the YAML loader's own checks (``parse_data``),
so a consultation made in the browser is held to exactly what a shipped file is.
"""

import copy
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..audit.operations import record
from ..consultations.locking import hold_for_change
from ..consultations.models import VERSION_MARK, Consultation, QuestionRecord, State
from ..consultations.operations import (
    current_version,
    keep_version,
    plain_title,
    sync_questions,
)
from ..consultations.queries import consultation_by_slug
from ..errors import OperationRefused
from ..extensions import db
from ..formatting import current_locale, long_date, state_label
from ..jobs.operations import request_job
from ..questionnaires.loader import QUESTIONNAIRE_LANGUAGES, QuestionnaireError, digest, parse_data
from ..responses.models import Answer, Response
from .compatibility import compatibility_problems

#: The texts of a consultation's settings, in the order the forms show them.
TEXT_SETTINGS = ("title", "summary", "about", "issuing_body", "privacy_notice")
#: Those a consultation cannot do without.
REQUIRED_TEXTS = ("title", "summary", "privacy_notice")


class SettingsProblem(OperationRefused):
    """The settings are refused; ``field`` names the form field concerned (or ``None``)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def settings_of(consultation: Consultation) -> dict:
    """The settings of a consultation as the forms edit them (texts per language)."""
    definition = consultation.definition
    about = definition.get("about")
    return {
        "slug": consultation.slug,
        **{name: _per_language(definition.get(name)) for name in TEXT_SETTINGS},
        "about": {} if about == definition["summary"] else _per_language(about),
        "contact": definition.get("contact") or "",
        # A file without ``languages:`` is offered in every language it is complete in.
        "languages": consultation.questionnaire.languages(list(QUESTIONNAIRE_LANGUAGES)),
        "opens": clock.to_brussels(consultation.opens_at).date(),
        "closes": consultation.closing_date,
    }


def _per_language(text) -> dict:
    if not text:
        return {}
    return {"en": text} if isinstance(text, str) else dict(text)


def build_definition(settings: dict, sections: list, source: str) -> dict:
    """The normalised definition of ``settings`` with ``sections``, checked by the loader;
    ``QuestionnaireError`` with the loader's message when anything is wrong."""
    raw = {"slug": settings["slug"]}
    for name in TEXT_SETTINGS:
        text = {code: value for code, value in settings.get(name, {}).items() if value}
        if text:
            raw[name] = text
    if settings.get("contact"):
        raw["contact"] = settings["contact"]
    raw["opens"] = settings["opens"].isoformat()
    raw["closes"] = settings["closes"].isoformat()
    raw["languages"] = list(settings["languages"])
    raw["sections"] = copy.deepcopy(sections)
    return parse_data(raw, source)


def _check_window(opens: date, closes: date):
    today = clock.today_brussels()
    if opens <= today:
        raise SettingsProblem(
            _(
                "The opening date must be after today (%(today)s): a consultation is made "
                "while it is upcoming.",
                today=long_date(today),
            ),
            "opens",
        )
    if closes < opens:
        raise SettingsProblem(_("The closing date must not be before the opening date."), "closes")


def _slug_used(slug) -> str:
    return _("The web address %(slug)s is already used; choose another.", slug=slug)


def _check_slug_free(slug):
    if consultation_by_slug(slug) is not None:
        raise SettingsProblem(_slug_used(slug), "slug")


def _snapshot(consultation) -> dict:
    """What the audit log keeps of a consultation's settings and questionnaire."""
    settings = settings_of(consultation)
    settings["opens"] = settings["opens"].isoformat()
    settings["closes"] = settings["closes"].isoformat()
    settings["questions"] = sum(len(s["questions"]) for s in consultation.definition["sections"])
    settings["digest"] = consultation.definition_digest
    settings["version"] = current_version(consultation)
    return settings


def _create(definition, actor, action, **extra) -> Consultation:
    consultation = Consultation(
        slug=definition["slug"],
        title=plain_title(definition["title"]),
        definition=definition,
        definition_digest=digest(definition),
        opens_at=clock.start_of_day(date.fromisoformat(definition["opens"])),
        closes_at=clock.end_of_day(date.fromisoformat(definition["closes"])),
        authored_at=clock.now_utc(),
        # published_at left empty: a draft until an admin publishes it (``drafts``)
    )
    db.session.add(consultation)
    try:
        db.session.flush()
    except IntegrityError:  # the same slug, taken a moment ago by another admin
        raise SettingsProblem(_slug_used(definition["slug"]), "slug") from None
    sync_questions(consultation, definition, definition["slug"])
    keep_version(consultation, actor.label)
    record(actor, action, consultation, after={**_snapshot(consultation), **extra})
    return consultation


def create_consultation(settings: dict, source: Consultation, actor) -> Consultation:
    """A new upcoming consultation with ``settings`` and a copy of ``source``'s questionnaire
    (no responses are copied)."""
    _check_window(settings["opens"], settings["closes"])
    _check_slug_free(settings["slug"])
    definition = build_definition(settings, source.definition["sections"], settings["slug"])
    return _create(definition, actor, "consultation.create", copied_from=source.slug)


def create_from_file(definition: dict, filename: str, actor) -> Consultation:
    """A new consultation from an uploaded file's definition (already checked by the loader)."""
    opens, closes = (date.fromisoformat(definition[name]) for name in ("opens", "closes"))
    _check_window(opens, closes)
    _check_slug_free(definition["slug"])
    return _create(definition, actor, "consultation.import", file=filename)


def refusal_to_change(consultation: Consultation) -> str | None:
    """Why the settings or questionnaire cannot be changed now, in words; None when they can."""
    if consultation.archived_at is not None:
        return _(
            "%(title)s is archived, so it cannot be changed. Restore it first.",
            title=_title(consultation),
        )
    state = consultation.state
    if state is not State.UPCOMING:
        return _(
            "%(title)s is %(state)s: its settings can only be changed while it is upcoming. "
            "You can still close it, reopen it or change its closing date on its page, fix the "
            "wording of its questionnaire or add optional questions by replacing it from a YAML "
            "file, or duplicate it to start a new consultation from it.",
            title=_title(consultation),
            state=state_label(state),
        )
    return None


def _hold_upcoming(consultation):
    hold_for_change(consultation)
    refusal = refusal_to_change(consultation)
    if refusal:
        raise OperationRefused(refusal)


def save_settings(consultation: Consultation, settings: dict, actor) -> bool:
    """Change an upcoming consultation's settings (the slug stays); False if nothing changed."""
    _hold_upcoming(consultation)
    _check_window(settings["opens"], settings["closes"])
    settings = {**settings, "slug": consultation.slug}
    definition = build_definition(settings, consultation.definition["sections"], consultation.slug)
    return _replace(consultation, definition, actor, "consultation.edit")


def refusal_to_replace(consultation: Consultation) -> str | None:
    """Why a file cannot replace the questionnaire now, in words; None when it can (an
    open or closed one takes compatible changes only: ``compatibility``)."""
    if consultation.archived_at is not None:
        return refusal_to_change(consultation)
    return None


class IncompatibleChange(SettingsProblem):
    """A file that would change the meaning of stored answers; ``problems`` says where.
    ``versionable``: whether a new questionnaire version could take it (only its dates
    cannot change that way)."""

    def __init__(self, consultation, problems, *, tried_version=False):
        self.versionable = all(problem.question is not None for problem in problems)
        if tried_version:
            message = _(
                "A new version cannot change the dates: the changes listed at the file are "
                "refused. Nothing was saved."
            )
        else:
            message = _(
                "%(title)s has opened, so its questionnaire takes wording fixes and new optional "
                "questions only: the changes listed at the file are refused. Nothing was saved.",
                title=_title(consultation),
            )
        super().__init__(message, "file")
        self.problems = problems


def _retired_keys(consultation) -> set:
    """Keys of questions no longer asked that have stored answers."""
    found = db.session.scalars(
        select(QuestionRecord.key).where(
            QuestionRecord.consultation_id == consultation.id,
            QuestionRecord.active.is_(False),
            exists().where(Answer.question_id == QuestionRecord.id),
        )
    )
    return set(found)


def replace_from_file(
    consultation: Consultation, definition: dict, filename: str, actor, *, new_version=False
) -> bool:
    """Replace a consultation's definition by an uploaded file's (same slug): any change
    while it is upcoming; once it has opened, only one that keeps stored answers meaning
    what they meant (its dates then stay as they are), unless ``new_version``: then the
    changed questions begin a new questionnaire version (``_retire``)."""
    now = hold_for_change(consultation)
    refusal = refusal_to_replace(consultation)
    if refusal:
        raise OperationRefused(refusal)
    if definition["slug"] != consultation.slug:
        raise SettingsProblem(
            _(
                "The file is for %(file_slug)s, not %(slug)s: import it as a new consultation, "
                "or change its slug.",
                file_slug=definition["slug"],
                slug=consultation.slug,
            ),
            "file",
        )
    state = consultation.state_at(now)
    if state is State.UPCOMING:
        opens, closes = (date.fromisoformat(definition[name]) for name in ("opens", "closes"))
        _check_window(opens, closes)
        return _replace(consultation, definition, actor, "consultation.import", file=filename)
    problems = compatibility_problems(
        consultation.definition, definition, retired=_retired_keys(consultation)
    )
    versioned = bool(problems) and new_version
    if problems and not versioned:
        raise IncompatibleChange(consultation, problems)
    if versioned:
        refused = IncompatibleChange(consultation, problems, tried_version=True)
        if not refused.versionable:
            refused.problems = [problem for problem in problems if problem.question is None]
            raise refused
        _retire(consultation, {problem.question for problem in problems})
    changed = _replace(
        consultation,
        definition,
        actor,
        "consultation.new_version" if versioned else "consultation.import",
        window=(consultation.opens_at, consultation.closes_at),  # closing, extending: kept
        new_version=versioned,
        file=filename,
        state=state.value,
    )
    if changed and _has_responses(consultation):
        # The export's ready lines are of the old layout: exports build rows from the answers
        # (right, slower) until a worker has made them again.
        request_job("prepare_exports", {"consultation_id": consultation.id}, actor, consultation)
    return changed


def _retire(consultation, keys) -> None:
    """Set aside the questions ``keys`` that have answers, for a new version: each keeps its
    row and answers under the key ``key@vN`` (N: the version they answered), inactive, so
    reports show them under their own question; the new version's question of the same
    key, if any, starts with a row of its own."""
    number = current_version(consultation)
    for question in consultation.questions:
        if question.key in keys and _answered(question):
            question.key = f"{question.key}{VERSION_MARK}{number}"
            question.active = False
    db.session.flush()


def _answered(question) -> bool:
    return db.session.scalar(select(exists().where(Answer.question_id == question.id)))


def _has_responses(consultation) -> bool:
    return db.session.scalar(select(exists().where(Response.consultation_id == consultation.id)))


def _replace(
    consultation, definition, actor, action, window=None, new_version=False, **extra
) -> bool:
    fingerprint = digest(definition)
    opens_at, closes_at = window or (
        clock.start_of_day(date.fromisoformat(definition["opens"])),
        clock.end_of_day(date.fromisoformat(definition["closes"])),
    )
    if fingerprint == consultation.definition_digest and (opens_at, closes_at) == (
        consultation.opens_at,
        consultation.closes_at,
    ):
        return False
    before = _snapshot(consultation)
    try:
        sync_questions(consultation, definition, consultation.slug)
    except QuestionnaireError as error:
        raise SettingsProblem(str(error), "file") from None
    consultation.definition = definition
    consultation.definition_digest = fingerprint
    consultation.title = plain_title(definition["title"])
    consultation.opens_at, consultation.closes_at = opens_at, closes_at
    consultation.authored_at = clock.now_utc()
    db.session.flush()
    keep_version(consultation, actor.label, new=new_version)
    after = _snapshot(consultation)
    changed = [key for key in after if before.get(key) != after[key]]
    record(
        actor,
        action,
        consultation,
        before={key: before.get(key) for key in changed},
        after={**{key: after[key] for key in changed}, **extra},
    )
    return True


def archive_consultation(consultation: Consultation, actor, reason=None) -> None:
    """Archive an upcoming or closed consultation: hidden from the public lists, read-only."""
    now = hold_for_change(consultation)
    if consultation.archived_at is not None:
        raise OperationRefused(_("%(title)s is already archived.", title=_title(consultation)))
    state = consultation.state_at(now)
    if state is State.OPEN:
        raise OperationRefused(
            _(
                "%(title)s is open: close it first, then archive it.",
                title=_title(consultation),
            )
        )
    before = {"state": state.value, "archived_at": None}
    consultation.archived_at = now
    db.session.flush()
    after = {"state": consultation.state_at(now).value, "archived_at": now.isoformat()}
    record(actor, "consultation.archive", consultation, before=before, after=after, reason=reason)


def restore_consultation(consultation: Consultation, actor, reason=None) -> None:
    """Undo an archiving: the consultation is listed again, in the state its dates give."""
    now = hold_for_change(consultation)
    if consultation.archived_at is None:
        raise OperationRefused(_("%(title)s is not archived.", title=_title(consultation)))
    before = {"state": State.CLOSED.value, "archived_at": consultation.archived_at.isoformat()}
    consultation.archived_at = None
    db.session.flush()
    after = {"state": consultation.state_at(now).value, "archived_at": None}
    record(actor, "consultation.restore", consultation, before=before, after=after, reason=reason)


def _title(consultation) -> str:
    return consultation.text("title", current_locale())
