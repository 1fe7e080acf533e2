"""CPU per submission cycle, request by request and part by part, in one process.

    .venv/bin/python -m benchmarks.profile_cycle [--cycles 50] [--warmup 5] [--slug apply-ai]
        [--profile] [--top 40] [--sort cumulative|tottime] [--write]

``benchmarks/submissions.py`` measures the whole server (gunicorn, workers, load
generator on a shared machine); this script measures what the server itself
spends on each step of the same cycle, so a change can be judged in seconds,
whatever else the machine is doing (CPU time, not wall time).

The app is built in-process with the production settings (``config.Config``) on a
temporary SQLite file, less what the throughput benchmark also turns off (rate
limits, the minimum form time), with a random secret key. The schema comes from the
migrations, the shipped questionnaires are loaded and ``--slug`` is extended by a year,
as ``benchmarks/prepare_app.py`` does for the benchmark's server. Then, like a
respondent of ``benchmarks/loadgen.py`` (a new browser each time), every cycle

1. GETs ``/consultations/<slug>/respond`` and reads its hidden tokens,
2. POSTs a complete valid contribution (``tests.answers.valid_form_data``, files left
   empty, as multipart form data) and expects a 303 to the receipt,
3. GETs the receipt and reads the reference on it.

Each request goes as bytes through gunicorn's own parser and writer over a socket
pair (``benchmarks/wire.py``), as in a sync worker, so HTTP parsing is measured too;
the browser's side (encoding the form, reading the page) is not counted. The CPU
time (``time.process_time``) of the server's side of each request is recorded, and
split into parts (``benchmarks/cycle_parts.py``: form building, validation, CSRF,
inserts, tallies, ready CSV lines, receipt...). After ``--warmup`` unmeasured cycles
(templates compiled, caches filled) the median and mean of ``--cycles`` cycles are
printed, in milliseconds, for the three requests and the whole cycle, then the mean
of each part. A cycle that does not end with the receipt of a stored contribution
stops the run with an error.

``--profile`` runs the measured cycles under cProfile and prints the ``--top`` functions
by ``--sort`` (profiling slows everything down, so the per-request figures of such a
run are only relative). ``--write`` puts the figures in RESULTS.md (section ``cycle``).
"""

import argparse
import cProfile
import pstats
import re
import secrets
import statistics
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from . import common, instructions
from .cycle_parts import PartClock, install, part_names, uninstall
from .loadgen import REFERENCE_RE, TOKEN_RE
from .submissions import DEFAULT_SLUG, form_fields
from .wire import Browser, Wire, location_path

STEPS = ("GET", "POST", "receipt")


def make_app(folder: Path):
    """The application with production settings on a SQLite file in ``folder``."""
    from config import Config
    from consultation import create_app

    class ProfileConfig(Config):
        SECRET_KEY = secrets.token_hex(32)
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'profile.sqlite'}"
        UPLOAD_FOLDER = str(folder / "uploads")
        JOBS_QUEUE_FILE = str(folder / "jobs-queue.sqlite")  # the workers asked for lines
        RATELIMIT_ENABLED = False
        MIN_FORM_SECONDS = 0

    return create_app(ProfileConfig)


def prepare(app, slug: str) -> None:
    """Schema, questionnaires, and ``slug`` open for a year on the application's clock."""
    from consultation import clock
    from consultation.consultations.models import State

    from .prepare_app import prepare_in

    closing = clock.today_brussels() + timedelta(days=365)
    state = prepare_in(app, slug, closing, "profile_cycle")
    if state is not State.OPEN:
        raise SystemExit(f"{slug} is {state.value}, not open, after extending it.")


class CycleFailed(Exception):
    """A step did not give what a browser expects."""


class Server:
    """The app behind gunicorn's HTTP code, its CPU charged to parts by ``clock``."""

    def __init__(self, app, clock: PartClock):
        self.wire = Wire(app)
        self.clock = clock
        self.parts: dict[str, list[dict]] = {step: [] for step in STEPS}

    def send(self, browser: Browser, step: str, raw: bytes, status: int):
        """One request; its parts' CPU seconds are kept under ``step``."""
        running = self.clock.running()
        number = len(self.parts[step])

        def before():
            instructions.zero()
            running.__enter__()

        def after():
            running.__exit__(None, None, None)
            instructions.dump(f"{step}-{number}")

        reply = self.wire.serve(raw, before=before, after=after)
        self.parts[step].append(self.clock.take())
        browser.keep_cookies(reply)
        if reply.status != status:
            raise CycleFailed(f"{step}: status {reply.status}, expected {status}")
        return reply


def one_cycle(server: Server, slug: str, fields: list) -> str:
    """One respondent's GET, POST and receipt in a new browser; the reference received."""
    browser = Browser()
    url = f"/consultations/{slug}/respond"
    page = server.send(browser, "GET", browser.request("GET", url), 200)
    tokens = dict(TOKEN_RE.findall(page.text()))
    if len(tokens) != 3:
        raise CycleFailed("GET: the page lacks its hidden tokens")
    body = [*fields, *tokens.items()]
    sent = server.send(browser, "POST", browser.request("POST", url, body), 303)
    location = location_path(sent.header("Location"))
    receipt = server.send(browser, "receipt", browser.request("GET", location), 200)
    text = receipt.text()
    found = REFERENCE_RE.search(text)
    if not found or location not in text:
        raise CycleFailed("receipt: no reference, or not the receipt redirected to")
    return found.group(1)


def stored_count(app, slug: str) -> int:
    """How many contributions ``slug`` holds."""
    from sqlalchemy import func, select

    from consultation.consultations.queries import consultation_by_slug
    from consultation.extensions import db
    from consultation.responses.models import Response

    with app.app_context():
        consultation = consultation_by_slug(slug)
        count = db.session.scalar(
            select(func.count()).where(Response.consultation_id == consultation.id)
        )
        db.session.remove()
    return count


def run(cycles: int, warmup: int, slug: str, profiler=None) -> dict:
    """Build and prepare the app, run the cycles; per step, the parts' CPU seconds of each
    measured cycle (``{step: [{part: seconds}]}``)."""
    fields = form_fields(slug)
    clock = PartClock()
    undo = install(clock)  # before the app registers its hooks
    try:
        with tempfile.TemporaryDirectory(prefix="profile-cycle-") as folder:
            app = make_app(Path(folder))
            prepare(app, slug)
            server = Server(app, clock)
            for _ in range(warmup):
                one_cycle(server, slug, fields)
            server.parts = {step: [] for step in STEPS}
            instructions.start()  # under Valgrind: count from here on
            references = set()
            if profiler:
                profiler.enable()
            try:
                for _ in range(cycles):
                    references.add(one_cycle(server, slug, fields))
            finally:
                if profiler:
                    profiler.disable()
            stored = stored_count(app, slug)
            with app.app_context():
                from consultation.extensions import db

                db.engine.dispose()
    finally:
        uninstall(undo)
    if len(references) != cycles or stored != warmup + cycles:
        raise CycleFailed(f"{len(references)} references for {cycles} cycles, {stored} stored")
    return server.parts


def step_seconds(parts: dict) -> dict:
    """{step: [CPU seconds of each cycle]}."""
    return {step: [sum(cycle.values()) for cycle in cycles] for step, cycles in parts.items()}


#: A line of the summary: request name, median ms, mean ms.
SUMMARY_LINE = re.compile(r"^(GET|POST|receipt|cycle)\s+(\d+\.\d+)\s+(\d+\.\d+)$", re.M)


def summary(parts: dict) -> str:
    """Median and mean CPU milliseconds per request and per cycle."""
    timings = step_seconds(parts)
    per_cycle = [sum(values) for values in zip(*timings.values(), strict=True)]
    lines = [f"{'request':<8} {'median ms':>10} {'mean ms':>10}"]
    for name, values in (*timings.items(), ("cycle", per_cycle)):
        median, mean = 1000 * statistics.median(values), 1000 * statistics.fmean(values)
        lines.append(f"{name:<8} {median:>10.2f} {mean:>10.2f}")
    return "\n".join(lines)


def parts_table(parts: dict) -> str:
    """Mean CPU ms of each part in each request, per cycle, and its share of the cycle."""
    means = {
        step: {
            name: statistics.fmean(c.get(name, 0.0) for c in cycles) * 1000 for name in part_names()
        }
        for step, cycles in parts.items()
    }
    total = sum(sum(step.values()) for step in means.values())
    rows = []
    for name in part_names():
        values = [means[step][name] for step in STEPS]
        whole = sum(values)
        if whole < 0.005:
            continue
        rows.append(
            [name, *(v if v >= 0.005 else None for v in values), whole, f"{whole / total:.0%}"]
        )
    rows.sort(key=lambda row: -row[4])
    rows.append(["whole cycle", *(sum(means[step].values()) for step in STEPS), total, "100%"])
    headers = ["part", "GET ms", "POST ms", "receipt ms", "cycle ms", "share"]
    return common.table(headers, rows)


def parse_arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=50, help="measured cycles")
    parser.add_argument("--warmup", type=int, default=5, help="cycles run first, not measured")
    parser.add_argument("--slug", default=DEFAULT_SLUG)
    parser.add_argument("--profile", action="store_true", help="print a cProfile top list")
    parser.add_argument("--top", type=int, default=40, help="functions in the top list")
    parser.add_argument("--sort", choices=["cumulative", "tottime"], default="cumulative")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions with Valgrind's callgrind instead (slow: use few cycles)",
    )
    parser.add_argument("--write", action="store_true", help="write the figures to RESULTS.md")
    parser.add_argument("--results", type=Path, default=common.RESULTS)
    arguments = parser.parse_args(argv)
    if arguments.cycles < 1 or arguments.warmup < 0:
        parser.error("--cycles must be at least 1 and --warmup not negative")
    return arguments


def count_instructions(arguments, argv) -> int:
    """Run again under callgrind; print (and with ``--write`` keep) instructions per request."""
    load_before = common.load_average()
    passed = [
        a
        for a in (sys.argv[1:] if argv is None else argv)
        if a not in ("--instructions", "--write")
    ]
    counts = instructions.rerun_under_valgrind(passed)
    heading = (
        f"{arguments.slug}: instructions of the server's side of each request over "
        f"{arguments.cycles} cycles (after {arguments.warmup} unmeasured), counted by "
        f"callgrind; load average {load_before} before, {common.load_average()} after"
    )
    body = heading + "\n\n```\n" + instructions.table(counts, STEPS) + "\n```"
    print(body)
    if arguments.write:
        common.write_section(
            "cycle-instructions",
            "Instructions per submission cycle (profile_cycle --instructions)",
            body + "\n\nThe same whatever the load, to a fraction of a per cent: "
            "the measure to compare two versions of the code by.",
            results=arguments.results,
        )
        print(f"\nWritten to {arguments.results}")
    return 0


def main(argv=None) -> int:
    arguments = parse_arguments(argv)
    if arguments.instructions and not instructions.under_valgrind():
        return count_instructions(arguments, argv)
    profiler = cProfile.Profile() if arguments.profile else None
    load_before = common.load_average()
    parts = run(arguments.cycles, arguments.warmup, arguments.slug, profiler)
    heading = (
        f"{arguments.slug}: server CPU per request over {arguments.cycles} cycles "
        f"(after {arguments.warmup} unmeasured){' under cProfile' if profiler else ''}; "
        f"load average {load_before} before, {common.load_average()} after"
    )
    print(heading)
    print(summary(parts))
    print()
    print(parts_table(parts))
    if profiler:
        print()
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats(arguments.sort).print_stats(arguments.top)
    elif arguments.write:
        body = "\n\n".join(
            [
                "\n".join(common.machine()),
                heading + ". CPU time (`time.process_time`) of the server's side of each "
                "request: gunicorn's HTTP parsing and writing and the application, in one "
                "process on SQLite (`benchmarks/wire.py`); parts from `benchmarks/cycle_parts.py`, "
                "each charged only for what no inner part does.",
                "```\n" + summary(parts) + "\n```",
                parts_table(parts),
            ]
        )
        common.write_section(
            "cycle", "CPU per submission cycle (profile_cycle)", body, results=arguments.results
        )
        print(f"\nWritten to {arguments.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
