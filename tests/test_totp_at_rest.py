"""TOTP secrets are kept encrypted at rest: the column holds no secret in clear, sign-in
with a code works, a change of key keeps them readable while the old key is configured,
and migration 0023 encrypts the secrets already stored (and downgrading decrypts them)."""

import pyotp
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from consultation.auth import sealed_secrets
from consultation.auth.operations import user_by_email
from consultation.extensions import db

from .admin_helpers import make_user, totp_code
from .test_two_factor import (  # noqa: F401 (fixtures)
    CODE_STEP,
    ENROL,
    code_step,
    enrol,
    enrolled,
    password_step,
    secret_of,
)

EMAIL = "admin@example.org"


def stored(email=EMAIL):
    """The column as a copy of the database shows it."""
    db.session.expire_all()
    return db.session.execute(
        text("SELECT totp_secret FROM users WHERE email = :email"), {"email": email}
    ).scalar()


def signs_in(app, email=EMAIL) -> bool:
    client = app.test_client()
    assert password_step(client, email).headers["Location"] == CODE_STEP
    return code_step(client, totp_code(email)).status_code == 302


def test_the_stored_secret_is_not_the_secret(app, enrolled):  # noqa: F811
    secret = secret_of(EMAIL)
    column = stored()
    assert pyotp.TOTP(secret).now()  # a real base32 secret, in clear for the codes
    assert column and column != secret and secret not in column
    assert column.startswith("gAAAAA")  # a Fernet token
    assert sealed_secrets.decrypt(column) == secret
    assert signs_in(app)


def test_a_dedicated_key_keeps_the_secrets_of_the_old_one_readable(app, enrolled):  # noqa: F811
    """A deployment adds TOTP_ENCRYPTION_KEY: the secrets encrypted under the key derived
    from SECRET_KEY still give codes, and the next sign-in encrypts them under the new one."""
    before = stored()
    app.config["TOTP_ENCRYPTION_KEY"] = "a dedicated key for the authenticator secrets"
    try:
        assert signs_in(app)
        after = stored()
        assert after != before
        only_new = {"TOTP_ENCRYPTION_KEY": app.config["TOTP_ENCRYPTION_KEY"]}
        assert sealed_secrets.decrypt(after, only_new) == secret_of(EMAIL)
    finally:
        del app.config["TOTP_ENCRYPTION_KEY"]


def test_the_migration_encrypts_the_secrets_in_clear_and_downgrades(app):
    make_user(EMAIL, "admin")  # enrolled, as before the change
    secret = secret_of(EMAIL)
    db.session.commit()
    db.session.remove()
    try:
        downgrade(revision="0021")
        assert stored() == secret  # in clear, as version 0021 kept it
    finally:
        db.session.remove()
        upgrade()
    db.session.remove()
    column = stored()
    assert column != secret and sealed_secrets.decrypt(column) == secret
    assert user_by_email(EMAIL).totp_secret == secret
    assert signs_in(app)


def test_a_secret_no_configured_key_opens_refuses_the_code_without_failing(app, enrolled):  # noqa: F811
    code = totp_code(EMAIL)
    app.config["SECRET_KEY"], old = "another-secret-key", app.config["SECRET_KEY"]
    try:
        client = app.test_client()
        password_step(client, EMAIL)
        assert code_step(client, code).status_code == 401  # not right, not a server error
    finally:
        app.config["SECRET_KEY"] = old
    assert signs_in(app)
