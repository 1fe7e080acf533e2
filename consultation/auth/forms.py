"""The sign-in form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length, Regexp


class SignInForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Length(max=254),
            # Control characters (NUL above all) cannot even be looked up in PostgreSQL.
            Regexp(
                r"[^\x00-\x1f\x7f]*\Z",
                message=_l("Enter an e-mail address in the form name@example.org."),
            ),
        ],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=1000)]
    )
