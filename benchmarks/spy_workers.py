"""Where gunicorn's workers spend their time under load, sampled by py-spy, by part.

    .venv/bin/python -m benchmarks.spy_workers [--backend sqlite|postgresql]
        [--concurrency 16] [--duration 20] [--workers 2] [--rate 100]

``profile_cycle`` measures one request at a time in one process; this looks at the
real server: gunicorn with its sync workers on a fresh database (as
``benchmarks/submissions.py`` serves it), ``benchmarks/loadgen.py`` playing
respondents, and ``py-spy record --subprocesses`` sampling every worker without
pausing it. Idle samples (a worker waiting in ``accept`` or on the database) are
left out, so the shares are of the time the workers run Python. Each sample is
charged to the innermost function it is in among the parts of
``benchmarks/cycle_parts.py``; outside the application, to gunicorn's HTTP code.
py-spy needs ptrace on the workers (root, or ``kernel.yama.ptrace_scope`` 0).
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from . import common
from .cycle_parts import HTTP, PARTS
from .databases import fresh_database, postgres_url
from .servers import Workers, serve
from .submissions import DEFAULT_SLUG, form_fields, prepare_app, server_environment

OTHER = "elsewhere (gunicorn's master, worker loop)"


def _matchers():
    """(part, function name, file suffix) for every function of ``PARTS``."""
    found = []
    for part, specs in PARTS:
        for spec in specs:
            module, _, name = spec.partition(":")
            found.append((part, name.rsplit(".", 1)[-1], module.replace(".", "/") + ".py"))
    return found


def _frame(text: str) -> tuple[str, str]:
    """(function, file) of a py-spy frame ``function (path/file.py:line)``."""
    function, _, where = text.rpartition(" (")
    return function.rsplit(".", 1)[-1], where.rsplit(":", 1)[0]


def _same_file(path: str, suffix: str) -> bool:
    """py-spy shortens paths (``tallies.py``, ``flask/app.py``): compare what it kept."""
    return ("/" + suffix).endswith("/" + path) or path.endswith("/" + suffix)


def charge(stacks: Counter) -> Counter:
    """Samples by part: each stack to the innermost part function in it."""
    matchers = _matchers()
    parts = Counter()
    for stack, count in stacks.items():
        frames = [_frame(frame) for frame in stack.split(";")]
        part = None
        for function, path in reversed(frames):
            part = next(
                (
                    p
                    for p, name, suffix in matchers
                    if name == function and _same_file(path, suffix)
                ),
                None,
            )
            if part:
                break
        if part is None:
            in_gunicorn = any("gunicorn/" in path for _, path in frames)
            part = HTTP if in_gunicorn else OTHER
        parts[part] += count
    return parts


def read_raw(path: Path) -> Counter:
    """py-spy's ``--format raw`` (collapsed stacks: ``frame;frame;... count``)."""
    stacks = Counter()
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks[stack] += int(count)
    return stacks


def run(arguments) -> tuple[Counter, dict]:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        raise SystemExit("py-spy is not installed: .venv/bin/pip install py-spy")
    with tempfile.TemporaryDirectory(prefix="spy-workers-") as folder:
        folder = Path(folder)
        form = folder / "form.json"
        form.write_text(json.dumps(form_fields(arguments.slug)))
        with fresh_database(arguments.backend, folder, postgres_url()) as url:
            env = server_environment(url, folder)
            prepare_app(env, arguments.slug)
            workers = Workers(arguments.workers)
            with serve("wsgi:app", env, workers, folder / "gunicorn.log") as server:
                load = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "benchmarks.loadgen",
                        f"--base={server.base}",
                        f"--slug={arguments.slug}",
                        f"--form={form}",
                        f"--out={folder / 'cycles.json'}",
                        f"--concurrency={arguments.concurrency}",
                        f"--duration={arguments.duration + 2}",
                        "--warmup=3",
                    ],
                    cwd=common.ROOT,
                )
                time.sleep(4)  # past the warm-up: templates compiled, connections open
                raw = folder / "spy.txt"
                spied = subprocess.run(
                    [
                        spy,
                        "record",
                        "--pid",
                        str(server.pgid),
                        "--subprocesses",
                        "--nonblocking",
                        f"--rate={arguments.rate}",
                        f"--duration={round(arguments.duration)}",
                        "--format=raw",
                        f"--output={raw}",
                    ],
                    capture_output=True,
                    text=True,
                )
                load.wait(timeout=arguments.duration + 120)
            if arguments.keep:
                shutil.copy(raw, arguments.keep)
            if spied.returncode or not raw.exists():
                raise SystemExit(f"py-spy failed (it needs ptrace):\n{spied.stderr[-2000:]}")
            cycles = json.loads((folder / "cycles.json").read_text())["cycles"]
            done = sum(1 for c in cycles if c["reference"])
            return charge(read_raw(raw)), {"cycles": done, "errors": len(cycles) - done}


def report(parts: Counter, arguments, facts: dict, load: str) -> str:
    total = sum(parts.values()) or 1
    rows = [[part, count, f"{count / total:.0%}"] for part, count in parts.most_common()]
    rows.append(["all samples", total, "100%"])
    return "\n\n".join(
        [
            f"gunicorn {arguments.workers} sync workers on {arguments.backend}, "
            f"{arguments.concurrency} respondents, sampled for {arguments.duration:g} s at "
            f"{arguments.rate} Hz per worker by `py-spy record --subprocesses --nonblocking` "
            f"(idle samples left out); {facts['cycles']} cycles completed, {facts['errors']} "
            f"failed. Load average (1, 5, 15 min): {load}.",
            common.table(["part", "samples", "share"], rows),
        ]
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--slug", default=DEFAULT_SLUG)
    parser.add_argument("--write", action="store_true", help="write the table to RESULTS.md")
    parser.add_argument("--keep", type=Path, help="copy py-spy's raw stacks there")
    parser.add_argument("--results", type=Path, default=common.RESULTS)
    arguments = parser.parse_args(argv)
    before = common.load_average()
    parts, facts = run(arguments)
    body = report(parts, arguments, facts, f"{before} before, {common.load_average()} after")
    print(body)
    if arguments.write:
        common.write_section(
            f"spy-{arguments.backend}",
            f"gunicorn workers sampled by py-spy ({arguments.backend})",
            body,
            results=arguments.results,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
