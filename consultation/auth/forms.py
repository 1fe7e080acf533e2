"""Signing in (password, then code), choosing a password, and managing accounts."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, ValidationError
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp

from .models import Role
from .passwords import password_problem


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


class CodeForm(FlaskForm):
    """The second step of signing in, and the confirmation of a new authenticator app."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Enter the code.")), Length(max=32)],
    )


class SetPasswordForm(FlaskForm):
    """A new password, chosen through an invitation or reset link."""

    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Enter a password.")), Length(max=1000)],
    )
    confirm = PasswordField(
        _l("The same password again"),
        validators=[
            DataRequired(_l("Enter the password a second time.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )

    def __init__(self, email="", **kwargs):
        super().__init__(**kwargs)
        self.email = email

    def validate_password(self, field):
        problem = password_problem(field.data, self.email)
        if problem:
            raise ValidationError(problem)


ROLE_CHOICES = [
    (Role.ADMIN.value, _l("administrator")),
    (Role.ANALYST.value, _l("analyst")),
    (Role.MODERATOR.value, _l("moderator")),
]


class InviteForm(FlaskForm):
    """Invite a person by e-mail, with a role."""

    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(_l("Enter an e-mail address.")),
            Length(max=254),
            Email(
                _l("Enter an e-mail address in the form name@example.org."),
                check_deliverability=False,
            ),
        ],
    )
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=Role.ANALYST.value)


class RoleForm(FlaskForm):
    """Give an account another role."""

    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
