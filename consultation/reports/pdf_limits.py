"""Respondents' PDFs rendered in a child process, within a time limit, a few at a time.

A PDF costs seconds of CPU; rendered inside the request it held a web worker for as
long as it took (30 s and a 500 when gunicorn killed the worker; two such requests
and every page timed out). Here the request forks a child that renders and sends the
bytes back through a pipe; the request waits at most ``PDF_RENDER_SECONDS``, then
kills the child and raises ``PdfUnavailable``. At most ``PDF_RENDER_PARALLEL``
children run per application process; a request that finds none free for a few
seconds is told to try again instead of queueing.

The child is a copy of the process (``os.fork``): the application, its templates and
the request are already there, so nothing is imported or parsed again. It must not use
the parent's database connections: it forgets them (``engine.dispose(close=False)``)
and opens its own in an application context of its own, then ends with ``os._exit``,
so that no clean-up of the parent's state runs in it. The work given to it reads what
it needs from the database by id. The rendering itself is ``pdf.render_pdf``, called
by the work as usual.
"""

import os
import select
import signal
import threading
import time
import traceback

from flask import current_app

from ..extensions import db

#: How long a request waits for a free rendering slot before it is told to try again.
SLOT_WAIT_SECONDS = 3
_SLOTS_LOCK = threading.Lock()
_OK, _FAILED = b"0", b"1"


class PdfUnavailable(Exception):
    """The PDF could not be made now; ``reason`` is "busy", "slow" or "failed"."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def _slots(app) -> threading.BoundedSemaphore:
    with _SLOTS_LOCK:
        slots = app.extensions.get("consultation.pdf_slots")
        if slots is None:
            slots = threading.BoundedSemaphore(app.config["PDF_RENDER_PARALLEL"])
            app.extensions["consultation.pdf_slots"] = slots
        return slots


def render_in_child(work, *args) -> bytes:
    """``work(*args)`` (the bytes of a PDF), run in a child process within the time limit.

    Raises ``PdfUnavailable``: "busy" when no slot is free, "slow" when the limit
    passed (the child is killed), "failed" when the work raised (logged).
    """
    app = current_app._get_current_object()
    slots = _slots(app)
    if not slots.acquire(timeout=SLOT_WAIT_SECONDS):
        raise PdfUnavailable("busy")
    try:
        status, payload = _fork_and_wait(app, work, args, app.config["PDF_RENDER_SECONDS"])
    finally:
        slots.release()
    if status != _OK:
        app.logger.error("A PDF could not be rendered:\n%s", payload.decode(errors="replace"))
        raise PdfUnavailable("failed")
    return payload


def _fork_and_wait(app, work, args, seconds: float) -> tuple[bytes, bytes]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: render, send, and go without running anyone's clean-up
        os.close(read_end)
        try:
            status, payload = _OK, _in_child(app, work, args)
        except BaseException:  # noqa: BLE001 - reported to the parent, which logs it
            status, payload = _FAILED, traceback.format_exc().encode()
        try:
            with os.fdopen(write_end, "wb") as out:
                out.write(status + payload)
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        data = _read_all(read_end, time.monotonic() + seconds)
    except TimeoutError:
        os.kill(pid, signal.SIGKILL)
        raise PdfUnavailable("slow", f"over {seconds:g} s") from None
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
    if not data:  # the child died without a word (killed by the system, say)
        return _FAILED, b"the rendering process ended without a result"
    return data[:1], data[1:]


def _in_child(app, work, args) -> bytes:
    db.engine.dispose(close=False)  # the parent's connections stay the parent's
    with app.app_context():  # a database session (and connection) of the child's own
        return work(*args)


def _read_all(fd: int, deadline: float) -> bytes:
    """Everything written to ``fd`` until its other end is closed, or ``TimeoutError``."""
    chunks = []
    poller = select.poll()  # not select(): it fails on descriptors above 1023
    poller.register(fd, select.POLLIN)
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not poller.poll(remaining * 1000):
            raise TimeoutError
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
