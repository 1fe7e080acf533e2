"""CPU per submission cycle, request by request, in one process: where the server's time goes.

    .venv/bin/python -m benchmarks.profile_cycle [--cycles 50] [--warmup 5] [--slug apply-ai]
        [--profile] [--top 40] [--sort cumulative|tottime]

``benchmarks/submissions.py`` measures the whole server (gunicorn, workers, load
generator on a shared machine); this script measures what the application itself
spends on each step of the same cycle, so a change can be judged in seconds.

The app is built in-process with the production settings (``config.Config``) on a
temporary SQLite file, less what the throughput benchmark also turns off (rate
limits, the minimum form time), with a random secret key. The schema comes from the
migrations, the shipped questionnaires are loaded and ``--slug`` is extended by a year,
as ``benchmarks/prepare_app.py`` does for the benchmark's server. Then, like a
respondent of ``benchmarks/loadgen.py`` (a new browser each time), every cycle

1. GETs ``/consultations/<slug>/respond`` and reads its hidden tokens,
2. POSTs a complete valid contribution (``tests.answers.valid_form_data``, files left
   empty, as multipart form data) and expects a 303 to the receipt,
3. GETs the receipt and reads the reference on it,

through the Flask test client over HTTPS (the session cookie is a secure one). Each
request's CPU time (``time.process_time``) is recorded; after ``--warmup`` unmeasured
cycles (templates compiled, caches filled) the median and mean of ``--cycles`` cycles
are printed, in milliseconds, for the three requests and the whole cycle. A cycle that
does not end with the receipt of a stored contribution stops the run with an error.

``--profile`` runs the measured cycles under cProfile and prints the ``--top`` functions
by ``--sort`` (profiling slows everything down, so the per-request figures of such a
run are only relative).
"""

import argparse
import cProfile
import io
import pstats
import re
import secrets
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from .loadgen import REFERENCE_RE, TOKEN_RE
from .submissions import DEFAULT_SLUG, form_fields

STEPS = ("GET", "POST", "receipt")
BASE_URL = "https://localhost"


def make_app(folder: Path):
    """The application with production settings on a SQLite file in ``folder``."""
    from config import Config
    from consultation import create_app

    class ProfileConfig(Config):
        SECRET_KEY = secrets.token_hex(32)
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'profile.sqlite'}"
        UPLOAD_FOLDER = str(folder / "uploads")
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


def form_body(fields: list, tokens: dict) -> list:
    """``(name, value)`` pairs as a browser posts them: empty file inputs sent as empty files."""
    body = [(name, (io.BytesIO(b""), "") if value is None else value) for name, value in fields]
    return body + list(tokens.items())


class CycleFailed(Exception):
    """A step did not give what a browser expects."""


def _checked(reply, status: int, step: str):
    if reply.status_code != status:
        raise CycleFailed(f"{step}: status {reply.status_code}, expected {status}")
    return reply


def one_cycle(app, slug: str, fields: list) -> tuple[dict, str]:
    """One respondent's GET, POST and receipt: CPU seconds per step, and the reference."""
    from werkzeug.datastructures import MultiDict

    client = app.test_client()  # a new browser: no cookies
    url = f"/consultations/{slug}/respond"
    seconds = {}

    started = time.process_time()
    page = _checked(client.get(url, base_url=BASE_URL), 200, "GET")
    seconds["GET"] = time.process_time() - started
    tokens = dict(TOKEN_RE.findall(page.get_data(as_text=True)))
    if len(tokens) != 3:
        raise CycleFailed("GET: the page lacks its hidden tokens")

    data = MultiDict(form_body(fields, tokens))
    started = time.process_time()
    sent = _checked(client.post(url, data=data, base_url=BASE_URL), 303, "POST")
    seconds["POST"] = time.process_time() - started

    location = sent.headers["Location"]
    started = time.process_time()
    receipt = _checked(client.get(location, base_url=BASE_URL), 200, "receipt")
    seconds["receipt"] = time.process_time() - started
    page = receipt.get_data(as_text=True)
    found = REFERENCE_RE.search(page)
    if not found or location.removeprefix(BASE_URL) not in page:
        raise CycleFailed("receipt: no reference, or not the receipt redirected to")
    return seconds, found.group(1)


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
    """Build and prepare the app, run the cycles; CPU seconds of each measured cycle by step."""
    fields = form_fields(slug)
    with tempfile.TemporaryDirectory(prefix="profile-cycle-") as folder:
        app = make_app(Path(folder))
        prepare(app, slug)
        for _ in range(warmup):
            one_cycle(app, slug, fields)
        timings = {step: [] for step in STEPS}
        references = set()
        if profiler:
            profiler.enable()
        try:
            for _ in range(cycles):
                seconds, reference = one_cycle(app, slug, fields)
                references.add(reference)
                for step in STEPS:
                    timings[step].append(seconds[step])
        finally:
            if profiler:
                profiler.disable()
        stored = stored_count(app, slug)
        with app.app_context():
            from consultation.extensions import db

            db.engine.dispose()
    if len(references) != cycles or stored != warmup + cycles:
        raise CycleFailed(f"{len(references)} references for {cycles} cycles, {stored} stored")
    return timings


#: A line of the summary: request name, median ms, mean ms.
SUMMARY_LINE = re.compile(r"^(GET|POST|receipt|cycle)\s+(\d+\.\d+)\s+(\d+\.\d+)$", re.M)


def summary(timings: dict) -> str:
    """Median and mean CPU milliseconds per request and per cycle."""
    per_cycle = [sum(values) for values in zip(*timings.values(), strict=True)]
    lines = [f"{'request':<8} {'median ms':>10} {'mean ms':>10}"]
    for name, values in (*timings.items(), ("cycle", per_cycle)):
        median, mean = 1000 * statistics.median(values), 1000 * statistics.fmean(values)
        lines.append(f"{name:<8} {median:>10.2f} {mean:>10.2f}")
    return "\n".join(lines)


def parse_arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=50, help="measured cycles")
    parser.add_argument("--warmup", type=int, default=5, help="cycles run first, not measured")
    parser.add_argument("--slug", default=DEFAULT_SLUG)
    parser.add_argument("--profile", action="store_true", help="print a cProfile top list")
    parser.add_argument("--top", type=int, default=40, help="functions in the top list")
    parser.add_argument("--sort", choices=["cumulative", "tottime"], default="cumulative")
    arguments = parser.parse_args(argv)
    if arguments.cycles < 1 or arguments.warmup < 0:
        parser.error("--cycles must be at least 1 and --warmup not negative")
    return arguments


def main(argv=None) -> int:
    arguments = parse_arguments(argv)
    profiler = cProfile.Profile() if arguments.profile else None
    timings = run(arguments.cycles, arguments.warmup, arguments.slug, profiler)
    print(
        f"{arguments.slug}: CPU per request over {arguments.cycles} cycles "
        f"(after {arguments.warmup} unmeasured){' under cProfile' if profiler else ''}"
    )
    print(summary(timings))
    if profiler:
        print()
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats(arguments.sort).print_stats(arguments.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
