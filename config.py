"""Settings, read from environment variables.

``APP_ENV`` picks the profile: ``production`` (the default: safe settings,
``SECRET_KEY`` required), ``development`` or ``testing``.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import click

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))
OFF = ("0", "false", "no", "off")
#: Written by ``make run``: the development settings of the demo in this instance folder.
DEVELOPMENT_FILE = INSTANCE_DIR / ".env"


def _use_the_settings_of_make_run():
    """After ``make run``, ``flask ...`` in another terminal works on the same demo database.

    ``make run`` leaves its settings (APP_ENV=development, PUBLIC_BASE_URL) in
    ``instance/.env``. They are read only by the ``flask`` command (gunicorn never reads
    them), only when APP_ENV is not set, only when they select development, and never
    override a variable that is set.
    """
    if "APP_ENV" in os.environ or os.environ.get("FLASK_RUN_FROM_CLI") != "true":
        return
    try:
        lines = DEVELOPMENT_FILE.read_text().splitlines()
    except OSError:
        return
    settings = dict(
        (name.strip(), value.strip())
        for name, sep, value in (line.partition("=") for line in lines)
        if sep and name.strip() and not name.lstrip().startswith("#")
    )
    if settings.get("APP_ENV") == "development":
        for name, value in settings.items():
            os.environ.setdefault(name, value)


_use_the_settings_of_make_run()


def _text(name, default):
    """A text shown to the public: the same in every language, or JSON such as
    ``{"en": "...", "fr": "...", "de": "..."}`` (a missing language falls back to English)."""
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lstrip().startswith("{"):
        return json.loads(value)
    return value


class Config:
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    #: Earlier keys, comma-separated, still accepted after a change of SECRET_KEY (sessions,
    #: and the sealed links of confirmation e-mails queued before the change).
    SECRET_KEY_FALLBACKS = [k for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k]
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'consultation.sqlite'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    #: Requests larger than this are refused with 413 (uploads are capped per question).
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 5 * 1024 * 1024))
    #: The largest questionnaire file an admin may import (bytes); the shipped ones are
    #: under 60 KB once their shared block is written in.
    QUESTIONNAIRE_MAX_BYTES = int(os.environ.get("QUESTIONNAIRE_MAX_BYTES", 512 * 1024))
    #: Long questionnaires take time: the CSRF token lives as long as the session.
    WTF_CSRF_TIME_LIMIT = None
    #: A questionnaire page can be sent this long after it was served (its own token, not the
    #: session's: a respondent may take hours; questionnaires.form_token).
    QUESTIONNAIRE_TOKEN_HOURS = int(os.environ.get("QUESTIONNAIRE_TOKEN_HOURS", 24))
    #: A file chosen in a form that came back unsent is kept this long for it
    #: (``flask uploads purge`` deletes it afterwards).
    KEPT_FILE_HOURS = int(os.environ.get("KEPT_FILE_HOURS", 24))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    TIMEZONE = "Europe/Brussels"
    #: The interface languages to offer, e.g. "en,fr,de,el" (default: every language whose
    #: catalogues are complete; English always). See consultation/catalogues.py.
    LANGUAGES = [
        code.strip() for code in os.environ.get("LANGUAGES", "").split(",") if code.strip()
    ]
    #: A signed-in session ends after this much inactivity.
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", 30)))
    #: ... and after this long in any case, however active.
    SESSION_MAX_AGE = timedelta(hours=int(os.environ.get("SESSION_MAX_HOURS", 12)))
    #: Sign-in throttling: failures per account and address within the window before locking.
    SIGN_IN_MAX_FAILURES = 5
    SIGN_IN_WINDOW = timedelta(minutes=15)
    #: Failures from one address, whatever the accounts, before that address is locked.
    SIGN_IN_MAX_FAILURES_PER_ADDRESS = 20
    #: Administrators always sign in with a second factor (an authenticator app's code);
    #: this makes it required of every role (analysts and moderators too).
    REQUIRE_TWO_FACTOR_FOR_ALL = os.environ.get("REQUIRE_TWO_FACTOR_FOR_ALL", "").lower() in (
        "1",
        "true",
        "yes",
        "on",
    )
    #: The key the TOTP secrets are encrypted with at rest (``auth.sealed_secrets``): any long
    #: random value; unset, a key derived from SECRET_KEY is used. Secrets encrypted under
    #: SECRET_KEY (or a key of SECRET_KEY_FALLBACKS) stay readable and move to this one at
    #: the next sign-in with a code.
    TOTP_ENCRYPTION_KEY = os.environ.get("TOTP_ENCRYPTION_KEY") or None
    #: The name an authenticator app shows beside the account.
    TWO_FACTOR_ISSUER = os.environ.get("TWO_FACTOR_ISSUER", "Consultations")
    #: After the right password, the code must be given within this time.
    TWO_FACTOR_STEP_MINUTES = 5
    #: An invitation or password-reset link works once, within this many hours.
    ACCOUNT_LINK_HOURS = int(os.environ.get("ACCOUNT_LINK_HOURS", 72))
    ADMIN_PAGE_SIZE = 50
    #: Where rate-limit counters live: Redis (RATELIMIT_STORAGE_URI or REDIS_URL) shares them
    #: between servers; by default a SQLite file shares them between this machine's processes.
    RATELIMIT_STORAGE_URI = (
        os.environ.get("RATELIMIT_STORAGE_URI")
        or os.environ.get("REDIS_URL")
        or f"consultation-sqlite://{INSTANCE_DIR / 'rate-limits.sqlite'}"
    )
    #: Rate limits per client address (Flask-Limiter syntax).
    RATELIMIT_SUBMIT = os.environ.get("RATELIMIT_SUBMIT", "20 per minute;200 per hour")
    RATELIMIT_SIGN_IN = os.environ.get("RATELIMIT_SIGN_IN", "10 per minute;50 per hour")
    RATELIMIT_EMAIL = os.environ.get("RATELIMIT_EMAIL", "5 per hour")
    #: Downloads of a respondent's PDFs (a draft, a copy of a contribution) per client.
    RATELIMIT_PDF = os.environ.get("RATELIMIT_PDF", "10 per minute;60 per hour")
    #: The open-data API, per client: pages and documents, and the (large) bulk files.
    RATELIMIT_API = os.environ.get("RATELIMIT_API", "120 per minute;3000 per hour")
    RATELIMIT_API_BULK = os.environ.get("RATELIMIT_API_BULK", "10 per minute;60 per hour")
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "consultation")
    RATELIMIT_HEADERS_ENABLED = True
    #: Turned off only to measure throughput on a private machine (benchmarks/submissions.py).
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "true").lower() not in OFF
    #: Forms being stored at once by this machine's processes (``responses/admission.py``):
    #: keep it below the number of workers, so that some always serve pages. 0: no limit.
    SUBMISSION_SLOTS = int(os.environ.get("SUBMISSION_SLOTS", 4))
    #: How long a posted form waits for a slot before it gets the "too busy" page.
    SUBMISSION_WAIT_SECONDS = float(os.environ.get("SUBMISSION_WAIT_SECONDS", 0.25))
    #: Retry-After of the "too busy" page, in seconds.
    BUSY_RETRY_SECONDS = int(os.environ.get("BUSY_RETRY_SECONDS", 10))
    #: Where the slots' lock files are (one folder per machine; default: instance/submission-gate).
    SUBMISSION_GATE_FOLDER = os.environ.get("SUBMISSION_GATE_FOLDER")
    #: A questionnaire sent back sooner than this after it was served looks automated.
    MIN_FORM_SECONDS = int(os.environ.get("MIN_FORM_SECONDS", 3))
    #: The site's public address (https://consultations.example.eu): absolute links in e-mails
    #: are built from it, never from the request's Host header. Production needs it (or
    #: TRUSTED_HOSTS).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or None
    #: Host names the site answers to, comma-separated; Flask refuses others with a 400.
    TRUSTED_HOSTS = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()]
    TRUSTED_HOSTS = TRUSTED_HOSTS or None
    #: Behind a reverse proxy, how many X-Forwarded-For hops to trust (0: none).
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", 0))
    #: A respondent's PDF taking longer than this (seconds) is abandoned: its child process is
    #: killed and the text file offered instead, so a slow render never holds a web worker.
    PDF_RENDER_SECONDS = float(os.environ.get("PDF_RENDER_SECONDS", 20))
    #: PDFs one application process renders at once; beyond, "try again shortly" at once.
    PDF_RENDER_PARALLEL = int(os.environ.get("PDF_RENDER_PARALLEL", 2))
    #: Drafts are deleted (``flask drafts purge``) this many days after their consultation closed.
    DRAFT_RETENTION_DAYS = int(os.environ.get("DRAFT_RETENTION_DAYS", 30))
    #: Outgoing e-mail (draft links). Without MAIL_SERVER no e-mail is offered.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes", "on")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "consultations@localhost")
    #: Who runs the site, and how to reach them: the footer, the privacy and accessibility
    #: statements and the legal notice (texts: one for all languages, or JSON by language).
    #: CONTACT_ADDRESS is the postal address that follows the body's name.
    ISSUING_BODY = _text(
        "ISSUING_BODY",
        {
            "en": "European Commission",
            "fr": "Commission européenne",
            "de": "Europäische Kommission",
        },
    )
    CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "consultations@example.org")
    CONTACT_ADDRESS = _text(
        "CONTACT_ADDRESS",
        {
            "en": "1049 Brussels, Belgium",
            "fr": "1049 Bruxelles, Belgique",
            "de": "1049 Brüssel, Belgien",
        },
    )
    #: The data controller's contact for personal data (access, correction, erasure).
    DATA_PROTECTION_EMAIL = os.environ.get("DATA_PROTECTION_EMAIL", CONTACT_EMAIL)
    DATA_PROTECTION_LAW = _text(
        "DATA_PROTECTION_LAW",
        {
            "en": "Regulation (EU) 2018/1725",
            "fr": "règlement (UE) 2018/1725",
            "de": "Verordnung (EU) 2018/1725",
        },
    )
    SUPERVISORY_AUTHORITY = _text(
        "SUPERVISORY_AUTHORITY",
        {
            "en": "European Data Protection Supervisor (EDPS)",
            "fr": "Contrôleur européen de la protection des données (CEPD)",
            "de": "Europäischer Datenschutzbeauftragter (EDSB)",
        },
    )
    SUPERVISORY_AUTHORITY_URL = os.environ.get(
        "SUPERVISORY_AUTHORITY_URL", "https://www.edps.europa.eu"
    )
    #: Where a person turns when an accessibility complaint gets no satisfactory answer.
    ACCESSIBILITY_ENFORCEMENT_BODY = _text(
        "ACCESSIBILITY_ENFORCEMENT_BODY",
        {
            "en": "European Ombudsman",
            "fr": "Médiateur européen",
            "de": "Europäische Bürgerbeauftragte",
        },
    )
    ACCESSIBILITY_ENFORCEMENT_URL = os.environ.get(
        "ACCESSIBILITY_ENFORCEMENT_URL", "https://www.ombudsman.europa.eu"
    )
    #: When the accessibility statement was last reviewed (YYYY-MM-DD).
    ACCESSIBILITY_REVIEWED = os.environ.get("ACCESSIBILITY_REVIEWED", "2026-12-02")
    #: Working days within which a reported problem gets an answer.
    FEEDBACK_REPLY_DAYS = int(os.environ.get("FEEDBACK_REPLY_DAYS", 15))
    #: Background jobs (``consultation.jobs``): through Redis when set, so workers on any number
    #: of machines share them; otherwise a SQLite file (one machine).
    REDIS_URL = os.environ.get("REDIS_URL") or None
    JOBS_QUEUE_FILE = os.environ.get("JOBS_QUEUE_FILE", str(INSTANCE_DIR / "jobs-queue.sqlite"))
    #: Names the queue (Redis keys start with huey.*.NAME): two sites may share one Redis.
    JOBS_QUEUE_NAME = os.environ.get("JOBS_QUEUE_NAME", "consultation")
    #: A running job's worker renews its lease; a job whose lease ran out is tried again.
    JOBS_LEASE_SECONDS = int(os.environ.get("JOBS_LEASE_SECONDS", 120))
    #: Finished reports and exports, shared by every worker and web process.
    REPORT_FOLDER = os.environ.get("REPORT_FOLDER", str(INSTANCE_DIR / "reports"))
    #: Prepared files are deleted this many days after they were made.
    REPORT_RETENTION_DAYS = int(os.environ.get("REPORT_RETENTION_DAYS", 7))
    #: Seconds the counts beside the public list's filters are kept per process (0: never);
    #: the list itself is always read live (``publishing.facets``).
    FACET_CACHE_SECONDS = int(os.environ.get("FACET_CACHE_SECONDS", 60))
    #: The workers count those filter counts each minute and keep them; a request uses a
    #: count at most this old, and counts for itself only when none is (no worker runs).
    FACET_STORED_SECONDS = int(os.environ.get("FACET_STORED_SECONDS", 180))

    #: After contributions, a worker is asked to make their ready export lines at most this
    #: often per process (seconds; 0: only the workers' minutely run makes them).
    READY_LINES_NUDGE_SECONDS = float(os.environ.get("READY_LINES_NUDGE_SECONDS", 5))
    #: Likewise, a worker is asked to count new contributions into the summary's tallies
    #: (``reports.tally_outbox``; 0: only the workers' minutely run counts them).
    TALLIES_NUDGE_SECONDS = float(os.environ.get("TALLIES_NUDGE_SECONDS", 5))


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-secret")
    SESSION_COOKIE_SECURE = False


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    #: The suite posts far faster than people do; tests of the limits turn them on.
    RATELIMIT_ENABLED = False
    MIN_FORM_SECONDS = 0
    #: No gate (each test process would share the instance folder's slots); the tests of the
    #: gate set their own slots and folder.
    SUBMISSION_SLOTS = 0
    #: Counts beside the public filters are exact at once (their cache has its own test).
    FACET_CACHE_SECONDS = 0
    #: No thread asking a worker for export lines (their test asks for one).
    READY_LINES_NUDGE_SECONDS = 0
    TALLIES_NUDGE_SECONDS = 0
    RATELIMIT_STORAGE_URI = "memory://"  # one test process; tests of sharing set their own
    SECRET_KEY = "testing-secret"
    SESSION_COOKIE_SECURE = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    MAIL_SERVER = None  # tests that send e-mail set their own local server


PROFILES = {
    "production": Config,
    "development": DevelopmentConfig,
    "testing": TestingConfig,
}


class SettingsError(click.ClickException, RuntimeError):
    """A setting the application cannot start without; the command line shows it in one line."""


def get_config(name=None):
    """The settings class for ``name`` or, by default, for ``APP_ENV``."""
    name = name or os.environ.get("APP_ENV", "production")
    try:
        return PROFILES[name]
    except KeyError:
        raise SettingsError(
            f"APP_ENV={name!r} is not a known profile; use one of {', '.join(PROFILES)}."
        ) from None
