"""The public consultation platform: ``create_app`` builds the Flask application."""

from pathlib import Path

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.middleware.proxy_fix import ProxyFix

from config import INSTANCE_DIR, SettingsError, get_config

from . import formatting, guards, i18n, limits, models, security, urls  # noqa: F401 (models)
from .dbsetup import configure_engine
from .extensions import babel, csrf, db, login_manager, migrate
from .questionnaires import form_token
from .reports import pdf_bounds

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None) -> Flask:
    """Build the application with ``config`` (a class, or a profile name; default ``APP_ENV``)."""
    if config is None or isinstance(config, str):
        config = get_config(config)
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
        instance_path=str(INSTANCE_DIR),
    )
    app.config.from_object(config)
    if not app.config.get("SECRET_KEY"):
        raise SettingsError(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "value (python -c 'import secrets; print(secrets.token_hex(32))'), or, for a trial "
            "on your own machine, run `make run` first or set APP_ENV=development."
        )

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    guards.init_app(app)  # first: its converter is used by every route, its check runs first
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    limits.init_app(app)
    csrf.init_app(app)
    babel.init_app(
        app,
        default_locale=i18n.DEFAULT_LOCALE,
        default_translation_directories=str(ROOT / "translations"),
        locale_selector=i18n.select_locale,
    )
    i18n.register(app)
    login_manager.init_app(app)
    formatting.register(app)
    urls.register(app)
    pdf_bounds.register(app)
    security.init_app(app)
    form_token.init_app(app)
    app.context_processor(_language_context)

    from .admin import campaigns as _admin_campaigns  # noqa: F401  (routes on the admin blueprint)
    from .admin import reports as _admin_reports  # noqa: F401  (routes on the admin blueprint)
    from .admin.views import bp as admin_bp
    from .auth import account_views as _account_views  # noqa: F401  (on the admin blueprint)
    from .auth import users_views as _users_views  # noqa: F401  (on the admin blueprint)
    from .auth.views import bp as auth_bp
    from .authoring import editor_views as _editor_views  # noqa: F401  (routes on the admin bp)
    from .authoring import preview as _authoring_preview  # noqa: F401  (routes on the admin bp)
    from .authoring import publish_views as _authoring_publish  # noqa: F401  (the admin bp)
    from .authoring import views as _authoring_views  # noqa: F401  (routes on the admin bp)
    from .consultations.views import bp as consultations_bp
    from .outcomes import admin_views as _outcome_admin  # noqa: F401  (on the admin blueprint)
    from .outcomes import notices as _outcome_jobs  # noqa: F401  (its kinds of job)
    from .outcomes.views import bp as outcomes_bp
    from .publishing import admin_views as _moderation  # noqa: F401  (routes on the admin bp)
    from .publishing.views import bp as publishing_bp
    from .responses.draft_views import bp as drafts_bp
    from .responses.views import bp as responses_bp
    from .site.views import bp as pages_bp
    from .themes import views as _themes_views  # noqa: F401  (routes on the admin blueprint)

    app.register_blueprint(consultations_bp)
    app.register_blueprint(publishing_bp)
    app.register_blueprint(pages_bp)
    app.register_blueprint(responses_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(outcomes_bp)

    from .api import http as api_http
    from .api.views import bp as api_bp

    app.register_blueprint(api_bp)
    api_http.init_app(app)

    from .health import bp as health_bp
    from .responses import admission, bots, unavailable

    app.register_blueprint(health_bp)
    unavailable.init_app(app)
    bots.init_app(app)
    admission.init_app(app)  # after the bot checks: a bot's form takes no slot
    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1)
    app.register_blueprint(drafts_bp)
    # Last, once every blueprint is registered: a view registered later would have no limit.
    limits.attach_limits(app)

    from .cli import register_cli

    register_cli(app)
    _register_error_pages(app)
    return app


def _language_context():
    """What every page needs to speak the reader's language and offer the others."""
    locale = formatting.current_locale()
    return {
        "locale": locale,
        "html_lang": locale,
        "languages": i18n.offered_languages(),
        "all_languages": i18n.LANGUAGES,
        "language_return_to": request.full_path.rstrip("?") if request else "/",
        "language_alternates": i18n.language_alternates,
    }


def _register_error_pages(app):
    messages = {
        400: (
            _l("The request could not be understood"),
            _l("Go back, check the page and try again."),
        ),
        403: (_l("You cannot do this"), _l("If you think you should be able to, contact us.")),
        404: (
            _l("Page not found"),
            _l("Check the address, or start again from the home page."),
        ),
        405: (_l("This page cannot be used this way"), _l("Start again from the home page.")),
        413: (
            _l("What you sent is too large"),
            _l("A file you attached is bigger than we accept. Go back and choose a smaller file."),
        ),
        500: (
            _l("Something went wrong on our side"),
            _l("Nothing you did caused this. Please try again in a few minutes."),
        ),
    }

    from .api.http import error_response, is_api_request

    def handler(error):
        if is_api_request():  # programs get JSON, people a page
            return error_response(error)
        code = getattr(error, "code", 500) or 500
        title, advice = messages.get(code, messages[500])
        return render_template("errors/error.html", code=code, title=title, advice=advice), code

    for code in messages:
        app.register_error_handler(code, handler)

    def csrf_failed(error):
        return render_template(
            "errors/error.html",
            code=400,
            title=_l("This form has expired"),
            advice=_l("Nothing was changed. Go back, reload the page and try again."),
        ), 400

    app.register_error_handler(CSRFError, csrf_failed)
