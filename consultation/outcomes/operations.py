"""Writes of the outcome: saving it, publishing or withdrawing it, opting out of its e-mail.

Each one flushes; the request or command commits once. Every change an admin makes is
written to the audit log with the values before and after.
"""

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..audit.operations import record
from ..consultations.models import State
from ..errors import OperationRefused
from ..extensions import db
from ..jobs.operations import request_job
from ..mail import mail_enabled
from .forms import PARTS
from .models import Outcome, OutcomeRecipient, OutcomeText

DECISION_FIELDS = ("decision_title", "decision_url", "decision_date", "report_url")


def _snapshot(outcome: Outcome | None) -> dict | None:
    """An outcome as the audit log keeps it: the decision and every text, by language."""
    if outcome is None:
        return None
    values = {name: getattr(outcome, name) for name in DECISION_FIELDS}
    if values["decision_date"] is not None:
        values["decision_date"] = values["decision_date"].isoformat()
    values["texts"] = {
        text.language: {part: getattr(text, part) for part in PARTS} for text in outcome.texts
    }
    values["published"] = outcome.published_at is not None
    return values


def _refuse_unless_closed(consultation) -> None:
    if consultation.state is not State.CLOSED:
        raise OperationRefused(_("The outcome can be written once the consultation has closed."))


def outcome_of(consultation) -> Outcome | None:
    """The outcome of ``consultation``, published or not."""
    return db.session.scalar(select(Outcome).where(Outcome.consultation_id == consultation.id))


def save_outcome(consultation, decision: dict, texts: dict[str, dict], actor) -> Outcome:
    """Create or change the outcome: ``decision`` (``DECISION_FIELDS``), ``texts`` by language.

    A language missing from ``texts`` loses its texts (the page falls back to English).
    """
    _refuse_unless_closed(consultation)
    outcome = outcome_of(consultation)
    before = _snapshot(outcome)
    if outcome is None:
        outcome = Outcome(consultation=consultation, consultation_id=consultation.id)
        db.session.add(outcome)
    for name in DECISION_FIELDS:
        value = decision.get(name)
        setattr(outcome, name, value if value not in ("",) else None)
    kept = {text.language: text for text in outcome.texts}
    for language, parts in texts.items():
        text = kept.pop(language, None) or OutcomeText(language=language)
        for part in PARTS:
            setattr(text, part, parts.get(part) or "")
        if text not in outcome.texts:
            outcome.texts.append(text)
    for gone in kept.values():
        outcome.texts.remove(gone)
    db.session.flush()
    after = _snapshot(outcome)
    if after != before:
        record(actor, "outcome.save", consultation, before=before, after=after)
    return outcome


def publish_outcome(consultation, actor, *, locale=None) -> tuple[Outcome, bool]:
    """Show the outcome on the public page; ``(outcome, True)`` when respondents will be told.

    The first publication queues the e-mail to everyone who asked for it (once per
    person, ``notices``); every publication queues the public summary report again, so
    the PDF offered beside the outcome counts what the reports count now.
    """
    _refuse_unless_closed(consultation)
    outcome = outcome_of(consultation)
    if outcome is None:
        raise OperationRefused(_("Write the outcome first, then publish it."))
    if outcome.published_at is not None:
        raise OperationRefused(_("The outcome is already published."))
    outcome.published_at = clock.now_utc()
    record(actor, "outcome.publish", consultation, after={"published_at": _iso(outcome)})
    request_job("public_summary", {"consultation": consultation.id}, actor, consultation)
    # Without a mail server no e-mail is offered: nobody counts as told, so publishing
    # again once one is set tells them.
    telling = outcome.notified_at is None and mail_enabled()
    if telling:
        outcome.notified_at = outcome.published_at
        request_job(
            "outcome_notices", {"consultation": consultation.id}, actor, consultation, locale=locale
        )
    db.session.flush()
    return outcome, telling


def withdraw_outcome(consultation, actor) -> Outcome:
    """Take the outcome off the public page (it stays, to be changed and published again)."""
    outcome = outcome_of(consultation)
    if outcome is None or outcome.published_at is None:
        raise OperationRefused(_("The outcome is not published."))
    before = {"published_at": _iso(outcome)}
    outcome.published_at = None
    record(actor, "outcome.withdraw", consultation, before=before)
    db.session.flush()
    return outcome


def set_results_while_open(consultation, show: bool, actor) -> None:
    """Publish the counts (the API's results) while the consultation is open, or stop."""
    if consultation.results_while_open == show:
        return
    before = {"results_while_open": consultation.results_while_open}
    consultation.results_while_open = show
    record(
        actor,
        "consultation.results_while_open",
        consultation,
        before=before,
        after={"results_while_open": show},
    )
    db.session.flush()


def unsubscribe(consultation_id: int, email_digest: str) -> bool:
    """No further e-mail about this consultation's outcome to this address; False if already."""
    now = clock.now_utc()
    found = db.session.scalar(
        select(OutcomeRecipient).where(
            OutcomeRecipient.consultation_id == consultation_id,
            OutcomeRecipient.email_digest == email_digest,
        )
    )
    if found is not None:
        if found.unsubscribed_at is not None:
            return False
        found.unsubscribed_at = now
        db.session.flush()
        return True
    try:
        with db.session.begin_nested():
            db.session.add(
                OutcomeRecipient(
                    consultation_id=consultation_id, email_digest=email_digest, unsubscribed_at=now
                )
            )
    except IntegrityError:  # the same link opened twice at once
        return False
    return True


def _iso(outcome):
    return outcome.published_at.isoformat() if outcome.published_at else None
