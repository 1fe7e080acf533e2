"""Writes to consultations: loading definitions. They flush; the caller commits."""

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import clock
from ..audit.operations import record
from ..errors import OperationRefused
from ..extensions import db
from ..formatting import current_locale, long_date, state_label
from ..questionnaires.loader import QuestionnaireError, digest
from ..responses.models import Answer
from .locking import hold_for_change
from .models import Consultation, QuestionnaireVersion, QuestionRecord, State

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
#: A consultation changed (or archived) in the admin area is left as it is by a file.
KEPT = "kept as changed in the admin area"


def demo_window(definition: dict, today: date, *, closed: bool) -> tuple[date, date]:
    """A window of the official length placed around ``today``: open now, or closed recently."""
    length = date.fromisoformat(definition["closes"]) - date.fromisoformat(definition["opens"])
    if closed:
        closes = today - timedelta(days=3)
    else:
        closes = today + max(length // 2, timedelta(days=14))
    return closes - length, closes


def load_definition(
    definition: dict, *, window: tuple[date, date] | None = None, source="", actor_label=None
) -> str:
    """Create or update the consultation of ``definition``; say what changed.

    Official dates from the file are applied when the consultation is created or
    when the file's dates change, so an extension made by an administrator survives
    reloading an unchanged file. A ``window`` (the demo) always applies. A consultation
    edited or archived in the admin area is kept as it is (``KEPT``): the file is older.
    """
    fingerprint = digest(definition)
    opens, closes = window or (
        date.fromisoformat(definition["opens"]),
        date.fromisoformat(definition["closes"]),
    )
    opens_at, closes_at = clock.start_of_day(opens), clock.end_of_day(closes)
    consultation = db.session.scalar(
        select(Consultation).where(Consultation.slug == definition["slug"])
    )
    if consultation is None:
        consultation = Consultation(
            slug=definition["slug"],
            title=plain_title(definition["title"]),
            definition=definition,
            definition_digest=fingerprint,
            opens_at=opens_at,
            closes_at=closes_at,
            published_at=clock.now_utc(),  # a file loaded by the command line is public
        )
        db.session.add(consultation)
        db.session.flush()
        sync_questions(consultation, definition, source)
        keep_version(consultation, actor_label)
        return CREATED

    if consultation.authored_at is not None or consultation.archived_at is not None:
        return KEPT
    changed = False
    file_dates_changed = (definition["opens"], definition["closes"]) != (
        consultation.definition.get("opens"),
        consultation.definition.get("closes"),
    )
    if (window or file_dates_changed) and (consultation.opens_at, consultation.closes_at) != (
        opens_at,
        closes_at,
    ):
        consultation.opens_at, consultation.closes_at = opens_at, closes_at
        changed = True
    if consultation.definition_digest != fingerprint:
        sync_questions(consultation, definition, source)
        consultation.definition = definition
        consultation.definition_digest = fingerprint
        consultation.title = plain_title(definition["title"])
        keep_version(consultation, actor_label)
        changed = True
    db.session.flush()
    return UPDATED if changed else UNCHANGED


def plain_title(text):
    """The English title of a definition, as the ``title`` column keeps it."""
    return text if isinstance(text, str) else text.get("en") or next(iter(text.values()))


def sync_questions(consultation, definition, source):
    """Make the question rows match the definition, keeping rows (and answers) of old questions."""
    existing = {record.key: record for record in consultation.questions}
    position = 0
    seen = set()
    for section in definition["sections"]:
        for spec in section["questions"]:
            position += 1
            record = existing.get(spec["key"])
            if record is None:
                record = QuestionRecord(consultation=consultation, key=spec["key"])
                db.session.add(record)
            elif record.kind != spec["type"] and _answer_count(record):
                raise QuestionnaireError(
                    source or definition["slug"],
                    f"changes type from {record.kind} to {spec['type']} but already has "
                    "answers; give the new question a new key",
                    spec["key"],
                )
            record.kind = spec["type"]
            record.position = position
            record.active = True
            seen.add(spec["key"])
    for key, record in existing.items():
        if key not in seen:
            record.active = False
    db.session.flush()


def current_version(consultation) -> int:
    """The number of the questionnaire version asked now (``QuestionnaireVersion``)."""
    found = db.session.scalar(
        select(func.max(QuestionnaireVersion.number)).where(
            QuestionnaireVersion.consultation_id == consultation.id
        )
    )
    return found or 1


def keep_version(consultation, actor_label=None, *, new=False) -> int:
    """Keep the consultation's definition as that of its current questionnaire version
    (a wording fix stays in the version), or with ``new`` as the next version's; return
    the version's number. Called wherever a definition is stored."""
    latest = db.session.scalar(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.consultation_id == consultation.id)
        .order_by(QuestionnaireVersion.number.desc())
        .limit(1)
    )
    if latest is None or new:
        latest = QuestionnaireVersion(
            consultation_id=consultation.id,
            number=latest.number + 1 if latest else 1,
            definition=consultation.definition,
            digest=consultation.definition_digest,
            created_by=actor_label,
        )
        db.session.add(latest)
    elif latest.digest != consultation.definition_digest:
        latest.definition = consultation.definition
        latest.digest = consultation.definition_digest
    db.session.flush()
    return latest.number


def _answer_count(record):
    return db.session.scalar(
        select(func.count()).select_from(Answer).where(Answer.question_id == record.id)
    )


# -- opening and closing, by an administrator ------------------------------------------


def _window(consultation):
    return {
        "state": consultation.state.value,
        "closes_at": consultation.closes_at.isoformat(),
        "closed_at": consultation.closed_at.isoformat() if consultation.closed_at else None,
        "closed_reason": consultation.closed_reason,
    }


def _title(consultation) -> str:
    return consultation.text("title", current_locale())


def _archived(consultation) -> str:
    return _(
        "%(title)s is archived, so it cannot be changed. Restore it first.",
        title=_title(consultation),
    )


def _refuse_archived(consultation):
    if consultation.archived_at is not None:
        raise OperationRefused(_archived(consultation))


def close_consultation(consultation, actor, reason: str | None = None) -> None:
    """Close now, before the closing date, with an optional reason.

    Stamped with the instant it takes effect: once no submission is being stored.
    """
    now = hold_for_change(consultation)
    state = consultation.state_at(now)
    if state is not State.OPEN:
        raise OperationRefused(
            _(
                "%(title)s is %(state)s, not open.",
                title=_title(consultation),
                state=state_label(state),
            )
        )
    before = _window(consultation)
    consultation.closed_at = now
    consultation.closed_reason = (reason or "").strip() or None
    db.session.flush()
    record(
        actor,
        "consultation.close",
        consultation,
        before=before,
        after=_window(consultation),
        reason=reason,
    )


def reopen_consultation(consultation, actor, reason: str | None = None) -> None:
    """Undo a manual closure; the closing date must still be ahead."""
    _refuse_archived(consultation)
    if consultation.closed_at is None or consultation.state is not State.CLOSED:
        raise OperationRefused(
            _(
                "%(title)s was not closed by hand; nothing to reopen.",
                title=_title(consultation),
            )
        )
    if consultation.closes_at <= clock.now_utc():
        raise OperationRefused(
            _("Its closing date has passed: extend the closing date instead, which reopens it.")
        )
    before = _window(consultation)
    consultation.closed_at = None
    consultation.closed_reason = None
    db.session.flush()
    record(
        actor,
        "consultation.reopen",
        consultation,
        before=before,
        after=_window(consultation),
        reason=reason,
    )


def extension_refusal(consultation, new_date: date) -> str | None:
    """Why the closing date cannot move to ``new_date``, in words; None when it can.

    The admin area asks before its confirmation page, so a wrong date is said on the
    form it was typed in; ``extend_consultation`` asks again when it acts, since
    midnight may have passed in between.
    """
    if consultation.archived_at is not None:
        return _archived(consultation)
    if new_date < clock.today_brussels():
        return _("%(date)s is in the past; choose today or a later date.", date=long_date(new_date))
    new_closes_at = clock.end_of_day(new_date)
    if new_closes_at <= consultation.opens_at:
        return _(
            "%(date)s is before the consultation opens (%(opens)s); choose a later date.",
            date=long_date(new_date),
            opens=long_date(clock.to_brussels(consultation.opens_at).date()),
        )
    if new_closes_at == consultation.closes_at and consultation.closed_at is None:
        return _(
            "%(title)s already closes on %(date)s.",
            title=_title(consultation),
            date=long_date(new_date),
        )
    return None


def extend_consultation(consultation, new_date: date, actor, reason: str | None = None) -> None:
    """Move the closing date (Brussels) to ``new_date``; it must not be in the past.

    A consultation whose window had ended is open again until the new date; a
    manual closure is lifted, since moving the deadline means taking contributions.
    """
    refusal = extension_refusal(consultation, new_date)
    if refusal:
        raise OperationRefused(refusal)
    new_closes_at = clock.end_of_day(new_date)
    before = _window(consultation)
    consultation.closes_at = new_closes_at
    consultation.closed_at = None
    consultation.closed_reason = None
    db.session.flush()
    record(
        actor,
        "consultation.extend",
        consultation,
        before=before,
        after=_window(consultation),
        reason=reason,
    )
