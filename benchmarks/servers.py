"""Gunicorn on a free loopback port, stopped whatever happens; other processes beside it."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .common import ROOT


@dataclass(frozen=True)
class Workers:
    """How gunicorn serves: ``count`` processes of ``kind`` ("sync" or "gthread")."""

    count: int
    kind: str = "sync"
    threads: int = 1

    def describe(self) -> str:
        threads = f" × {self.threads} threads" if self.kind == "gthread" else ""
        return f"{self.count} {self.kind} workers{threads}"


def free_port() -> int:
    """A loopback port nobody listens on at this moment."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_command(spec: str, port: int, workers: Workers) -> list[str]:
    """The command serving the WSGI application ``spec`` (``module:name``), quiet but for errors."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers.count}",
        f"--worker-class={workers.kind}",
        f"--threads={workers.threads}",
        "--log-level=warning",
        "--timeout=120",
        f"--chdir={ROOT}",
        spec,
    ]


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=2) as reply:
            return reply.status == 200
    except (OSError, urllib.error.URLError):
        return False


def _wait_until_up(process, base: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start-up:\n{_tail(log)}")
        if _healthy(base):
            return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f} s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop(process: subprocess.Popen) -> None:
    """Stop gunicorn gracefully (SIGTERM to its master), then its whole process group."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # stray workers of the group it led
    except ProcessLookupError:
        pass
    process.wait()


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of one running process (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def group_cpu_seconds(pgid: int) -> float:
    """CPU time used so far by the living processes of group ``pgid``: gunicorn and its workers.

    Less disturbed than rates by other work on a shared machine.
    """
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    total += _cpu_seconds(int(entry.name))
            except OSError:
                continue
    return total


@dataclass(frozen=True)
class Server:
    """A running gunicorn: where it answers, and its process group."""

    base: str
    pgid: int

    def cpu_seconds(self) -> float:
        return group_cpu_seconds(self.pgid)


@contextmanager
def serve(spec: str, env: dict, workers: Workers, log: Path, timeout=60) -> Iterator[Server]:
    """Run gunicorn for ``spec`` with ``env``; yield it once it answers; always stop it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(log, "ab") as output:
        process = subprocess.Popen(
            gunicorn_command(spec, port, workers),
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() can end every worker
        )
    try:
        _wait_until_up(process, base, log, timeout)
        yield Server(base, process.pid)
    finally:
        stop(process)


@contextmanager
def job_worker(env: dict, log: Path) -> Iterator[int]:
    """The job queue's worker (``flask worker``, as ``make run`` starts it beside the web
    server) with ``env``; yields its process group; always stopped."""
    with open(log, "ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi:app", "worker"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process.pid
    finally:
        stop(process)


def run_module(env: dict, module: str, *arguments: str) -> str:
    """Run ``python -m module arguments`` with ``env``; return what it printed, or raise."""
    completed = subprocess.run(
        [sys.executable, "-m", module, *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if completed.returncode:
        raise RuntimeError(f"{module} {' '.join(arguments)} failed:\n{completed.stderr[-3000:]}")
    return completed.stdout
