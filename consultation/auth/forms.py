"""The sign-in form."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length, ValidationError


def printable(form, field):
    """Refuse control characters: no e-mail address or password of ours has them."""
    if any(ord(char) < 32 or ord(char) == 127 for char in field.data or ""):
        raise ValidationError("Remove the invisible control characters.")


class SignInForm(FlaskForm):
    email = EmailField(
        "E-mail address",
        validators=[DataRequired("Enter your e-mail address."), Length(max=254), printable],
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password."), Length(max=1000), printable],
    )
