"""E-mail address: checked for form, never published."""

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import EmailField

from .base import AnswerError
from .short_text import ShortTextQuestion


class EmailQuestion(ShortTextQuestion):
    kind = "email"
    type_name = _l("E-mail address")
    template = "questions/email.html"
    extra_keys = ()
    required_message = _l("Enter your e-mail address.")
    default_max_length = 254

    @classmethod
    def normalise_extra(cls, spec):
        return {}

    def field(self):
        return EmailField()

    def clean_value(self, raw):
        if len(raw) > self.max_length:
            raise AnswerError(_("This e-mail address is too long."))
        try:
            return validate_email(raw, check_deliverability=False).normalized
        except EmailNotValidError:
            raise AnswerError(_("Enter an e-mail address in the form name@example.org.")) from None
