"""The analyst's decision on a group."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length

DECISION_LABELS = {
    "confirmed": _l("Confirmed as a campaign"),
    "rejected": _l("Rejected: not a campaign"),
    "": _l("Not decided"),
}


class DecisionForm(FlaskForm):
    decision = SelectField(
        _l("Decision"), choices=list(DECISION_LABELS.items()), validate_choice=True
    )
    reason = TextAreaField(_l("Reason (recorded in the audit log)"), validators=[Length(max=2000)])


class RegroupForm(FlaskForm):
    """Group the answers again now (a job)."""
