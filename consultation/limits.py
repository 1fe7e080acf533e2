"""Rate limits per client address on the forms people post (Flask-Limiter).

Limits live in memory on one machine, or in Redis when ``RATELIMIT_STORAGE_URI`` is
set, so several application servers share them. They are attached to the views
here, in one place, rather than scattered over the view modules.
"""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

#: endpoint -> (config key of the limit, methods it applies to)
LIMITED = {
    "responses.respond": ("RATELIMIT_SUBMIT", ["POST"]),
    "auth.sign_in": ("RATELIMIT_SIGN_IN", ["POST"]),
    "drafts.resume": ("RATELIMIT_SUBMIT", ["POST"]),
    "drafts.email": ("RATELIMIT_EMAIL", ["POST"]),
    # PDFs cost seconds of CPU each: a respondent's own copies, per client.
    "drafts.download_pdf": ("RATELIMIT_PDF", ["GET"]),
    "responses.contribution_copy": ("RATELIMIT_PDF", ["GET"]),
}


def init_app(app):
    """Give the app its limiter.

    One limiter per app (not a module global), so an app built for a test with
    other limits does not change those of another.
    """
    limiter = Limiter(key_func=get_remote_address)
    limiter.init_app(app)
    app.extensions["consultation.limiter"] = limiter
    return limiter


def attach_limits(app):
    """Attach the configured limits to the views (once they are registered)."""
    limiter = app.extensions["consultation.limiter"]
    for endpoint, (key, methods) in LIMITED.items():
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        limit = app.config[key]
        app.view_functions[endpoint] = limiter.limit(lambda limit=limit: limit, methods=methods)(
            view
        )
