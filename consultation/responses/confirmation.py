"""The confirmation e-mail a respondent may ask for: reference, private links, PDF copy.

When MAIL_SERVER is set the questionnaire offers "Send me a copy by e-mail" beside the
e-mail question (``SEND_COPY``). The request that stores the contribution queues a job
of kind "confirmation" in the same transaction, so the job exists if and only if the
contribution does; its row names the contribution (``jobs.response_id``, unique: one
job per contribution, ever, so the e-mail is never queued twice). The private links
exist only in that request (only their hashes are stored): the job keeps them sealed
(``sealing``), never in clear in its row, a log or the audit log. The address is read
from the contribution when the job runs, so it is not copied into the jobs table and an
erasure before then means no e-mail. The job writes the message in the language of the
page the person sent from, attaches the PDF copy and hands it to the SMTP server, tried
again after 1, 5, 15 and 60 minutes; a failure after the last try is recorded in the
audit log and shown on the response's admin page (``tasks.confirmation``).
"""

from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..audit.operations import Actor, record
from ..extensions import db
from ..formatting import brussels_datetime, current_locale, long_date
from ..jobs.models import Job, State
from ..mail import mail_enabled, sender_domain
from ..questionnaires.forms import SEND_COPY
from ..sealing import seal, unseal
from ..urls import external_url
from .models import Response
from .operations import PrivateLinks

KIND = "confirmation"
#: What the sealed links in a confirmation job's row are for (their key is of this purpose).
PURPOSE = "confirmation-links"
SITE = Actor("the site")


# -- the tick box ------------------------------------------------------------------------
def copy_offered(mode: str = "new") -> bool:
    """Whether the questionnaire offers the copy by e-mail (not when changing a contribution)."""
    return mail_enabled() and mode != "edit"


def copy_requested(form) -> bool:
    """Whether the person ticked "Send me a copy by e-mail" (and it can be sent)."""
    return copy_offered() and bool(form[SEND_COPY].data)


def check_copy_request(form, questionnaire, values: dict, errors: dict) -> dict:
    """``errors``, with one more when a copy is asked for without an e-mail address to send
    it to; in question order, just after the e-mail question.

    Nothing when the e-mail question has a message of its own (required, malformed): that
    message already says what to do, right above the tick box.
    """
    question = questionnaire.profile_questions().get("email")
    if not copy_requested(form) or question is None:
        return errors
    if values.get(question.key) or question.key in errors:
        return errors
    message = _(
        "To get a copy by e-mail, enter your e-mail address above, or untick “Send me a copy "
        "by e-mail”."
    )
    form[SEND_COPY].errors = [message]
    order = [q.key for q in questionnaire]
    after = order.index(question.key)
    ranked = sorted(
        [*errors.items(), (SEND_COPY, message)],
        key=lambda item: (
            after + 0.5
            if item[0] == SEND_COPY
            else (order.index(item[0]) if item[0] in order else -1)
        ),
    )
    return dict(ranked)


# -- queueing ----------------------------------------------------------------------------
def queue_confirmation(response: Response, links: PrivateLinks, locale: str) -> Job:
    """Queue the confirmation e-mail of a contribution just stored, with its new private links
    sealed; the contribution's job if it has one already (never a second). Flushes."""
    from ..jobs.operations import request_job
    from ..jobs.tasks import KINDS

    existing = confirmation_job(response)
    if existing is not None:
        return existing
    parameters = {
        "locale": locale,
        "links": seal(PURPOSE, {"receipt": links.receipt, "edit": links.edit}),
    }
    job, _joined = request_job(
        KIND,
        parameters,
        SITE,
        response.consultation,
        dedupe=False,
        max_attempts=KINDS[KIND].max_attempts,
        response_id=response.id,
    )
    return job


def confirmation_job(response: Response) -> Job | None:
    """The job of the contribution's confirmation e-mail, if one was asked for."""
    return db.session.scalar(select(Job).where(Job.response_id == response.id))


# -- the message -------------------------------------------------------------------------
@dataclass
class Letter:
    """A confirmation e-mail ready to hand over."""

    to: str
    subject: str
    body: str
    attachments: list
    message_id: str


def letter_for(job: Job) -> Letter | None:
    """The e-mail job ``job`` sends, in the respondent's language; None when there is no one
    to send it to any more (the personal data was erased). ``Unreadable`` when the sealed
    links cannot be opened (SECRET_KEY changed)."""
    response = db.session.get(Response, job.response_id)
    if response is None or response.erased_at is not None or not response.email:
        return None
    links = unseal(PURPOSE, job.parameters["links"])
    with force_locale(job.parameters.get("locale") or "en"):
        pdf = contribution_pdf(response)
        subject, body = confirmation_message(response, links, attached=pdf is not None)
    name = f"contribution-{response.reference}.pdf"
    return Letter(
        to=response.email,
        subject=subject,
        body=body,
        attachments=[(name, "application/pdf", pdf)] if pdf is not None else [],
        message_id=f"<confirmation.{response.reference}@{sender_domain() or 'localhost'}>",
    )


def contribution_pdf(response: Response) -> bytes | None:
    """The PDF copy in the active language, as the receipt link downloads it (bounded in time,
    kept for the next download); None when it cannot be made now: the e-mail says where to
    download it."""
    from ..reports.pdf_cache import cached_contribution_pdf
    from ..reports.pdf_limits import PdfUnavailable
    from .pdf_downloads import render_contribution

    try:
        pdf = cached_contribution_pdf(response, current_locale(), render_contribution)
    except PdfUnavailable:
        current_app.logger.warning("confirmation of response %s: no PDF attached", response.id)
        db.session.rollback()
        return None
    db.session.commit()  # the copy made is kept for the receipt's downloads
    return pdf


def confirmation_message(response: Response, links: dict, *, attached: bool) -> tuple[str, str]:
    """Subject and plain-text body of the confirmation e-mail, in the active language."""
    consultation = response.consultation
    title = consultation.text("title", current_locale())
    receipt = external_url("responses.receipt", token=links["receipt"])
    editable = consultation.is_open and links.get("edit")
    subject = _(
        "Your contribution to “%(title)s” (reference %(reference)s)",
        title=title,
        reference=response.reference,
    )
    lines = [
        _(
            "Thank you for your contribution to the consultation “%(title)s”. It was received "
            "on %(datetime)s Brussels time.",
            title=title,
            datetime=brussels_datetime(response.submitted_at),
        ),
        "",
        _("Your contribution reference: %(reference)s", reference=response.reference),
        _(
            "Quote this reference if you contact the organisers about your contribution. It "
            "is not a password: it does not open your contribution."
        ),
        "",
        _("Your private receipt link shows your answers at any time, after the deadline too:"),
        receipt,
        "",
    ]
    if editable:
        lines += [
            _(
                "Until the consultation closes (%(date)s, midnight Brussels time), you can "
                "change your contribution with this private link. It keeps the same reference.",
                date=long_date(consultation.closing_date),
            ),
            external_url("responses.edit", token=links["edit"]),
            "",
            _(
                "These links are private. Anyone who has them can read your answers, your "
                "e-mail address included, and change your contribution: do not share them, "
                "and do not forward this message."
            ),
        ]
    else:
        lines.append(
            _(
                "This link is private. Anyone who has it can read your answers, your e-mail "
                "address included: do not share it, and do not forward this message."
            )
        )
    lines.append("")
    if attached:
        lines.append(_("A copy of your contribution is attached to this message as a PDF file."))
    else:
        lines.append(
            _(
                "The PDF copy of your contribution could not be attached this time. Download it "
                "from your receipt link."
            )
        )
    lines += [
        "",
        _(
            "You receive this message because “Send me a copy by e-mail” was ticked when the "
            "contribution was sent. If you did not send it, write to %(contact)s.",
            contact=current_app.config["CONTACT_EMAIL"],
        ),
    ]
    return subject, "\n".join(lines)


# -- what people see of it ---------------------------------------------------------------
def confirmation_status(response: Response) -> dict | None:
    """The copy by e-mail of a contribution, for its receipt and its admin page: "waiting",
    "sent", "not_sent" (erased first) or "failed", with the address, tries and times."""
    job = confirmation_job(response)
    if job is None:
        return None
    state = job.state
    if state in (State.QUEUED, State.RUNNING):
        word = "waiting"
    elif state is State.FAILED:
        word = "failed"
    else:
        word = "sent" if job.parameters.get("sent") else "not_sent"
    return {
        "state": word,
        "address": response.email,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "error": job.error,
        "requested_at": job.requested_at,
        "finished_at": job.finished_at,
        "next_try": job.not_before if word == "waiting" else None,
    }


def record_failure(job: Job, error: str) -> None:
    """After the last try: an audit record, so administrators see the copy was not sent."""
    response = db.session.get(Response, job.response_id)
    if response is None:
        return
    record(
        SITE,
        "response.confirmation_failed",
        response,
        after={"reference": response.reference, "tries": job.attempts, "error": error},
    )
