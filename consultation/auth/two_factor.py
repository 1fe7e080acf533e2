"""Two-factor sign-in: a TOTP authenticator app (RFC 6238) and one-time recovery codes.

The code of the current 30-second step is accepted, and of the step before and after (a
phone's clock may be a little off); a step once accepted is never accepted again.
"""

import hmac
import re
import secrets

import pyotp
import segno
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from .. import clock
from ..audit.operations import record
from ..errors import OperationRefused
from ..extensions import db
from ..responses.tokens import hash_token
from . import sealed_secrets
from .models import RecoveryCode, User

STEP_SECONDS = 30
RECOVERY_CODES = 10
#: No 0/o, 1/l/i: a code copied from paper is read without doubt.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_RE = re.compile(r"\d{6}")
ON, OFF = {"two_factor": True}, {"two_factor": False}


def current_step() -> int:
    return int(clock.now_utc().timestamp()) // STEP_SECONDS


def begin_enrolment(user: User) -> str:
    """The secret to show as a QR code: a new one, or the one already shown (not yet confirmed)."""
    if user.two_factor_enabled:
        raise OperationRefused(_("Two-factor sign-in is already on."))
    if not user.totp_secret_sealed or _secret(user) is None:
        user.totp_secret = pyotp.random_base32()  # (a secret of a key no longer set: anew)
        db.session.flush()
    return user.totp_secret


def _secret(user: User) -> str | None:
    """The secret in clear; None when none is set, or no configured key opens it (the key
    was changed and not kept: an admin turns two-factor sign-in off, the person enrols
    again)."""
    try:
        return user.totp_secret
    except sealed_secrets.Unreadable:
        return None


def provisioning_uri(user: User, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_svg(uri: str, title: str) -> str:
    """The QR code as inline SVG markup (drawn here: nothing is fetched)."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, border=4, title=title, svgclass="qr", dark="#000", light="#fff"
    )


def grouped_secret(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _totp_step(user: User, code: str) -> int | None:
    """The step whose code is ``code`` among now-1, now and now+1, if not used before."""
    code = re.sub(r"\s", "", code or "")
    secret = _secret(user)
    if not secret or not CODE_RE.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret)
    now = current_step()
    for step in (now - 1, now, now + 1):
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def confirm_enrolment(user: User, code: str, actor) -> list[str]:
    """Turn two-factor sign-in on once the app shows the right code; the new recovery codes."""
    if user.two_factor_enabled:
        raise OperationRefused(_("Two-factor sign-in is already on."))
    step = _totp_step(user, code)
    if step is None:
        raise OperationRefused(
            _(
                "That code is not right. Enter the 6 digits your app shows now; if it keeps "
                "failing, check that the time of your phone is set automatically."
            )
        )
    user.totp_last_step = step
    user.two_factor_since = clock.now_utc()
    codes = _new_recovery_codes(user)
    record(
        actor, "user.two_factor_on", user, before={"two_factor": False}, after={"two_factor": True}
    )
    db.session.flush()
    return codes


def _normalised_recovery(code: str) -> str:
    return re.sub(r"[\s-]", "", (code or "").lower())


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10)) for _ in range(10)]
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hash_token(code)))
    db.session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def regenerate_recovery_codes(user: User, actor) -> list[str]:
    """Replace every recovery code of ``user`` by ten new ones (shown once)."""
    if not user.two_factor_enabled:
        raise OperationRefused(_("Two-factor sign-in is not on."))
    codes = _new_recovery_codes(user)
    record(actor, "user.recovery_codes", user, after={"codes": RECOVERY_CODES})
    return codes


def unused_recovery_codes(user: User) -> int:
    query = select(func.count()).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
    )
    return db.session.scalar(query)


def check_second_factor(user: User, code: str) -> str | None:
    """``"totp"`` or ``"recovery"`` when ``code`` is right (and now used up), else ``None``."""
    step = _totp_step(user, code)
    if step is not None:
        user.totp_last_step = step
        # A secret encrypted under an earlier key: under the current one from now on.
        user.totp_secret_sealed = sealed_secrets.rotated(user.totp_secret_sealed)
        db.session.flush()
        return "totp"
    normalised = _normalised_recovery(code)
    if len(normalised) != 10:
        return None
    found = db.session.scalar(
        select(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == hash_token(normalised),
            RecoveryCode.used_at.is_(None),
        )
        .with_for_update()
    )
    if found is None:
        return None
    found.used_at = clock.now_utc()
    db.session.flush()
    return "recovery"


def turn_off_two_factor(user: User, actor) -> None:
    """For a person who lost their phone and their codes: they enrol again at next sign-in."""
    if not user.two_factor_enabled and not user.totp_secret_sealed:
        raise OperationRefused(_("Two-factor sign-in is not on."))
    user.totp_secret = None
    user.two_factor_since = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record(
        actor, "user.two_factor_off", user, before={"two_factor": True}, after={"two_factor": False}
    )
    db.session.flush()
