"""Rate limits per client address on what people post (Flask-Limiter).

Every public POST is limited: ``LIMITED`` names the limit of some endpoints, any other
public POST gets ``RATELIMIT_SUBMIT``, so a new form cannot be forgotten; the admin
area's POSTs need a signed-in administrator instead. ``UNLIMITED`` lists the
exceptions, each with its reason. Limits are attached in one place, once every
blueprint is registered (``attach_limits`` comes last in ``create_app``).

Counters live in Redis when ``RATELIMIT_STORAGE_URI`` (or ``REDIS_URL``) points to
one, shared by every server; by default in a SQLite file of the instance folder,
shared by every process of the machine (``limit_storage``). ``memory://`` counts per
process: a warning says so at start-up and ``/healthz`` reports it.
"""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from . import limit_storage

#: endpoint -> (config key of the limit, methods it applies to)
LIMITED = {
    "responses.respond": ("RATELIMIT_SUBMIT", ["POST"]),
    "auth.sign_in": ("RATELIMIT_SIGN_IN", ["POST"]),
    "auth.two_factor_code": ("RATELIMIT_SIGN_IN", ["POST"]),
    "auth.set_password": ("RATELIMIT_SIGN_IN", ["POST"]),
    "drafts.resume": ("RATELIMIT_SUBMIT", ["POST"]),
    "drafts.email": ("RATELIMIT_EMAIL", ["POST"]),
    # Each change through an edit link writes a version: as many as a person sends forms.
    "responses.edit": ("RATELIMIT_SUBMIT", ["POST"]),
    # PDFs cost seconds of CPU each: a respondent's own copies, per client.
    "drafts.download_pdf": ("RATELIMIT_PDF", ["GET"]),
    "responses.contribution_copy": ("RATELIMIT_PDF", ["GET"]),
    "responses.edit_copy": ("RATELIMIT_PDF", ["GET"]),
}
#: Every endpoint of the open-data API is limited per client (GET), the bulk files more.
API_BLUEPRINT = "api"
API_LIMIT = "RATELIMIT_API"
API_BULK = {"api.bulk_csv", "api.bulk_jsonl", "api.question_texts"}
#: The limit of a public POST that ``LIMITED`` does not name.
DEFAULT_LIMIT = "RATELIMIT_SUBMIT"
#: Public POST endpoints deliberately left without a limit: endpoint -> why.
UNLIMITED: dict[str, str] = {}
#: Endpoints of this blueprint need a signed-in administrator for every POST.
STAFF_BLUEPRINT = "admin"


def init_app(app):
    """Give the app its limiter.

    One limiter per app (not a module global), so an app built for a test with
    other limits does not change those of another.
    """
    limiter = Limiter(key_func=get_remote_address)
    limiter.init_app(app)
    app.extensions["consultation.limiter"] = limiter
    if sharing(app) == "process" and app.config["RATELIMIT_ENABLED"] and not app.testing:
        app.logger.warning(
            "Rate limits are counted per process (RATELIMIT_STORAGE_URI=%s): with several "
            "workers each counts on its own. Leave it unset, or point it to Redis.",
            app.config["RATELIMIT_STORAGE_URI"],
        )
    return limiter


def sharing(app) -> str:
    """Who shares the counters: "servers" (Redis and the like), "machine" or "process"."""
    scheme = app.config["RATELIMIT_STORAGE_URI"].partition("://")[0]
    if scheme == "memory":
        return "process"
    if scheme == limit_storage.SCHEME:
        return "machine"
    return "servers"


def public_post_endpoints(app) -> set[str]:
    """Every endpoint anyone may POST to without signing in first."""
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and rule.endpoint.partition(".")[0] != STAFF_BLUEPRINT
    }


def limits_to_attach(app) -> dict[str, tuple[str, list[str]]]:
    """Endpoint -> (config key, methods) for every limited endpoint of ``app``."""
    wanted = {endpoint: (DEFAULT_LIMIT, ["POST"]) for endpoint in public_post_endpoints(app)}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.partition(".")[0] == API_BLUEPRINT:
            key = "RATELIMIT_API_BULK" if rule.endpoint in API_BULK else API_LIMIT
            wanted[rule.endpoint] = (key, ["GET", "HEAD"])
    wanted.update(LIMITED)
    return {
        endpoint: limit
        for endpoint, limit in wanted.items()
        if endpoint in app.view_functions and endpoint not in UNLIMITED
    }


def attach_limits(app):
    """Attach the configured limits to the views; call it after every blueprint is registered."""
    limiter = app.extensions["consultation.limiter"]
    for endpoint, (key, methods) in limits_to_attach(app).items():
        limit = app.config[key]
        app.view_functions[endpoint] = limiter.limit(lambda limit=limit: limit, methods=methods)(
            app.view_functions[endpoint]
        )
