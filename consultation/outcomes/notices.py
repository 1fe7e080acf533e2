"""Telling respondents about the outcome: once per person, in their language, with a way out.

Publishing an outcome queues one ``outcome_notices`` job. It walks the respondents
who answered "Yes, tell me" (not marked as spam or duplicate, not erased), one per
e-mail address, and for each one not told yet and not opted out writes an
``outcome_recipients`` row and queues the e-mail as a job of its own, in the same
transaction: a job that runs twice, or an outcome published again, tells nobody twice.

The unsubscribe link carries a token signed with the secret key: the consultation and
the digest of the address, never the address itself; it needs no account.
"""

import hashlib
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select

from ..extensions import db
from ..formatting import long_date
from ..i18n import DEFAULT_LOCALE, offered_languages
from ..jobs.tasks import Result, _consultation, kind
from ..mail import enqueue_mail, mail_enabled
from ..questionnaires.text import tr
from ..responses.models import Response
from ..urls import external_url
from .markdown import plain
from .models import Outcome, OutcomeRecipient

SALT = "outcome-unsubscribe"
BATCH = 500
#: How much of "We did" the e-mail quotes before pointing to the page.
QUOTED = 1500


def email_digest(address: str) -> str:
    """The digest by which a person is known here: the same for any case of the address."""
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_token(consultation_id: int, digest: str) -> str:
    return _serializer().dumps([consultation_id, digest])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(consultation id, e-mail digest) of a genuine token; ``None`` for anything else."""
    try:
        found = _serializer().loads(token)
    except BadSignature:
        return None
    if (
        not isinstance(found, list)
        or len(found) != 2
        or not isinstance(found[0], int)
        or not isinstance(found[1], str)
    ):
        return None
    return found[0], found[1]


def mail_language(response_language: str | None) -> str:
    """The interface language closest to the person's: that of their contribution, else English."""
    return response_language if response_language in offered_languages() else DEFAULT_LOCALE


def outcome_message(consultation, outcome: Outcome, unsubscribe_url: str, language: str):
    """Subject and body of the e-mail, in ``language``."""
    with force_locale(language):
        title = consultation.text("title", language)
        text = outcome.text_in(language) or outcome.text_in(DEFAULT_LOCALE)
        we_did = plain(text.we_did if text else "")
        if len(we_did) > QUOTED:
            we_did = we_did[:QUOTED].rsplit(" ", 1)[0] + " […]"
        decision = outcome.decision_title
        if outcome.decision_date:
            decision = f"{decision} ({long_date(outcome.decision_date, language)})"
        lines = [
            _(
                "You asked to be told when the outcome of the consultation “%(title)s” "
                "was published. It is now, with what people said and what was done:",
                title=title,
            ),
            external_url("consultations.show", slug=consultation.slug, lang=language) + "#outcome",
            "",
            _("What followed: %(decision)s", decision=decision),
        ]
        if outcome.decision_url:
            lines.append(outcome.decision_url)
        if we_did:
            lines += ["", we_did]
        lines += [
            "",
            _("You get this e-mail once."),
            _(
                "To get no further e-mail about this consultation, open this link "
                "(no account needed):"
            ),
            unsubscribe_url,
            "",
            tr(current_app.config["ISSUING_BODY"], language),
        ]
        subject = _("Outcome of the consultation “%(title)s”", title=title)
    return subject, "\n".join(lines)


def _people(consultation, after: str | None):
    """The next batch of people who asked: (lower-cased address, their latest response)."""
    address = func.lower(func.trim(Response.email))
    query = (
        select(address.label("address"), func.max(Response.id).label("latest"))
        .where(
            Response.consultation_id == consultation.id,
            Response.outcome_updates == "yes",
            Response.flag.is_(None),
            Response.erased_at.is_(None),
            Response.email.is_not(None),
            Response.email != "",
        )
        .group_by(address)
        .order_by(address)
        .limit(BATCH)
    )
    if after is not None:
        query = query.having(address > after)
    return db.session.execute(query).all()


def tell_people(consultation, progress=None) -> int:
    """Queue the outcome e-mail for everyone who asked and was not told; how many were queued."""
    outcome = db.session.scalar(select(Outcome).where(Outcome.consultation_id == consultation.id))
    if outcome is None or outcome.published_at is None or not mail_enabled():
        return 0  # without a mail server no e-mail is offered, nor sent later
    queued, after = 0, None
    while batch := _people(consultation, after):
        after = batch[-1].address
        digests = {email_digest(row.address): row for row in batch}
        known = set(
            db.session.scalars(
                select(OutcomeRecipient.email_digest).where(
                    OutcomeRecipient.consultation_id == consultation.id,
                    OutcomeRecipient.email_digest.in_(digests),
                )
            )
        )
        languages = dict(
            db.session.execute(
                select(Response.id, Response.language).where(
                    Response.id.in_([row.latest for row in batch])
                )
            ).all()
        )
        for digest, row in digests.items():
            if digest in known:
                continue
            language = mail_language(languages.get(row.latest))
            link = external_url(
                "outcomes.unsubscribe",
                token=unsubscribe_token(consultation.id, digest),
                lang=language,
            )
            subject, body = outcome_message(consultation, outcome, link, language)
            db.session.add(
                OutcomeRecipient(
                    consultation_id=consultation.id,
                    email_digest=digest,
                    notified_at=outcome.published_at,
                )
            )
            enqueue_mail(row.address, subject, body)
            queued += 1
        db.session.commit()  # this batch's people and their e-mails, together
        if progress is not None:
            progress.advance(len(batch))
    return queued


@kind("outcome_notices")
def outcome_notices(job, progress, output) -> Result:
    """E-mail the outcome to the respondents who asked for it, once per person."""
    from flask_babel import ngettext

    consultation = _consultation(job)
    progress.start(None, "people")
    queued = tell_people(consultation, progress)
    return Result(
        rows=queued,
        outcome=ngettext(
            "The outcome e-mail was queued for %(num)s person.",
            "The outcome e-mail was queued for %(num)s people.",
            queued,
        ),
    )


def public_summary_path(consultation, language: str) -> Path:
    """Where the public summary report of ``consultation`` in ``language`` is kept."""
    folder = Path(current_app.config["REPORT_FOLDER"]) / "public"
    return folder / f"{consultation.slug}-summary.{language}.pdf"


@kind("public_summary")
def public_summary(job, progress, output) -> Result:
    """The summary report in every offered interface language, kept for the public outcome page."""
    from ..reports.pdf import summary_pdf  # WeasyPrint loads only when a PDF is made

    consultation = _consultation(job)
    languages = offered_languages()  # a language not offered would come out half English
    progress.start(len(languages), "steps")
    for language in languages:
        data = summary_pdf(consultation, locale=language)
        path = public_summary_path(consultation, language)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{job.id}.partial")
        partial.write_bytes(data)
        partial.replace(path)  # readers see the old file or the new one, never half of one
        progress.advance()
    return Result(outcome=_("The public summary report was prepared."))
