"""Requests no person's browser sends are refused early, with the normal error page.

Each rule here answers a 500 that hostile input once caused: numbers too large
for the database in URLs, control characters that would reach a response header,
JSON bodies that form handling is not built for, a ``Host`` header that cannot even
be turned into a URL. ``HEAD`` is answered exactly as ``GET`` (without the body).
"""

import re

from flask import abort, current_app, request
from flask.globals import request_ctx
from werkzeug.routing import IntegerConverter, ValidationError

#: The largest value of a database integer (PostgreSQL BIGINT, SQLite INTEGER).
DATABASE_INT_MAX = 2**63 - 1
#: C0 control characters and DEL (a tab is left alone: people paste it).
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class DatabaseIntegerConverter(IntegerConverter):
    """``<int:...>`` that never matches a number the database cannot hold (a 404, not a 500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=DATABASE_INT_MAX, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)

    def to_python(self, value):
        # Python refuses to parse integers of thousands of digits; no id has more than 19.
        if len(value) > len(str(DATABASE_INT_MAX)):
            raise ValidationError()
        return super().to_python(value)


def refuse_hostile_requests():
    """Before every view: HEAD runs the GET code; refuse what could only break a page."""
    if request_ctx.url_adapter is None:
        bind_urls_for_error_page()
        abort(400)
    if request.method == "HEAD":
        # Views branch on ``request.method == "GET"``; Werkzeug still drops the body, since
        # it reads the method from the WSGI environment.
        request.method = "GET"
    if CONTROL.search(request.path) or any(
        CONTROL.search(key) or CONTROL.search(value)
        for key, values in request.args.lists()
        for value in values
    ):
        abort(400)
    if request.method not in SAFE_METHODS and request.is_json:
        # Nothing here reads JSON, but Flask-WTF would take a JSON body as the form's data,
        # whatever its shape (lists, numbers, lone surrogates).
        abort(400)


def bind_urls_for_error_page():
    """Let an error page build its links even when the request's host could not be parsed.

    Flask builds no URL adapter for a ``Host`` with an empty or over-long label (or one
    outside ``TRUSTED_HOSTS``); the page's links are paths, so any host name will do.
    """
    if request_ctx.url_adapter is None:
        request_ctx.url_adapter = current_app.url_map.bind(
            "localhost", script_name=request.script_root or "/", url_scheme=request.scheme
        )


def init_app(app):
    """Use the bounded integer converter in every route, and guard every request first."""
    app.url_map.converters["int"] = DatabaseIntegerConverter
    app.before_request(refuse_hostile_requests)
