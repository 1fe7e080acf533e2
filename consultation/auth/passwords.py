"""What makes a password acceptable: long enough, and not one that is commonly used."""

from functools import cache
from importlib.resources import files

from flask_babel import gettext as _

from ..errors import OperationRefused

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1000


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list (package data), in lower case."""
    text = files("consultation.auth").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def password_problem(password: str, email: str = "") -> str | None:
    """Why ``password`` is refused, in words for the person choosing it (``None``: fine)."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _(
            "The password must have at least %(num)d characters. A few unrelated words make "
            "a long password that is easy to remember.",
            num=MIN_PASSWORD_LENGTH,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("The password must have at most %(num)d characters.", num=MAX_PASSWORD_LENGTH)
    folded = password.lower()
    local = (email or "").partition("@")[0].lower()
    if folded in common_passwords() or len(set(folded)) < 4:
        return _("This password is too common and easy to guess. Choose another one.")
    if local and len(local) >= 4 and local in folded:
        return _("The password must not contain your e-mail address. Choose another one.")
    return None


def check_password_strength(password: str, email: str = "") -> None:
    """Refuse a short or common password with the reason."""
    problem = password_problem(password, email)
    if problem:
        raise OperationRefused(problem)
