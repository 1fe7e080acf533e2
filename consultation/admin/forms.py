"""Forms of the administration area. Changes are POSTs with CSRF and a confirmation step."""

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..formatting import long_date

#: Dates a person can mean here. Beyond them no instant exists (year 1 and 9999 overflow
#: when turned into Brussels midnight) or none is meant; a clear message instead.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)


class DateInRangeField(DateField):
    """A YYYY-MM-DD date between ``EARLIEST_DATE`` and ``LATEST_DATE``; others are refused."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Enter a date such as 2025-06-04.")) from None
        if self.data is not None and not EARLIEST_DATE <= self.data <= LATEST_DATE:
            self.data = None
            raise ValueError(
                _(
                    "Enter a date between %(first)s and %(last)s.",
                    first=long_date(EARLIEST_DATE),
                    last=long_date(LATEST_DATE),
                )
            )


class ConfirmForm(FlaskForm):
    """Every change is asked twice: the first POST shows a confirmation, the second acts."""

    confirm = HiddenField()
    reason = TextAreaField(_l("Reason (recorded in the audit log)"), validators=[Length(max=2000)])

    @property
    def confirmed(self):
        return self.confirm.data == "yes"


class CloseForm(ConfirmForm):
    pass


class ReopenForm(ConfirmForm):
    pass


class ExtendForm(ConfirmForm):
    closing_date = DateInRangeField(
        _l(
            "New closing date (the consultation closes at midnight at the end of this day, "
            "Brussels time)"
        ),
        # InputRequired, not DataRequired: that one would hide the date field's own message.
        validators=[InputRequired(_l("Enter the new closing date."))],
        format="%Y-%m-%d",
    )


#: The marks an administrator can give a response, as people read them.
FLAG_LABELS = {"spam": _l("Spam"), "duplicate": _l("Duplicate")}


def flag_label(flag: str | None) -> str:
    """A response's mark in the reader's language ("" for none)."""
    return str(FLAG_LABELS.get(flag, flag or ""))


class FlagForm(ConfirmForm):
    flag = SelectField(
        _l("Mark"),
        choices=[*FLAG_LABELS.items(), ("", _l("No mark (count it)"))],
        validate_choice=True,
    )


class EraseForm(ConfirmForm):
    #: Typed from the request and checked against the response, so the wrong one is never erased.
    reference = StringField(
        _l("Reference of the contribution, as the request quotes it"),
        validators=[
            DataRequired(_l("Type the reference of the contribution the request is about.")),
            Length(max=64),
        ],
    )


class ReferenceLookupForm(FlaskForm):
    """Find a response by its reference (a GET form, no CSRF)."""

    class Meta:
        csrf = False

    reference = StringField(_l("Contribution reference"), validators=[Length(max=64)])


class ResponseFilterForm(FlaskForm):
    """Filters of the response list (a GET form, no CSRF)."""

    class Meta:
        csrf = False

    respondent_type = SelectField(_l("Respondent type"), choices=[], validate_choice=False)
    country = SelectField(_l("Country"), choices=[], validate_choice=False)
    since = DateInRangeField(_l("Submitted from"), validators=[Optional()], format="%Y-%m-%d")
    until = DateInRangeField(_l("Submitted until"), validators=[Optional()], format="%Y-%m-%d")
    text = StringField(
        _l("Reference, or text in the answers"), validators=[Optional(), Length(max=200)]
    )
    flag = SelectField(
        _l("Marks"),
        choices=[
            ("all", _l("All responses")),
            ("counted", _l("Counted (not marked)")),
            ("spam", _l("Marked as spam")),
            ("duplicate", _l("Marked as duplicate")),
        ],
        validate_choice=False,
    )


class AuditFilterForm(FlaskForm):
    """Filters of the audit log (a GET form, no CSRF): what, who, from and until when."""

    class Meta:
        csrf = False

    action = SelectField(_l("What"), choices=[], validate_choice=False)
    person = SelectField(
        _l("Person (who acted, or whose account)"), choices=[], validate_choice=False
    )
    since = DateInRangeField(_l("From"), validators=[Optional()], format="%Y-%m-%d")
    until = DateInRangeField(_l("Until"), validators=[Optional()], format="%Y-%m-%d")

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(
                _(
                    "The end date (%(until)s) is before the start date (%(since)s).",
                    until=long_date(field.data),
                    since=long_date(self.since.data),
                )
            )
