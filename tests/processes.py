"""Helpers for tests that start real processes: free ports, settings read by a fresh Python."""

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(drop=(), **settings) -> dict:
    """This process's environment without the variables ``drop``, with ``settings`` added."""
    env = {key: value for key, value in os.environ.items() if key not in drop}
    env.update(settings)
    return env


def setting(name: str, env: dict) -> str:
    """``config.Config.<name>`` as a fresh process with environment ``env`` reads it."""
    return subprocess.run(
        [sys.executable, "-c", f"import config; print(config.Config.{name})"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
