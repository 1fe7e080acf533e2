"""E-mail: ``enqueue_mail`` sends a message as a job (tried again if the server does not answer);
the job's worker hands it to the SMTP server of the settings (``MAIL_*``) with ``send_mail``."""

import base64
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app


class MailNotSent(Exception):
    """The message could not be handed to the SMTP server; the message says why."""


def mail_enabled() -> bool:
    """Whether an SMTP server is configured, so e-mail can be offered to people."""
    return bool(current_app.config.get("MAIL_SERVER"))


def enqueue_mail(to: str, subject: str, body: str, attachments=(), actor=None):
    """Queue a plain-text message to ``to`` as a job; the job (flushed, sent on commit).

    ``attachments``: (file name, content type, bytes). Raises ``QueueUnavailable``
    when the queue cannot be reached, so the caller can say so at once.
    """
    from .audit.operations import Actor
    from .jobs.operations import request_job
    from .jobs.queue import QueueUnavailable, current_queue
    from .jobs.tasks import KINDS

    if not current_queue().reachable():
        raise QueueUnavailable("the job queue does not answer")
    parameters = {
        "to": to,
        "subject": subject,
        "body": body,
        "attachments": [
            [name, content_type, base64.b64encode(data).decode("ascii")]
            for name, content_type, data in attachments
        ],
    }
    job, _joined = request_job(
        "mail",
        parameters,
        actor or Actor("the site"),
        dedupe=False,
        max_attempts=KINDS["mail"].max_attempts,
    )
    return job


def send_mail(to: str, subject: str, body: str, attachments=()) -> None:
    """Send a plain-text message to ``to`` now; raise ``MailNotSent`` if the server refuses it."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=config["MAIL_SENDER"].rpartition("@")[2] or None)
    message.set_content(body)
    for name, content_type, data in attachments:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    if not config.get("MAIL_SERVER"):
        raise MailNotSent("no mail server is configured (MAIL_SERVER)")
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=15) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("e-mail to %s not sent: %s", to, error)
        raise MailNotSent(str(error)) from error
