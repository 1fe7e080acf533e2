"""E-mail: ``enqueue_mail`` sends a message as a job (tried again if the server does not answer);
the job's worker hands it to the SMTP server of the settings (``MAIL_*``) with ``send_mail``."""

import base64
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

#: What the sealed message of a "mail" job is for (its key is of this purpose).
SEALED_MAIL = "mail"


class MailNotSent(Exception):
    """The message could not be handed to the SMTP server; the message says why.

    ``permanent``: the server refused the address itself, so trying again cannot help.
    """

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.permanent = permanent


def mail_enabled() -> bool:
    """Whether an SMTP server is configured, so e-mail can be offered to people."""
    return bool(current_app.config.get("MAIL_SERVER"))


def enqueue_mail(to: str, subject: str, body: str, attachments=(), actor=None):
    """Queue a plain-text message to ``to`` as a job; the job (flushed, sent on commit).

    The job's row holds the whole message sealed (``sealing``): address, body and
    attachments are in clear nowhere in the database.

    ``attachments``: (file name, content type, bytes). Raises ``QueueUnavailable``
    when the queue cannot be reached, so the caller can say so at once.
    """
    from .audit.operations import Actor
    from .jobs.operations import request_job
    from .jobs.queue import QueueUnavailable, current_queue
    from .jobs.tasks import KINDS
    from .sealing import seal

    if not current_queue().reachable():
        raise QueueUnavailable("the job queue does not answer")
    message = {
        "to": to,
        "subject": subject,
        "body": body,
        "attachments": [
            [name, content_type, base64.b64encode(data).decode("ascii")]
            for name, content_type, data in attachments
        ],
    }
    # The body may hold a private link (a draft's): sealed in the job's row, never in clear.
    parameters = {"sealed": seal(SEALED_MAIL, message)}
    job, _joined = request_job(
        "mail",
        parameters,
        actor or Actor("the site"),
        dedupe=False,
        max_attempts=KINDS["mail"].max_attempts,
    )
    return job


def sender_domain() -> str | None:
    """The domain of MAIL_SENDER, for the Message-ID of what the site sends."""
    return current_app.config["MAIL_SENDER"].rpartition("@")[2] or None


def send_mail(to: str, subject: str, body: str, attachments=(), *, message_id=None) -> None:
    """Send a plain-text message to ``to`` now; raise ``MailNotSent`` if the server refuses it.

    ``message_id``: the same one for every try of one message, so that a copy that went out
    twice all the same is recognised as one by the mail programs that look.
    """
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain=sender_domain())
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
    except smtplib.SMTPRecipientsRefused as error:
        # Its text names the address: the log and the job's record say only what happened.
        current_app.logger.warning("e-mail not sent: the server refused the recipient")
        codes = [code for code, _ in error.recipients.values()]
        listed = ", ".join(str(code) for code in codes)
        # 5xx: refused for good; 4xx (a greylisting server, a full mailbox): try again later.
        permanent = all(500 <= code < 600 for code in codes)
        raise MailNotSent(
            f"the server refused the recipient's address ({listed})", permanent=permanent
        ) from error
    except (OSError, smtplib.SMTPException) as error:
        # Never the address in the log: the warning says only why.
        current_app.logger.warning("e-mail not sent: %s", error)
        raise MailNotSent(str(error)) from error
