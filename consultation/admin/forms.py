"""Forms of the administration area. Changes are POSTs with CSRF and a confirmation step."""

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ConfirmForm(FlaskForm):
    """Every change is asked twice: the first POST shows a confirmation, the second acts."""

    confirm = HiddenField()
    reason = TextAreaField("Reason (recorded in the audit log)", validators=[Length(max=2000)])

    @property
    def confirmed(self):
        return self.confirm.data == "yes"


class CloseForm(ConfirmForm):
    pass


class ReopenForm(ConfirmForm):
    pass


class ExtendForm(ConfirmForm):
    closing_date = DateField(
        "New closing date (the consultation closes at midnight at the end of this day, "
        "Brussels time)",
        validators=[DataRequired("Enter the new closing date.")],
        format="%Y-%m-%d",
    )


class FlagForm(ConfirmForm):
    flag = SelectField(
        "Mark",
        choices=[("spam", "Spam"), ("duplicate", "Duplicate"), ("", "No mark (count it)")],
        validate_choice=True,
    )


class EraseForm(ConfirmForm):
    pass


class ResponseFilterForm(FlaskForm):
    """Filters of the response list (a GET form, no CSRF)."""

    class Meta:
        csrf = False

    respondent_type = SelectField("Respondent type", choices=[], validate_choice=False)
    country = SelectField("Country", choices=[], validate_choice=False)
    since = DateField("Submitted from", validators=[Optional()], format="%Y-%m-%d")
    until = DateField("Submitted until", validators=[Optional()], format="%Y-%m-%d")
    text = StringField("Text in the answers", validators=[Optional(), Length(max=200)])
    flag = SelectField(
        "Marks",
        choices=[
            ("all", "All responses"),
            ("counted", "Counted (not marked)"),
            ("spam", "Marked as spam"),
            ("duplicate", "Marked as duplicate"),
        ],
        validate_choice=False,
    )
