"""E-mail address: checked for form, never published."""

from email_validator import EmailNotValidError, validate_email
from wtforms import EmailField

from .base import AnswerError
from .short_text import ShortTextQuestion


class EmailQuestion(ShortTextQuestion):
    kind = "email"
    template = "questions/email.html"
    extra_keys = ()
    required_message = "Enter your e-mail address."
    default_max_length = 254

    @classmethod
    def normalise_extra(cls, spec):
        return {}

    def field(self):
        return EmailField()

    def clean_value(self, raw):
        if len(raw) > self.max_length:
            raise AnswerError("This e-mail address is too long.")
        try:
            return validate_email(raw, check_deliverability=False).normalized
        except EmailNotValidError:
            raise AnswerError("Enter an e-mail address in the form name@example.org.") from None
