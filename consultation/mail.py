"""Sending e-mail through the SMTP server of the settings (``MAIL_*``), standard library only."""

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app


class MailNotSent(Exception):
    """The message could not be handed to the SMTP server; the message says why."""


def mail_enabled() -> bool:
    """Whether an SMTP server is configured, so e-mail can be offered to people."""
    return bool(current_app.config.get("MAIL_SERVER"))


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text message to ``to``; raise ``MailNotSent`` if the server refuses it."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=config["MAIL_SENDER"].rpartition("@")[2] or None)
    message.set_content(body)
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
