"""Settings, read from environment variables.

``APP_ENV`` picks the profile: ``production`` (the default: safe settings,
``SECRET_KEY`` required), ``development`` or ``testing``.
"""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))
OFF = ("0", "false", "no", "off")


class Config:
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'consultation.sqlite'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    #: Requests larger than this are refused with 413 (uploads are capped per question).
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 5 * 1024 * 1024))
    #: Long questionnaires take time: the CSRF token lives as long as the session.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    TIMEZONE = "Europe/Brussels"
    #: A signed-in session ends after this much inactivity.
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", 30)))
    #: Sign-in throttling: failures per account and address within the window before locking.
    SIGN_IN_MAX_FAILURES = 5
    SIGN_IN_WINDOW = timedelta(minutes=15)
    #: Failures from one address, whatever the accounts, before that address is locked.
    SIGN_IN_MAX_FAILURES_PER_ADDRESS = 20
    ADMIN_PAGE_SIZE = 50
    #: Rate limits per client address (Flask-Limiter syntax); shared through Redis when set.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_SUBMIT = os.environ.get("RATELIMIT_SUBMIT", "20 per minute;200 per hour")
    RATELIMIT_SIGN_IN = os.environ.get("RATELIMIT_SIGN_IN", "10 per minute;50 per hour")
    RATELIMIT_EMAIL = os.environ.get("RATELIMIT_EMAIL", "5 per hour")
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "consultation")
    RATELIMIT_HEADERS_ENABLED = True
    #: Turned off only to measure throughput on a private machine (benchmarks/submissions.py).
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "true").lower() not in OFF
    #: A questionnaire sent back sooner than this after it was served looks automated.
    MIN_FORM_SECONDS = int(os.environ.get("MIN_FORM_SECONDS", 3))
    #: Behind a reverse proxy, how many X-Forwarded-For hops to trust (0: none).
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", 0))
    #: Drafts are deleted (``flask drafts purge``) this many days after their consultation closed.
    DRAFT_RETENTION_DAYS = int(os.environ.get("DRAFT_RETENTION_DAYS", 30))
    #: Outgoing e-mail (draft links). Without MAIL_SERVER no e-mail is offered.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes", "on")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "consultations@localhost")
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
    SECRET_KEY = "testing-secret"
    SESSION_COOKIE_SECURE = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    MAIL_SERVER = None  # tests that send e-mail set their own local server


PROFILES = {
    "production": Config,
    "development": DevelopmentConfig,
    "testing": TestingConfig,
}


def get_config(name=None):
    """The settings class for ``name`` or, by default, for ``APP_ENV``."""
    name = name or os.environ.get("APP_ENV", "production")
    try:
        return PROFILES[name]
    except KeyError:
        raise RuntimeError(
            f"APP_ENV={name!r} is not a known profile; use one of {', '.join(PROFILES)}."
        ) from None
