"""Submission throughput: contributions a second through the real app, against a floor.

    .venv/bin/python -m benchmarks.submissions [--backend sqlite|postgresql|both]
        [--concurrency 16,50] [--duration SECONDS] [--workers N] [--quick]

For each backend, a fresh database (a SQLite file, or a PostgreSQL database of its own
made on ``BENCH_DATABASE_URL`` and dropped afterwards) is built by the migrations, the
questionnaires are loaded and the measured consultation is extended by a year, with the
operations behind the ``flask`` commands (``benchmarks/prepare_app.py``). Gunicorn then
serves the app with production settings, rate limits and the minimum form time off, and
``benchmarks/loadgen.py``, another process, plays N respondents, each filling in and
sending the questionnaire again and again. The floor (``benchmarks/floor_app.py``: a
token, one INSERT, a receipt) is served and driven the same way. Afterwards the references
received are counted against the rows stored.

Workers: 2 × cores + 1 sync workers (5 on this 2-core machine). Measured here at 50
respondents on SQLite (twice each, the machine shared with other work): 5 sync 14-16/s,
3 sync 13-21/s, 5 gthread × 2 threads 16-21/s, 2 or 3 gthread × 4 threads 12-15/s. The
rates are within the noise of each other, but every gthread set-up had a p95 and p99
1.5-2 times the sync workers': a submission is mostly Python (building, checking and
rendering a 33-question form) holding the GIL, so the threads of one process queue
behind each other, while sync workers take connections in turn from the shared socket.

Respondents send again as soon as they have a receipt (no reading time): a closed loop,
where latency is about respondents / rate, so a p99 under 250 ms at 50 respondents
needs some 200 contributions a second.

Slow clients (issue 13, item 14): while the load runs, ``--slow-clients N`` connections
(3 by default) send their headers one byte a second and a probe asks for the
questionnaire page every second; the report says whether the page still answered
(``benchmarks/slow_clients.py``). Bare sync workers give each slow connection a worker.

Targets (issue 6): the app at least half the floor's rate; p99 under 250 ms at 50
concurrent respondents. Not part of the test suite, except ``smoke()``.
"""

import argparse
import json
import math
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from . import common
from .databases import fresh_database, postgres_reachable, postgres_url, references
from .floor_app import TABLE, Store
from .servers import Workers, group_cpu_seconds, job_worker, run_module, serve
from .slow_clients import SlowCheck, slow_clients

DEFAULT_SLUG = "apply-ai"
#: Issue 17: the app's rate at least this share of the floor's, at every concurrency.
TARGET_RATIO = {"sqlite": 0.5, "postgresql": 0.4}
TARGET_P99_MS = 250
#: Issue 17: what the workers derive (tallies, ready export lines) up to date this soon
#: after a sustained load ends.
TARGET_CATCH_UP_S = 5
#: How long the benchmark waits for them at most.
CATCH_UP_LIMIT_S = 120
#: What the workers have still to do: contributions whose answers are not counted yet (the
#: outbox) and contributions without their ready export lines.
BACKLOG_QUERY = (
    "SELECT count(*) FROM responses r WHERE EXISTS (SELECT 1 FROM tally_outbox o "
    "WHERE o.response_id = r.id) OR NOT EXISTS (SELECT 1 FROM export_lines e "
    "WHERE e.response_id = r.id)"
)
STORED_QUERY = {
    "app": (
        "SELECT r.reference FROM responses r JOIN consultations c ON c.id = r.consultation_id "
        "WHERE c.slug = :slug"
    ),
    "floor": f"SELECT reference FROM {TABLE} WHERE slug = :slug",
}


@dataclass(frozen=True)
class Settings:
    """What one run measures, and how hard."""

    backends: tuple[str, ...]
    #: Concurrent respondents: each level is measured for the app, then for the floor.
    concurrency: tuple[int, ...]
    duration: float
    warmup: float
    workers: Workers
    slug: str = DEFAULT_SLUG
    pg_url: str | None = None
    #: Connections sending their headers one byte a second while the load runs.
    slow_clients: int = 0


@dataclass
class Outcome:
    """One target (app or floor) on one backend: what the load generator saw, what was stored."""

    backend: str
    target: str
    respondents: int
    rate: float
    cycle_ms: tuple
    post_ms: tuple
    errors: Counter
    accepted: int
    stored: int
    missing: int
    ratio: float | None = None
    #: Server CPU time (gunicorn and its workers) in the measured window per contribution
    #: completed in it: start-up and warm-up left out.
    cpu_ms: float | None = None
    notes: list[str] = field(default_factory=list)
    #: What a probe of the questionnaire page saw beside the slow clients.
    slow: SlowCheck | None = None
    #: The app only (a job worker runs beside it, as deployed): what the workers had still
    #: to do when the load ended, the seconds until they had done it (None: not within
    #: ``CATCH_UP_LIMIT_S``), and the worker's CPU time per contribution stored.
    backlog: int | None = None
    caught_up_s: float | None = None
    worker_cpu_ms: float | None = None

    @property
    def counts_match(self) -> bool:
        return self.accepted == self.stored and not self.missing


# -- the questionnaire as a browser sends it ----------------------------------------------


def form_fields(slug: str) -> list:
    """``[name, value]`` pairs of a complete valid contribution (null: a file input left empty).

    Built by the test suite's ``valid_form_data``, so the benchmark follows the questionnaire.
    """
    from consultation.questionnaires.definition import Questionnaire
    from consultation.questionnaires.loader import definitions_dir, parse_file
    from tests.answers import valid_form_data

    questionnaire = Questionnaire(parse_file(definitions_dir() / f"{slug}.yaml"))
    pairs = []
    for name, value in valid_form_data(questionnaire).items():
        if isinstance(value, tuple):  # (file, name): sent empty, as when no file is chosen
            pairs.append([name, None])
        elif isinstance(value, list):
            pairs.extend([name, item] for item in value)
        else:
            pairs.append([name, value])
    return pairs


# -- one measurement -----------------------------------------------------------------------


def server_environment(url: str, folder: Path) -> dict:
    """Production settings for the app (and the floor), but no rate limit and no minimum time."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TEST_", "RATELIMIT_", "FLASK_", "APP_"))
    }
    env.update(
        APP_ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        PUBLIC_BASE_URL="http://127.0.0.1",  # required in production; no mail is sent here
        DATABASE_URL=url,
        FLOOR_DATABASE=url,
        INSTANCE_PATH=str(folder),
        UPLOAD_FOLDER=str(folder / "uploads"),
        RATELIMIT_ENABLED="false",
        MIN_FORM_SECONDS="0",
        PYTHONUNBUFFERED="1",
    )
    return env


def prepare_app(env: dict, slug: str) -> None:
    """Schema, questionnaires, and ``slug`` open for a year (``benchmarks/prepare_app.py``)."""
    # The real date: the server's clock is the real one (a test may have frozen the app's).
    closing = (datetime.now(UTC).date() + timedelta(days=365)).isoformat()
    run_module(env, "benchmarks.prepare_app", slug, closing)


def generate_load(
    base: str, settings: Settings, respondents: int, form: Path, out: Path, pgid=None
) -> dict:
    """Run the load generator in its own process; return its cycles (and the CPU the server
    of process group ``pgid`` spent in the measured window)."""
    command = [
        sys.executable,
        "-m",
        "benchmarks.loadgen",
        f"--base={base}",
        f"--slug={settings.slug}",
        f"--form={form}",
        f"--out={out}",
        f"--concurrency={respondents}",
        f"--duration={settings.duration}",
        f"--warmup={settings.warmup}",
    ]
    if pgid:
        command.append(f"--server-pgid={pgid}")
    limit = settings.warmup + settings.duration + 120
    subprocess.run(command, cwd=common.ROOT, check=True, timeout=limit)
    return json.loads(out.read_text())


def measure(
    backend: str, target: str, respondents: int, settings: Settings, folder: Path, form: Path
) -> Outcome:
    """Serve ``target`` on a fresh ``backend`` database, load it, count what it stored."""
    folder = folder / f"{backend}-{target}-{respondents}"
    folder.mkdir(parents=True)
    with fresh_database(backend, folder, settings.pg_url) as url:
        env = server_environment(url, folder)
        # Throughput, not a crowd: every worker may store a contribution (the admission
        # gate and its "too busy" page are measured by benchmarks/flash_crowd.py).
        env["SUBMISSION_SLOTS"] = str(settings.workers.count * settings.workers.threads)
        if target == "app":
            prepare_app(env, settings.slug)
            spec = "wsgi:app"
        else:
            Store(url).create_table()
            spec = "benchmarks.floor_app:app"
        with ExitStack() as stack:
            # The app as deployed: its job worker beside it (the floor has nothing to derive).
            worker = (
                stack.enter_context(job_worker(env, folder / "worker.log"))
                if target == "app"
                else None
            )
            server = stack.enter_context(
                serve(spec, env, settings.workers, folder / "gunicorn.log")
            )
            worker_cpu = group_cpu_seconds(worker) if worker else 0.0
            with slow_clients(server.base, settings.slug, settings.slow_clients) as slow:
                load = generate_load(
                    server.base, settings, respondents, form, folder / "cycles.json", server.pgid
                )
            if worker:
                backlog, caught_up = catch_up(url)
                worker_cpu = group_cpu_seconds(worker) - worker_cpu
        stored = references(url, STORED_QUERY[target], slug=settings.slug)
    outcome = summarise(backend, target, respondents, load, stored)
    outcome.slow = slow if settings.slow_clients else None
    if worker:
        outcome.backlog, outcome.caught_up_s = backlog, caught_up
        outcome.worker_cpu_ms = 1000 * worker_cpu / len(stored) if stored else None
    return outcome


def catch_up(url: str, limit: float = CATCH_UP_LIMIT_S) -> tuple[int, float | None]:
    """What the workers had still to do when the load ended, and the seconds until they had
    done it (None if not within ``limit``)."""
    started = time.monotonic()
    first = None
    while True:
        left = references(url, BACKLOG_QUERY)[0]
        first = left if first is None else first
        elapsed = time.monotonic() - started
        if not left:
            return first, elapsed
        if elapsed > limit:
            return first, None
        time.sleep(0.1)


# -- figures ---------------------------------------------------------------------------------


def percentiles(seconds: list[float]) -> tuple:
    """p50, p95 and p99 in milliseconds (nearest rank), or Nones when there is nothing."""
    if not seconds:
        return (None, None, None)
    ordered = sorted(seconds)
    ranks = (max(0, math.ceil(p * len(ordered)) - 1) for p in (0.5, 0.95, 0.99))
    return tuple(round(ordered[rank] * 1000, 1) for rank in ranks)


def summarise(
    backend: str, target: str, respondents: int, load: dict, stored: list[str]
) -> Outcome:
    """Rate and latencies of the cycles ended in the measured window; counts over the whole run.

    The window runs from the end of the warm-up to the moment respondents stop starting
    cycles, so a cycle in flight at either edge is counted at most once, where it ended.
    """
    cycles = load["cycles"]
    start, stop = load["warmup"], load["warmup"] + load["duration"]
    ok = [c for c in cycles if c["reference"] and start <= c["ended"] <= stop]
    received = {c["reference"] for c in cycles if c["reference"]}
    outcome = Outcome(
        backend=backend,
        target=target,
        respondents=respondents,
        rate=len(ok) / load["duration"],
        cycle_ms=percentiles([c["ended"] - c["started"] for c in ok]),
        post_ms=percentiles([c["post_seconds"] for c in ok]),
        errors=Counter(c["error"] for c in cycles if c["error"]),
        accepted=len(received),
        stored=len(stored),
        missing=len(received - set(stored)),
    )
    if load.get("window_cpu_seconds") is not None and ok:
        outcome.cpu_ms = 1000 * load["window_cpu_seconds"] / len(ok)
    duplicates = sum(1 for c in cycles if c["reference"]) - len(received)
    if duplicates:
        outcome.notes.append(f"{duplicates} references received twice")
    return outcome


def set_ratios(outcomes: list[Outcome]) -> None:
    """Each outcome's rate as a fraction of the floor's on the same backend."""
    floors = {(o.backend, o.respondents): o.rate for o in outcomes if o.target == "floor"}
    for outcome in outcomes:
        floor = floors.get((outcome.backend, outcome.respondents))
        outcome.ratio = outcome.rate / floor if floor else None


HEADERS = [
    "backend",
    "target",
    "respondents",
    "contributions/s",
    "cycle p50 ms",
    "cycle p95 ms",
    "cycle p99 ms",
    "POST p50 ms",
    "POST p95 ms",
    "POST p99 ms",
    "server CPU ms",
    "errors",
    "accepted",
    "stored",
    "ratio to floor",
    "worker CPU ms",
    "backlog at the end",
    "caught up s",
]


def table(outcomes: list[Outcome]) -> str:
    """The Markdown table of every outcome."""
    rows = [
        [
            o.backend,
            o.target,
            o.respondents,
            o.rate,
            *o.cycle_ms,
            *o.post_ms,
            o.cpu_ms,
            sum(o.errors.values()),
        ]
        + [o.accepted, o.stored, o.ratio, o.worker_cpu_ms, o.backlog, o.caught_up_s]
        for o in outcomes
    ]
    return common.table(HEADERS, rows)


def _verdict(value: float, target: float, *, at_least: bool, unit: str = "") -> str:
    """Met, or by how much (absolute and as a share of the target) it was missed."""
    if (value >= target) if at_least else (value < target):
        return "met"
    gap = (target - value) if at_least else (value - target)
    amount = f"{gap:,.0f}" if unit else f"{gap:.2f}"
    return f"missed by {amount}{unit} ({gap / target:.0%} of the target)"


def target_lines(outcomes: list[Outcome]) -> list[str]:
    """Each backend's app against the targets (issue 17: the rate; issue 6: the p99 at 50
    respondents), with the gap when one is missed."""
    floor_cpu = {(o.backend, o.respondents): o.cpu_ms for o in outcomes if o.target == "floor"}
    lines = []
    for o in outcomes:
        if o.target != "app":
            continue
        at = f"{o.backend} at {o.respondents} respondents"
        target = TARGET_RATIO.get(o.backend, 0.5)
        if o.ratio is not None:
            verdict = _verdict(o.ratio, target, at_least=True)
            lines.append(f"- {at}: app/floor rate {o.ratio:.2f} (target ≥ {target}): {verdict}")
        floor = floor_cpu.get((o.backend, o.respondents))
        if o.cpu_ms and floor:
            lines.append(
                f"- {at}: server CPU per contribution {o.cpu_ms:.1f} ms against the "
                f"floor's {floor:.1f} ms ({o.cpu_ms / floor:.1f}×)"
            )
        if o.backlog is not None:
            if o.caught_up_s is None:
                verdict = f"missed (not within {CATCH_UP_LIMIT_S} s)"
            else:
                verdict = _verdict(o.caught_up_s, TARGET_CATCH_UP_S, at_least=False, unit=" s")
            lines.append(
                f"- {at}: the workers caught up {_seconds(o.caught_up_s)} after the load "
                f"({o.backlog} contributions to count or line up at its end; "
                f"target < {TARGET_CATCH_UP_S} s): {verdict}"
            )
        if o.respondents != 50:
            continue
        for name, values in (("POST", o.post_ms), ("full cycle", o.cycle_ms)):
            p99 = values[2]
            if p99 is None:
                continue
            verdict = _verdict(p99, TARGET_P99_MS, at_least=False, unit=" ms")
            lines.append(
                f"- {at}: {name} p99 {p99:.0f} ms (issue 6: < {TARGET_P99_MS} ms): {verdict}"
            )
    return lines


def _seconds(value: float | None) -> str:
    return "not" if value is None else f"in {value:.1f} s"


def count_lines(outcomes: list[Outcome]) -> list[str]:
    """PASS or FAIL per outcome: the references received are exactly the rows stored."""
    lines = []
    for o in outcomes:
        verdict = "PASS" if o.counts_match else "FAIL"
        detail = f"{o.accepted} references received, {o.stored} rows stored"
        if o.missing:
            detail += f", {o.missing} received references not in the database"
        lines.append(
            f"- {verdict} {o.backend} {o.target}: {detail}"
            + "".join(f"; {note}" for note in o.notes)
        )
    return lines


def error_lines(outcomes: list[Outcome]) -> list[str]:
    """The errors by kind (status or exception), where there were any."""
    return [
        f"- {o.backend} {o.target}: "
        + ", ".join(f"{kind} × {count}" for kind, count in o.errors.most_common())
        for o in outcomes
        if o.errors
    ]


def report(outcomes: list[Outcome], settings: Settings, load: str) -> str:
    """The RESULTS.md body: machine, settings, table, targets, count check."""
    parts = [
        "\n".join(common.machine(settings.pg_url if "postgresql" in settings.backends else None)),
        f"Settings: gunicorn {settings.workers.describe()} (app and floor alike), "
        f"{' and '.join(map(str, settings.concurrency))} concurrent respondents (the app, then "
        f"the floor, at each), {settings.duration:g} s measured after "
        f"{settings.warmup:g} s of warm-up, consultation `{settings.slug}`; load generator "
        f"(aiohttp) on the same machine. Load average (1, 5, 15 min): {load}.",
        "A cycle is GET questionnaire + POST contribution + GET receipt; the floor is "
        "`benchmarks/floor_app.py`. Respondents send again as soon as they have a receipt, "
        "so latency is about respondents / rate: a p99 under "
        f"{TARGET_P99_MS} ms at 50 respondents needs some "
        f"{50 * 1000 // TARGET_P99_MS} contributions a second. SQLite on both sides with WAL "
        "and `synchronous=FULL` (each commit on disk before the receipt). Server CPU "
        "ms: CPU time of gunicorn and its workers during the measured window per "
        "contribution completed in it (start-up and warm-up left out), less disturbed than "
        "the rates by other work on a shared machine. The app runs with its job worker "
        "beside it, as deployed (`flask worker`): worker CPU ms is its CPU time from the "
        "start of the load until it caught up, per contribution stored; the backlog is what "
        "it had still to count (the tally outbox) or line up (ready export lines) when the "
        "load ended, and caught up the seconds until nothing was left.",
        table(outcomes),
        "Targets:\n" + "\n".join(target_lines(outcomes)),
        "Count check (references received against rows stored):\n"
        + "\n".join(count_lines(outcomes)),
    ]
    errors = error_lines(outcomes)
    if errors:
        parts.append("Errors:\n" + "\n".join(errors))
    slow = slow_lines(outcomes)
    if slow:
        parts.append("Slow clients during the load (issue 13, item 14):\n" + "\n".join(slow))
    return "\n\n".join(parts)


def slow_lines(outcomes: list[Outcome]) -> list[str]:
    """Per outcome, whether the questionnaire page answered beside the slow clients."""
    return [f"- {o.backend} {o.target}: {o.slow.describe()}" for o in outcomes if o.slow]


# -- running ---------------------------------------------------------------------------------


def run(settings: Settings, folder: Path) -> list[Outcome]:
    """Measure the app and the floor on every backend of ``settings``."""
    form = folder / "form.json"
    form.write_text(json.dumps(form_fields(settings.slug)))
    outcomes = []
    for backend in settings.backends:
        for respondents in settings.concurrency:
            for target in ("app", "floor"):
                print(
                    f"{backend} {target}, {respondents} respondents: measuring for "
                    f"{settings.duration:g} s…",
                    flush=True,
                )
                outcomes.append(measure(backend, target, respondents, settings, folder, form))
    set_ratios(outcomes)
    return outcomes


def smoke(concurrency: int = 3, duration: float = 2.0) -> list[Outcome]:
    """A tiny run on SQLite, for the test suite; writes no RESULTS.md."""
    settings = Settings(
        backends=("sqlite",),
        concurrency=(concurrency,),
        duration=duration,
        warmup=0.5,
        workers=Workers(2),
        slow_clients=1,  # one of the two workers held; the other still serves
    )
    with tempfile.TemporaryDirectory(prefix="bench-submissions-") as folder:
        return run(settings, Path(folder))


def _backends(choice: str, pg_url: str) -> tuple[str, ...]:
    if choice != "sqlite" and not postgres_reachable(pg_url):
        if choice == "postgresql":
            raise SystemExit(f"PostgreSQL is not reachable at {pg_url}.")
        print(f"PostgreSQL is not reachable at {pg_url}: measuring SQLite only.")
        return ("sqlite",)
    return {"sqlite": ("sqlite",), "postgresql": ("postgresql",)}.get(
        choice, ("sqlite", "postgresql")
    )


def parse_arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--concurrency",
        type=lambda text: tuple(int(n) for n in text.split(",")),
        default=(16, 50),
        help="respondents, comma-separated levels (default 16,50)",
    )
    parser.add_argument("--duration", type=float, help="seconds measured (default 60; quick 15)")
    parser.add_argument("--warmup", type=float, default=5, help="seconds not measured")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads", type=int, default=1, help="per gthread worker")
    parser.add_argument("--slug", default=DEFAULT_SLUG)
    parser.add_argument(
        "--slow-clients",
        type=int,
        default=3,
        help="connections sending headers one byte a second during the load (0: none)",
    )
    parser.add_argument("--quick", action="store_true", help="15 s per target, about 5 minutes")
    parser.add_argument("--results", type=Path, default=common.RESULTS)
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    return parser.parse_args(argv)


def _stop_cleanly(signum, _frame):
    """SIGTERM or SIGINT: unwind, so servers are stopped and scratch databases dropped."""
    raise SystemExit(128 + signum)


def main(argv=None) -> int:
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _stop_cleanly)
    arguments = parse_arguments(argv)
    pg_url = postgres_url()
    settings = Settings(
        backends=_backends(arguments.backend, pg_url),
        concurrency=arguments.concurrency,
        duration=arguments.duration or (15 if arguments.quick else 60),
        warmup=arguments.warmup,
        workers=Workers(arguments.workers, arguments.worker_class, arguments.threads),
        slug=arguments.slug,
        pg_url=pg_url,
        slow_clients=arguments.slow_clients,
    )
    load_before = common.load_average()
    with tempfile.TemporaryDirectory(prefix="bench-submissions-") as folder:
        outcomes = run(settings, Path(folder))
    load = f"{load_before} before the run, {common.load_average()} after"
    body = report(outcomes, settings, load)
    print(body)
    if not arguments.no_write:
        common.write_section(
            "submissions", "Submission throughput", body, results=arguments.results
        )
        print(f"\nWritten to {arguments.results}")
    return 0 if all(o.counts_match for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
