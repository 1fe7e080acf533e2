"""The floor: the least a Flask server can do to take a contribution, to compare the app with.

Same addresses and the same hidden fields as the real questionnaire, so the same load
generator drives both: GET serves a tiny form whose token is kept in the signed session
cookie, POST checks the token, stores every form field as one JSON text in one row (the
standard library's ``sqlite3``, or psycopg directly) without validating anything, and
redirects to a receipt that reads the row back. Served by gunicorn:

    FLOOR_DATABASE=sqlite:////tmp/floor.sqlite SECRET_KEY=... gunicorn benchmarks.floor_app:app
"""

import json
import os
import secrets
import sqlite3
import threading

from flask import Flask, abort, redirect, request, session
from markupsafe import escape

from consultation.dbsetup import FILE_PRAGMAS

TABLE = "floor_contributions"
FORM = (
    '<!doctype html><title>Floor</title><form method="post" enctype="multipart/form-data">'
    '<input type="hidden" name="csrf_token" value="{csrf}">'
    '<input type="hidden" name="submission_token" value="{token}">'
    '<input type="hidden" name="form_served" value="{token}">'
    "<button>Send</button></form>"
)
RECEIPT = (
    '<!doctype html><title>Received</title><p class="reference"><strong>'
    '<span class="reference-text" data-reference="{0}">{0}</span></strong></p>'
)


class Store:
    """One connection per thread to the floor's table, in SQLite or PostgreSQL."""

    def __init__(self, url: str):
        self.url = url
        self.sqlite = url.startswith("sqlite:///")
        self.mark = "?" if self.sqlite else "%s"
        self.local = threading.local()

    def connection(self):
        """This thread's connection, opened on first use (after gunicorn forked)."""
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.local.connection = self._connect()
        return connection

    def _connect(self):
        if self.sqlite:
            # As the app sets SQLite up (consultation/dbsetup.py), to compare like with like:
            # WAL, and every commit on disk before the receipt (synchronous=FULL).
            connection = sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=30)
            connection.execute("PRAGMA busy_timeout=30000")
            for pragma in FILE_PRAGMAS:
                connection.execute(pragma)
            return connection
        import psycopg

        return psycopg.connect(self.url.replace("postgresql+psycopg://", "postgresql://"))

    def create_table(self) -> None:
        """The table, created once before the server starts (so workers never race for it)."""
        key = "INTEGER PRIMARY KEY" if self.sqlite else "BIGSERIAL PRIMARY KEY"
        connection = self._connect()
        try:
            connection.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (id {key}, reference VARCHAR(32) UNIQUE, "
                "slug VARCHAR(100), payload TEXT)"
            )
            connection.commit()
        finally:
            connection.close()

    def transaction(self):
        """This thread's connection as a transaction: committed, or rolled back on error."""
        connection = self.connection()
        # sqlite3's connection is such a context; psycopg's would also close the connection.
        return connection if self.sqlite else connection.transaction()

    def insert(self, reference: str, slug: str, payload: str) -> None:
        """Store one contribution in its own transaction."""
        with self.transaction():
            self.connection().execute(
                f"INSERT INTO {TABLE} (reference, slug, payload) VALUES "
                f"({self.mark}, {self.mark}, {self.mark})",
                (reference, slug, payload),
            )

    def exists(self, reference: str) -> bool:
        """Whether ``reference`` was stored."""
        with self.transaction():
            row = (
                self.connection()
                .execute(f"SELECT 1 FROM {TABLE} WHERE reference = {self.mark}", (reference,))
                .fetchone()
            )
        return row is not None


def create_app(url: str, secret_key: str) -> Flask:
    """The floor application, storing into ``url`` (sqlite:///PATH or postgresql+psycopg://)."""
    app = Flask(__name__)
    app.secret_key = secret_key
    store = Store(url)

    @app.get("/healthz")
    def health():
        """Up."""
        return "ok"

    @app.get("/consultations/<slug>/respond")
    def form(slug):
        """A tiny form with a token, kept in the session as a CSRF token would be."""
        session["csrf"] = token = secrets.token_urlsafe(24)
        return FORM.format(csrf=token, token=secrets.token_urlsafe(24))

    @app.post("/consultations/<slug>/respond")
    def submit(slug):
        """Store the form as sent, unchecked but for the token, and go to the receipt."""
        if request.form.get("csrf_token") != session.get("csrf"):
            abort(400)
        reference = secrets.token_hex(12)
        store.insert(reference, slug, json.dumps(request.form.to_dict(flat=False)))
        return redirect(f"/contributions/{reference}", code=303)

    @app.get("/contributions/<reference>")
    def receipt(reference):
        """The reference, once it is found in the table."""
        if not store.exists(reference):
            abort(404)
        return RECEIPT.format(escape(reference))

    return app


def _from_environment():
    url = os.environ.get("FLOOR_DATABASE")
    return create_app(url, os.environ["SECRET_KEY"]) if url else None


#: What gunicorn serves (``benchmarks.floor_app:app``), configured by the environment.
app = _from_environment()
