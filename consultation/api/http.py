"""What every API response shares: JSON errors, ETags, CORS, no cookies.

* Every 4xx (and 5xx) under ``/api/`` is a JSON body ``{"error": {"status", "code",
  "message"}}``, whatever raised it: a missing consultation, a bad cursor, an unknown
  method, a rate limit.
* Every response carries an ``ETag`` (a digest of its body, or of what a streamed file
  is made from) and, where a time is known, ``Last-Modified``; a request whose
  ``If-None-Match`` names the current ETag gets ``304 Not Modified`` without a body.
* ``GET`` is open to every origin (CORS), without credentials.
"""

import hashlib
import json
from datetime import datetime

from flask import Response, current_app, request
from werkzeug.exceptions import HTTPException

PREFIX = "/api/"
#: Codes by status, for programs to test rather than the words.
CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}
MESSAGES = {
    404: "No such resource. See /api/v1/openapi.json for the endpoints.",
    405: "This endpoint only answers GET (and HEAD, OPTIONS).",
    429: "Too many requests from this client. Wait and try again (see Retry-After).",
    500: "Something went wrong on our side. Try again later.",
    503: "The service is unavailable just now. Try again later.",
}
JSON_TYPE = "application/json"


class ApiError(HTTPException):
    """A refusal with a precise message (and a machine code), e.g. a bad cursor."""

    def __init__(self, status: int, message: str, code: str | None = None):
        super().__init__(message)
        self.code = status
        self.error_code = code or CODES.get(status, "error")
        self.message = message


def is_api_request() -> bool:
    return request.path.startswith(PREFIX)


def error_response(error) -> Response:
    """The JSON body of an error under ``/api/``."""
    status = getattr(error, "code", 500) or 500
    if not isinstance(status, int):
        status = 500
    message = getattr(error, "message", None) or MESSAGES.get(status)
    if message is None:
        message = getattr(error, "description", None) or "The request could not be answered."
    body = {
        "error": {
            "status": status,
            "code": getattr(error, "error_code", None) or CODES.get(status, "error"),
            "message": str(message),
        }
    }
    response = Response(json.dumps(body), status=status, mimetype=JSON_TYPE)
    if status == 405:
        response.headers["Allow"] = "GET, HEAD, OPTIONS"
    if status == 429:
        limit = getattr(getattr(error, "limit", None), "limit", None)
        response.headers["Retry-After"] = str(limit.get_expiry() if limit is not None else 60)
    cors(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
    response.headers["Access-Control-Expose-Headers"] = (
        "ETag, Last-Modified, Link, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, "
        "X-RateLimit-Reset"
    )
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


def etag_of(*parts) -> str:
    text = json.dumps(parts, default=str, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _not_modified(etag: str) -> bool:
    return etag in request.if_none_match or request.if_none_match.star_tag


def conditional(response: Response, etag: str, last_modified: datetime | None = None):
    """``response`` with its validators, or a bodiless 304 when the client has it already.

    Only ``If-None-Match`` gives a 304: a time says too little (a moderation can change
    a file within the second).
    """
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    response.headers["Cache-Control"] = "public, max-age=60"
    if _not_modified(etag):
        response.status_code = 304
        response.response = []
        response.headers.pop("Content-Length", None)
        response.headers.pop("Content-Type", None)
    return response


def json_response(data, last_modified: datetime | None = None, status: int = 200) -> Response:
    """``data`` as JSON, with an ETag of its bytes (and a 304 when the client has them)."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    response = current_app.response_class(body, status=status, mimetype=JSON_TYPE)
    return conditional(response, hashlib.sha256(body.encode()).hexdigest()[:32], last_modified)


def init_app(app):
    """Every API response: CORS and nosniff; its own refusals as JSON."""
    app.register_error_handler(ApiError, error_response)

    @app.after_request
    def _api_headers(response):
        if request.path.startswith(PREFIX):
            cors(response)
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers.setdefault("Vary", "Accept-Encoding")
        return response
