"""Absolute URLs for what leaves the site (e-mails, printed links), from ``PUBLIC_BASE_URL``.

A link built from the request takes its host from the ``Host`` header, which anyone
can set: ``Host: evil.example`` once made the official sender mail a link to
``http://evil.example/drafts/<token>``. So absolute links are built from the
configured public address, inside a request or not (a background job has none).
Without it, development and testing use the request's host (``http://localhost``
outside a request); production refuses to start (``startup.py``) unless Flask checks
the host against ``TRUSTED_HOSTS``.
"""

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for

#: Profiles in which a link may take the request's host when PUBLIC_BASE_URL is not set.
LENIENT_PROFILES = {"development", "testing"}


class NoPublicAddress(RuntimeError):
    """No absolute URL can be built safely: PUBLIC_BASE_URL is not set."""


def base_url_problem(value: str) -> str | None:
    """Why ``value`` cannot be the site's public address, or ``None`` when it can."""
    parts = urlsplit(value)
    plain = not (parts.query or parts.fragment or parts.username or parts.password)
    if parts.scheme in ("http", "https") and parts.hostname and plain:
        return None
    return (
        "PUBLIC_BASE_URL must be an address such as https://consultations.example.eu "
        f"(no query, fragment or login), not {value!r}."
    )


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint`` with ``values``, on the site's public address."""
    config = current_app.config
    lenient = config.get("ENV_NAME") in LENIENT_PROFILES
    base = config.get("PUBLIC_BASE_URL") or (
        None if has_request_context() or not lenient else "http://localhost"  # a job, in tests
    )
    if base:
        parts = urlsplit(base)
        adapter = current_app.url_map.bind(
            parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme
        )
        return adapter.build(endpoint, values, force_external=True)
    if has_request_context() and (lenient or config.get("TRUSTED_HOSTS")):
        return url_for(endpoint, _external=True, **values)
    raise NoPublicAddress(
        "PUBLIC_BASE_URL is not set: set it to the site's public address "
        "(e.g. https://consultations.example.eu) to build links that leave the site."
    )


def register(app):
    """Templates may build absolute links too (``external_url('drafts.resume', token=...)``)."""
    app.jinja_env.globals["external_url"] = external_url
