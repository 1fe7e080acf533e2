"""Respondents' PDFs rendered in a child process, within a time limit, a few at a time.

A PDF costs seconds of CPU; rendered inside the request it held a web worker for as
long as it took (30 s and a 500 when gunicorn killed the worker; two such requests
and every page timed out). Here each PDF is rendered by a child process that sends
the bytes back through a pipe; the request waits at most ``PDF_RENDER_SECONDS``, then
kills the child and raises ``PdfUnavailable``. At most ``PDF_RENDER_PARALLEL``
children run per application process; a request that finds none free for a few
seconds is told to try again instead of queueing.

The children are forked from a renderer: a single-threaded process of its own
(``python -m consultation.reports.pdf_limits``) that each application process starts
at its first PDF, about 100 MB. It builds the application from the parent's settings
once, compiles the PDF templates and loads the fonts, then forks one child per PDF,
which starts warm and renders in a fraction of a second. Not forked from the web
process itself: forked from a process with threads, a child inherits the locks other
threads held at that instant (Jinja's template cache, SQLite's) and can wait on them
for ever. The renderer opens no database connection; each child opens its own, reads
what it renders by id, in a request in the reader's language at the parent's instant,
and renders through ``pdf.render_pdf`` as usual. The renderer ends when its parent
does (the socket between them closes).
"""

import gc
import os
import pickle
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from .. import clock
from ..formatting import current_locale

#: How long a request waits for a free rendering slot before it is told to try again.
SLOT_WAIT_SECONDS = 3
_START_LOCK = threading.Lock()
_OK, _FAILED = b"0", b"1"
_LENGTH = struct.Struct("!Q")


class PdfUnavailable(Exception):
    """The PDF could not be made now; ``reason`` is "busy", "slow" or "failed"."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class _Job:
    """One PDF: the work (a module-level function) and its arguments, the reader's
    language and the instant it was asked for."""

    work: object
    args: tuple
    locale: str
    now: datetime


def render_in_child(work, *args) -> bytes:
    """``work(*args)`` (the bytes of a PDF), run in a child process within the time limit.

    ``work`` is a module-level function; it runs in a request of the child's own. Raises
    ``PdfUnavailable``: "busy" when no slot is free, "slow" when the limit passed (the
    child is killed), "failed" when the work raised (logged).
    """
    app = current_app._get_current_object()
    renderer, slots = _renderer_and_slots(app)
    job = _Job(work=work, args=args, locale=current_locale(), now=clock.now_utc())
    if not slots.acquire(timeout=SLOT_WAIT_SECONDS):
        raise PdfUnavailable("busy")
    try:
        status, payload = renderer.render(job, app.config["PDF_RENDER_SECONDS"])
    finally:
        slots.release()
    if status != _OK:
        app.logger.error("A PDF could not be rendered:\n%s", payload.decode(errors="replace"))
        raise PdfUnavailable("failed")
    return payload


#: Settings used only on this side (limits, slots): apps differing in them share a renderer.
_PARENT_ONLY = ("PDF_", "RATELIMIT_")
_RENDERERS: dict = {}


def _renderer_and_slots(app) -> tuple["Renderer", threading.BoundedSemaphore]:
    settings = {key: value for key, value in app.config.items() if key.isupper()}
    shared = repr(sorted((k, v) for k, v in settings.items() if not k.startswith(_PARENT_ONLY)))
    with _START_LOCK:
        renderer = _RENDERERS.get(shared)
        if renderer is None:
            renderer = _RENDERERS[shared] = Renderer(settings)
        slots = app.extensions.get("consultation.pdf_slots")
        if slots is None:
            slots = threading.BoundedSemaphore(app.config["PDF_RENDER_PARALLEL"])
            app.extensions["consultation.pdf_slots"] = slots
        return renderer, slots


def renderer_pid(app) -> int | None:
    """The process id of the renderer ``app`` uses, once started (for tests and checks)."""
    with app.app_context():
        return _renderer_and_slots(app)[0].pid


# -- the application process's side ------------------------------------------------------------
class Renderer:
    """A renderer process, started at the first PDF asked for with its settings."""

    def __init__(self, settings: dict):
        self.settings = settings
        self._lock = threading.Lock()  # one exchange at a time on the socket
        self._socket = self.process = None

    def render(self, job: _Job, seconds: float) -> tuple[bytes, bytes]:
        """Have a child render ``job``; its status and bytes (or what went wrong)."""
        read_end, write_end = os.pipe()
        try:
            pid = self._start_child(job, write_end)
        finally:
            os.close(write_end)
        try:
            data = _read_all(read_end, time.monotonic() + seconds)
        except TimeoutError:
            _kill(pid)
            raise PdfUnavailable("slow", f"over {seconds:g} s") from None
        finally:
            os.close(read_end)
        if not data:  # the child died without a word (killed by the system, say)
            return _FAILED, b"the rendering process ended without a result"
        return data[:1], data[1:]

    @property
    def pid(self) -> int | None:
        """The renderer's process id, once started."""
        return self.process.pid if self.process else None

    def _start_child(self, job: _Job, write_end: int) -> int:
        message = pickle.dumps(job)
        with self._lock:
            for attempt in (1, 2):  # a renderer that died (out of memory, say) is replaced
                if self.process is None or self.process.poll() is not None:
                    self._start()
                try:
                    _send(self._socket, message, write_end)
                    return _LENGTH.unpack(_receive_exactly(self._socket, _LENGTH.size))[0]
                except (OSError, EOFError):
                    if attempt == 2:
                        raise
                    self._stop()
        raise AssertionError("unreachable")

    def _start(self) -> None:
        ours, theirs = socket.socketpair()
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            env=environment,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self._socket = ours
        _send(ours, pickle.dumps(self.settings))

    def _stop(self) -> None:
        if self._socket is not None:
            self._socket.close()
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._socket = self.process = None


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:  # it ended on its own just now
        pass


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


# -- messages: a length, a pickle, and maybe a file descriptor ----------------------------------
def _send(sock, message: bytes, fd: int | None = None) -> None:
    data = _LENGTH.pack(len(message)) + message
    sent = socket.send_fds(sock, [data], [fd]) if fd is not None else sock.send(data)
    sock.sendall(data[sent:])


def _receive_exactly(sock, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def _receive(sock) -> tuple[object, list[int]]:
    head, fds, _flags, _address = socket.recv_fds(sock, _LENGTH.size, 1)
    if not head:
        raise EOFError
    head += _receive_exactly(sock, _LENGTH.size - len(head))
    length = _LENGTH.unpack(head)[0]
    return pickle.loads(_receive_exactly(sock, length)), fds


# -- the renderer process -------------------------------------------------------------------
def serve(fd: int) -> None:
    """Build the app once, warm it, then fork a child for each PDF asked for, until EOF."""
    from .. import create_app

    sock = socket.socket(fileno=fd)
    settings, _ = _receive(sock)
    app = create_app(type("RendererSettings", (), settings))
    try:
        _warm(app)
    except Exception:  # noqa: BLE001 - only slower without it; the children say what is wrong
        app.logger.exception("The PDF renderer could not warm up")
    gc.freeze()  # children's collections leave the warm objects (and their pages) alone
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the system
    while True:
        try:
            job, fds = _receive(sock)
        except (EOFError, OSError):
            return  # the application process is gone
        pid = os.fork()
        if pid == 0:
            sock.close()
            _child(app, job, fds[0])
        os.close(fds[0])
        sock.sendall(_LENGTH.pack(pid))


def _warm(app) -> None:
    """Build what every child would otherwise build again (the mappers, the shipped
    questionnaires, the PDF templates, the style sheet and fonts), without the database."""
    from sqlalchemy.orm import configure_mappers
    from weasyprint import HTML

    from ..questionnaires.definition import questionnaire_for
    from ..questionnaires.loader import definition_files, digest, parse_file
    from .pdf import StaticOnlyFetcher, _static_root

    configure_mappers()
    for path in definition_files():  # as loaded unchanged, the database's versions
        definition = parse_file(path)
        questionnaire_for(digest(definition), lambda definition=definition: definition)
    with app.app_context():
        for name in ("reports/draft.html", "reports/contribution.html"):
            app.jinja_env.get_template(name)
        root = _static_root()
        html = '<link rel="stylesheet" href="report.css"><h1>A</h1><p>b <strong>c</strong></p>'
        fetcher = StaticOnlyFetcher(root)
        HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=fetcher).write_pdf()


def _child(app, job: _Job, fd: int) -> None:
    """In a child: render ``job`` in a request of its own, write the result, and go."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        clock.freeze(job.now)  # the document says what was true when it was asked for
        with app.test_request_context(headers={"Accept-Language": job.locale}):
            status, payload = _OK, job.work(*job.args)
    except BaseException:  # noqa: BLE001 - reported to the parent, which logs it
        status, payload = _FAILED, traceback.format_exc().encode()
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(status + payload)
    finally:
        os._exit(0)  # no clean-up of the renderer's state in a copy of it


if __name__ == "__main__":
    serve(int(sys.argv[1]))
