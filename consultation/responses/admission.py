"""A bounded number of contributions being stored at once on this machine; beyond it, a
polite "too busy" page that keeps the answers.

In a flash crowd, contributions arrive faster than they can be stored. Left alone,
every worker ends up storing one, each slower than the last, and the questionnaire
pages queue behind them. So at most ``SUBMISSION_SLOTS`` posted forms are handled
at once by the processes of one machine; a form that finds no slot free within
``SUBMISSION_WAIT_SECONDS`` stores nothing and gets a 503 page with ``Retry-After``
and every answer in it, ready to be sent again (the submission token makes that
safe: a form is never stored twice). Workers left over serve pages meanwhile.

The slots are files locked with ``flock`` in ``SUBMISSION_GATE_FOLDER``: shared by
every process and thread of the machine (each attempt opens its own description of
the file), and released by the kernel when a process dies, so a killed worker never
keeps a slot. ``SUBMISSION_SLOTS = 0`` turns the gate off.
"""

import fcntl
import os
import random
import time
from pathlib import Path

from flask import current_app, g, request
from werkzeug.exceptions import HTTPException

from .unavailable import answers_kept

#: Endpoints whose POSTs store a contribution (or a draft of one).
GATED = {"responses.respond", "responses.edit", "drafts.resume"}
_SLOT = "submission_slot"


class TooBusy(HTTPException):
    """No slot came free in time: nothing was stored."""

    code = 503


def _folder() -> Path:
    folder = current_app.config.get("SUBMISSION_GATE_FOLDER") or os.path.join(
        current_app.instance_path, "submission-gate"
    )
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _take_slot(folder: Path, slots: int) -> int | None:
    """A locked slot file's descriptor, or None when every slot is held."""
    start = random.randrange(slots)  # spread the processes over the slots
    for number in range(slots):
        descriptor = os.open(folder / f"slot-{(start + number) % slots}", os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            continue
        return descriptor
    return None


def admit() -> None:
    """Before a gated POST: take a slot, waiting a little; refuse with ``TooBusy`` if none."""
    slots = current_app.config.get("SUBMISSION_SLOTS", 0)
    if not slots or request.method != "POST" or request.endpoint not in GATED:
        return
    if request.form.get("switch_language"):
        return  # showing the form in another language stores nothing
    folder = _folder()
    deadline = time.monotonic() + current_app.config.get("SUBMISSION_WAIT_SECONDS", 0.25)
    while True:
        descriptor = _take_slot(folder, slots)
        if descriptor is not None:
            g.setdefault(_SLOT, descriptor)
            return
        if time.monotonic() >= deadline:
            raise TooBusy()
        time.sleep(0.01)


def release(_error=None) -> None:
    """After the request, whatever happened: give the slot back (closing unlocks it)."""
    descriptor = g.pop(_SLOT, None)
    if descriptor is not None:
        os.close(descriptor)


def too_busy(_error):
    """503: too busy just now, nothing stored, every answer on the page to send again."""
    return answers_kept(
        "errors/too_busy.html",
        503,
        retry_after=current_app.config.get("BUSY_RETRY_SECONDS", 10),
    )


def init_app(app):
    app.before_request(admit)
    app.teardown_request(release)
    app.register_error_handler(TooBusy, too_busy)
