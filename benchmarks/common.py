"""What every benchmark shares: the machine's description, tables, and RESULTS.md sections."""

import os
import platform
import re
import shlex
import sqlite3
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
PACKAGES = ("flask", "sqlalchemy", "psycopg", "gunicorn", "weasyprint", "aiohttp")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def postgres_version(url: str | None) -> str | None:
    """The server version behind ``url``, or None when it cannot be reached."""
    if not url:
        return None
    try:
        import psycopg

        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn, connect_timeout=3) as connection:
            return connection.execute("show server_version").fetchone()[0]
    except Exception:  # noqa: BLE001 (any failure means: not available)
        return None


def machine(postgres_url: str | None = None) -> list[str]:
    """Lines describing this machine and the software measured."""
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    disk = os.statvfs(ROOT)
    free_gb = disk.f_bavail * disk.f_frsize / 1e9
    lines = [
        f"- CPU: {_cpu_model()}, {os.cpu_count()} cores",
        f"- Memory: {_memory_gib():.1f} GiB; disk free: {free_gb:.0f} GB",
        f"- System: {platform.platform()}",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}",
        f"- {', '.join(versions)}",
    ]
    version = postgres_version(postgres_url)
    if version:
        lines.append(f"- PostgreSQL {version} (same machine, loopback)")
    return lines


def load_average() -> str:
    """The load average over 1, 5 and 15 minutes, to print beside every figure."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def table(headers: list[str], rows: list[list]) -> str:
    """A Markdown table, numbers right-aligned, readable in a terminal too."""
    cells = [[str(h) for h in headers]] + [[_fmt(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [all(_is_number(row[i]) for row in rows) and rows for i in range(len(headers))]

    def line(row):
        parts = [
            cell.rjust(widths[i]) if numeric[i] else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "| " + " | ".join(parts) + " |"

    rule = (
        "|"
        + "|".join(
            "-" * (w + 1) + ":" if numeric[i] else "-" * (w + 2) for i, w in enumerate(widths)
        )
        + "|"
    )
    return "\n".join([line(cells[0]), rule] + [line(row) for row in cells[1:]])


def _is_number(value) -> bool:
    return isinstance(value, int | float) or value is None


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def command_line() -> str:
    """The command that is running, as someone would type it again."""
    make = os.environ.get("BENCH_COMMAND")
    if make:
        return make
    return " ".join(
        shlex.quote(part) for part in [".venv/bin/python", "-m", _module()] + sys.argv[1:]
    )


def _module() -> str:
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    return spec.name if spec else Path(sys.argv[0]).name


def write_section(name: str, title: str, body: str, *, results: Path = RESULTS) -> None:
    """Put ``body`` under ``title`` in RESULTS.md, replacing the section ``name`` from a last run.

    Each benchmark owns one section, so running one benchmark again leaves the
    others' numbers in place (each section says when and how it was made).
    """
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = (
        f"<!-- begin {name} -->\n## {title}\n\n"
        f"Run {stamp} with `{command_line()}`.\n\n{body.strip()}\n<!-- end {name} -->"
    )
    text = results.read_text() if results.exists() else _HEADER
    pattern = re.compile(
        rf"<!-- begin {re.escape(name)} -->.*?<!-- end {re.escape(name)} -->", re.S
    )
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    results.write_text(text)


_HEADER = """# Benchmark results

Written by the scripts in `benchmarks/` (`make bench`, `make bench-full`); each
section below says when it was run, with which command, on which machine.
Numbers from a shared or busy machine vary by some ten per cent between runs.
"""
