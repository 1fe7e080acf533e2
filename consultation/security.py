"""Security headers on every response.

The Content-Security-Policy allows no inline script and nothing from other sites;
HSTS is sent outside development, where the site is served over HTTPS.
"""

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app):
    """Add the headers to every response (a view may set a stricter Referrer-Policy)."""
    send_hsts = app.config.get("ENV_NAME") not in ("development", "testing") or app.config.get(
        "FORCE_HSTS"
    )

    @app.after_request
    def add_security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if send_hsts:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
