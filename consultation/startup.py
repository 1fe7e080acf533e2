"""Checks made before serving: a clear message instead of a server that half works."""

import os
import sys
import tempfile
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db
from .urls import base_url_problem


class NotReady(Exception):
    """The application cannot serve yet; the message says what to do."""


def _migrations_applied():
    directory = current_app.extensions["migrate"].directory
    heads = set(ScriptDirectory(directory).get_heads())
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        raise NotReady(f"The database cannot be reached: {error.__class__.__name__}.") from None
    if current != heads:
        raise NotReady(
            "The database schema is not up to date (at "
            f"{', '.join(sorted(current)) or 'nothing'}, expected {', '.join(sorted(heads))}). "
            "Run: flask db upgrade"
        )


def _storage_writable():
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise NotReady(
            f"The upload folder {folder} is not writable ({error.strerror}). "
            "Set UPLOAD_FOLDER to a writable folder."
        ) from None


def _secret_key():
    key = current_app.config.get("SECRET_KEY") or ""
    if current_app.config.get("ENV_NAME") == "production" and (
        len(key) < 16 or key == "development-only-secret"
    ):
        raise NotReady("SECRET_KEY is too short or is the development key. Set a long random one.")


def _public_address():
    config = current_app.config
    base = config.get("PUBLIC_BASE_URL")
    if base:
        problem = base_url_problem(base)
        if problem:
            raise NotReady(problem)
    elif config.get("ENV_NAME") == "production" and not config.get("TRUSTED_HOSTS"):
        raise NotReady(
            "PUBLIC_BASE_URL is not set: set it to the site's public address (e.g. "
            "https://consultations.example.eu), so that links in e-mails never take their host "
            "from a request, or list the site's host names in TRUSTED_HOSTS."
        )


def check_ready(app) -> list[str]:
    """Run every check; return the problems found (empty when ready)."""
    problems = []
    with app.app_context():
        for check in (_secret_key, _public_address, _storage_writable, _migrations_applied):
            try:
                check()
            except NotReady as problem:
                problems.append(str(problem))
    return problems


#: The exit status gunicorn reads as "the application cannot load": it stops instead of
#: starting new workers over and over.
CANNOT_LOAD = 4


def refuse_to_start(problems: list[str]) -> None:
    """Say what is wrong in plain lines on standard error (no traceback) and stop."""
    lines = problems[0] if len(problems) == 1 else "\n- " + "\n- ".join(problems)
    print(f"The application cannot start: {lines}", file=sys.stderr, flush=True)
    raise SystemExit(CANNOT_LOAD)


#: Options of the ``flask`` command that take a value.
FLASK_OPTIONS_WITH_VALUE = {"--app", "-A", "--env-file", "-e"}
#: Commands that run without an up-to-date database: migrating it, extracting texts.
NO_DATABASE_COMMANDS = {"db", "translations"}


def _migrating() -> bool:
    """Whether this is ``flask db ...`` (it must run on a schema that is not up to date yet)
    or another command that needs no database (``flask translations ...``).

    The ``flask`` command loads the application to find ``db`` among its commands, before
    click knows which command runs: so the command line is read here.
    """
    if os.environ.get("FLASK_RUN_FROM_CLI") != "true":
        return False
    args = iter(sys.argv[1:])
    for arg in args:
        if arg in FLASK_OPTIONS_WITH_VALUE:
            next(args, None)
        elif not arg.startswith("-"):
            return arg in NO_DATABASE_COMMANDS
    return False


def require_ready(app) -> None:
    """Stop with a clear message when a check fails (used by the WSGI entry point)."""
    if os.environ.get("SKIP_STARTUP_CHECKS") == "1" or _migrating():
        return
    problems = check_ready(app)
    if problems:
        refuse_to_start(problems)
