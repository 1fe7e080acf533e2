"""Slow clients beside the load: do they stop the site from answering? (issue 13, item 14)

A few connections send a request's headers one byte a second, as a slow or hostile
client does; a bare gunicorn with sync workers gives each such connection a worker
until its timeout, so three of them stopped every request. Meanwhile a probe asks for
the questionnaire page every second, with a timeout, and records whether it answered.
Behind a buffering proxy (nginx), the proxy holds slow connections and the workers
never see them (``docs/deployment.md``).
"""

import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

#: Seconds the probe waits for the page before counting it as not answered.
PROBE_TIMEOUT = 5.0


@dataclass
class SlowCheck:
    """What the probe saw while the slow connections were open."""

    connections: int
    #: Seconds each probe took, or ``None`` when it got no page within ``PROBE_TIMEOUT``.
    probes: list = field(default_factory=list)

    @property
    def answered(self) -> int:
        return sum(seconds is not None for seconds in self.probes)

    @property
    def slowest_ms(self) -> float | None:
        answered = [seconds for seconds in self.probes if seconds is not None]
        return round(max(answered) * 1000, 1) if answered else None

    def describe(self) -> str:
        if not self.probes:
            return f"{self.connections} slow connections; no probe ran"
        verdict = "still answered" if self.answered == len(self.probes) else "did NOT answer"
        return (
            f"{self.connections} connections sending headers at one byte a second: the "
            f"questionnaire page {verdict} ({self.answered} of {len(self.probes)} probes "
            f"within {PROBE_TIMEOUT:g} s; slowest {self.slowest_ms} ms)"
        )


def _trickle(base: str, path: str, stop: threading.Event) -> None:
    """Send a GET's headers one byte a second, reconnecting when the server hangs up."""
    parts = urlsplit(base)
    request = f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUser-Agent: slow\r\n\r\n".encode()
    while not stop.is_set():
        try:
            with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
                for index in range(len(request)):
                    if stop.wait(1.0):
                        return
                    sock.sendall(request[index : index + 1])
                stop.wait(1.0)
        except OSError:
            stop.wait(0.5)


def _probe(url: str, stop: threading.Event, check: SlowCheck) -> None:
    while not stop.is_set():
        started = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT) as reply:
                reply.read()
                ok = reply.status == 200
        except (OSError, urllib.error.URLError):
            ok = False
        check.probes.append(time.monotonic() - started if ok else None)
        stop.wait(1.0)


@contextmanager
def slow_clients(base: str, slug: str, connections: int) -> Iterator[SlowCheck]:
    """``connections`` slow clients and a probe of the questionnaire, while the block runs."""
    check = SlowCheck(connections)
    if connections <= 0:
        yield check
        return
    stop = threading.Event()
    path = f"/consultations/{slug}/respond"
    threads = [
        threading.Thread(target=_trickle, args=(base, path, stop), daemon=True)
        for _ in range(connections)
    ]
    threads.append(threading.Thread(target=_probe, args=(base + path, stop, check), daemon=True))
    for thread in threads:
        thread.start()
    try:
        yield check
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=PROBE_TIMEOUT + 2)
