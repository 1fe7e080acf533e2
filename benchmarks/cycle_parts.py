"""Where a cycle's CPU goes, part by part: timers around the functions that do each job.

cProfile slows every Python call down, many small calls most, so its shares of a
request are skewed. Here only a few functions are wrapped (a few dozen calls a
request), each timed with ``time.process_time``; time is charged to the innermost
part running, so the parts of a request add up to the whole of it and "Flask and
the rest" is what no part names (routing, sessions, Babel, the request context,
SQLAlchemy's session set-up, the response's headers).

A part is a list of functions: ``module:function`` or ``module:Class.method``. A
function imported under its name elsewhere (``from .queries import x``) is replaced
in every module that holds it, so the views call the timed one.
"""

import importlib
import sys
import time
from collections import defaultdict
from contextlib import contextmanager

REST = "Flask and the rest"
#: What runs outside the application: gunicorn reading the request and writing the reply.
HTTP = "HTTP: gunicorn parsing and writing"

#: (part, functions), in the order of a cycle. Parts nest: the innermost one running is charged.
PARTS = [
    (REST, ["flask.app:Flask.wsgi_app"]),
    ("multipart parsing (Werkzeug)", ["werkzeug.formparser:FormDataParser.parse"]),
    ("bot checks (honeypot, timer)", ["consultation.responses.bots:check_request"]),
    (
        "form token (CSRF) made and checked",
        [
            "consultation.questionnaires.form_token:form_token",
            "consultation.questionnaires.form_token:form_token_ok",
            "consultation.questionnaires.form_token:refresh_cookie",
            "consultation.responses.bots:served_token",
        ],
    ),
    ("consultation looked up", ["consultation.consultations.queries:consultation_by_slug"]),
    ("form building (WTForms)", ["consultation.questionnaires.forms:build_form"]),
    ("validation", ["consultation.questionnaires.forms:validate_answers"]),
    (
        "sent already? kept files?",
        [
            "consultation.responses.pages:sent_already",
            "consultation.responses.kept_files:take_kept_files",
            "consultation.responses.kept_files:release_kept_files",
        ],
    ),
    ("storing the response and answers", ["consultation.responses.operations:submit_response"]),
    ("tallies (left to the workers: the outbox)", ["consultation.reports.tallies:_queue_new"]),
    (
        "ready CSV lines (forgotten, workers asked)",
        ["consultation.reports.ready_lines:forget", "consultation.jobs.nudges:Nudge.add"],
    ),
    (
        "private links made and held",
        [
            "consultation.responses.operations:issue_private_links",
            "consultation.responses.pages:to_receipt",
        ],
    ),
    ("commit", ["sqlalchemy.orm.session:Session.commit"]),
    ("questionnaire page rendered", ["consultation.responses.pages:render_form"]),
    (
        "receipt: response and links read",
        [
            "consultation.responses.queries:response_by_receipt_token",
            "consultation.responses.pages:held_links",
        ],
    ),
    ("receipt rendered", ["consultation.responses.views:_contribution_page"]),
]


class PartClock:
    """CPU seconds charged to each part while ``running()``; ``HTTP`` outside the app."""

    def __init__(self):
        self.seconds = defaultdict(float)
        self.stack = [HTTP]
        self.mark = None

    def _charge(self) -> None:
        now = time.process_time()
        if self.mark is not None:
            self.seconds[self.stack[-1]] += now - self.mark
        self.mark = now

    def enter(self, part: str) -> None:
        self._charge()
        self.stack.append(part)

    def leave(self) -> None:
        self._charge()
        self.stack.pop()

    @contextmanager
    def running(self):
        """Charge time to the parts (``HTTP`` outside them) until the block ends."""
        self.mark = time.process_time()
        try:
            yield self
        finally:
            self._charge()
            self.mark = None

    def take(self) -> dict:
        """The seconds charged since the last ``take``, and start again."""
        taken, self.seconds = dict(self.seconds), defaultdict(float)
        return taken


def _timed(function, part: str, clock: PartClock):
    def timed(*args, **kwargs):
        if clock.mark is None:  # outside a measured request
            return function(*args, **kwargs)
        clock.enter(part)
        try:
            return function(*args, **kwargs)
        finally:
            clock.leave()

    timed.__wrapped__ = function
    timed.__name__ = getattr(function, "__name__", "timed")
    return timed


def _resolve(spec: str):
    module_name, _, name = spec.partition(":")
    module = importlib.import_module(module_name)
    owner_name, _, method = name.rpartition(".")
    owner = getattr(module, owner_name) if owner_name else module
    return owner, method or name


def install(clock: PartClock, parts=PARTS) -> list:
    """Wrap every function of ``parts``; return what ``uninstall`` needs to undo it."""
    undo = []
    for part, specs in parts:
        for spec in specs:
            owner, name = _resolve(spec)
            original = owner.__dict__[name]
            wrapped = _timed(original, part, clock)
            if isinstance(owner, type):
                setattr(owner, name, wrapped)
                undo.append((owner, name, original))
                continue
            for module in list(sys.modules.values()):
                namespace = getattr(module, "__dict__", None)
                if not isinstance(namespace, dict):
                    continue
                for key, value in list(namespace.items()):
                    if value is original:
                        setattr(module, key, wrapped)
                        undo.append((module, key, original))
    return undo


def uninstall(undo: list) -> None:
    for owner, name, original in reversed(undo):
        setattr(owner, name, original)


def part_names(parts=PARTS) -> list[str]:
    return [HTTP] + [part for part, _ in parts]
