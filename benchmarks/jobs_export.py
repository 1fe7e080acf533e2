"""A CSV export of N responses as a background job, and the site meanwhile (issue 14, item 6).

    .venv/bin/python -m benchmarks.jobs_export --sizes 100000 --backends sqlite,postgresql

For each backend and size, a database of its own is built and grown as in
``benchmarks/scale.py`` (generated, then copied in SQL), with the consultation
open. Then gunicorn serves the application (production settings) and one
``flask worker`` runs beside it, both on that database, the worker's queue in
a SQLite file. The questionnaire page is asked for by a few clients in a loop,
first with the worker idle (the baseline), then while the worker exports every
response to CSV as a job (``flask reports export --queue``, as an admin's
button does). Measured: the job's time and rows a second, the worker's peak
memory (``VmHWM``, the whole process: interpreter, libraries and the job), its
memory before the job, and the questionnaire's p50 and p99 idle and during the
export. The machine's load is written beside the table: on a shared machine the
page times say as much about the neighbours as about the export.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from . import common, scale
from .servers import Workers, serve
from .submissions import percentiles, server_environment

SLUG = scale.SLUG
PAGE_CLIENTS = 4
BASELINE_SECONDS = 10.0


def _status_kb(pid: int, field: str) -> int:
    """A memory figure of process ``pid`` from /proc (kB), 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class PageLoad:
    """Clients asking for the questionnaire page in a loop; each request's seconds."""

    def __init__(self, url: str, clients: int = PAGE_CLIENTS):
        self.url, self.clients = url, clients
        self.times: list[float] = []
        self.errors = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def _client(self):
        while not self._stop.is_set():
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(self.url, timeout=30) as reply:
                    reply.read()
                    ok = reply.status == 200
            except OSError:
                ok = False
            if ok:
                self.times.append(time.perf_counter() - started)
            else:
                self.errors += 1

    def __enter__(self):
        for _ in range(self.clients):
            thread = threading.Thread(target=self._client, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)


def open_consultation(env: dict, url: str, slug: str) -> None:
    """The questionnaire open for a year, on the real clock (``benchmarks/prepare_app.py``)."""
    closing = (datetime.now(UTC).date() + timedelta(days=365)).isoformat()
    subprocess.run(
        [sys.executable, "-m", "benchmarks.prepare_app", slug, closing],
        cwd=common.ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )


def skip_grouping(url: str, workdir: str, slug: str) -> None:
    """Record the campaign grouping as up to date, so the worker's minutely check does not
    start one beside the export: this benchmark measures the export alone (the grouping at
    scale is ``benchmarks/campaigns.py``'s)."""
    from consultation.campaigns import queries
    from consultation.campaigns.models import CampaignRun
    from consultation.consultations.queries import consultation_by_slug
    from consultation.extensions import db

    app = scale.make_app(url, workdir)
    with app.app_context():
        consultation = consultation_by_slug(slug)
        mark = queries.change_mark(consultation.id)
        run = db.session.get(CampaignRun, consultation.id)
        if run is None:
            run = CampaignRun(consultation_id=consultation.id, mark=mark)
            db.session.add(run)
        run.mark = mark
        db.session.commit()
        db.engine.dispose()


def job_row(url: str, job_id: int) -> dict:
    """The job's progress and outcome, read from the database as the admin page reads it."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                sa.text(
                    "SELECT progress_done, progress_total, started_at, finished_at, error,"
                    " result_size FROM jobs WHERE id = :id"
                ),
                {"id": job_id},
            ).one()
    finally:
        engine.dispose()
    return dict(row._mapping)


def other_jobs(url: str, job_id: int, since: datetime) -> list:
    """The kinds of the other jobs this worker started (after ``since``): they count in its
    peak."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT kind, started_at FROM jobs WHERE id != :id AND started_at IS NOT NULL"
                ),
                {"id": job_id},
            ).all()
    finally:
        engine.dispose()
    return sorted(row.kind for row in rows if _moment(row.started_at) >= since)


def _memory_profile(samples: list) -> dict | None:
    """The worker's resident memory during the export: at its first sample, its tenth of
    the way, its largest and its last (MB): flat memory means the last two near the first."""
    if not samples:
        return None
    return {
        "first": round(samples[0]),
        "tenth": round(samples[len(samples) // 10]),
        "max": round(max(samples)),
        "last": round(samples[-1]),
    }


def _moment(value) -> datetime:
    """A timestamp as read back (a datetime on PostgreSQL, its text on SQLite), naive UTC."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def measure(
    backend: str, url: str, folder: Path, size: int, baseline=BASELINE_SECONDS, first=True
) -> dict:
    """One export job of ``size`` responses with the page under load; the figures.

    ``first``: the database's first measurement, which opens the consultation (a second
    extension to the same day is refused).
    """
    folder.mkdir(parents=True, exist_ok=True)
    env = server_environment(url, folder)
    env.update(
        JOBS_QUEUE_FILE=str(folder / "jobs-queue.sqlite"),
        REPORT_FOLDER=str(folder / "reports"),
        FLASK_APP="consultation",
    )
    if first:
        open_consultation(env, url, SLUG)
    result = {"backend": backend, "size": size}
    log = folder / "worker.log"
    with serve("wsgi:app", env, Workers(2), folder / "gunicorn.log") as server:
        worker_started = datetime.now(UTC).replace(tzinfo=None)
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "worker", "--workers", "1"],
            cwd=common.ROOT,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120
            while "Worker " not in log.read_text(errors="replace"):
                if worker.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the worker did not start:\n{log.read_text()[-2000:]}")
                time.sleep(0.2)
            page = f"{server.base}/consultations/{SLUG}/respond"
            with PageLoad(page) as idle:
                time.sleep(baseline)
            result["idle"] = percentiles(idle.times)
            result["idle_errors"] = idle.errors
            result["worker_start_mb"] = _status_kb(worker.pid, "VmRSS") / 1024
            queued = subprocess.run(
                [sys.executable, "-m", "flask", "reports", "export", SLUG, "--queue"],
                cwd=common.ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
                timeout=300,
            )
            job_id = int(re.search(r"job (\d+)", queued.stdout).group(1))
            load_before = os.getloadavg()
            samples = []  # the worker's resident memory while the export runs (MB)
            with PageLoad(page) as during:
                while True:
                    row = job_row(url, job_id)
                    if row["finished_at"] is not None or worker.poll() is not None:
                        break
                    if row["started_at"] is not None:
                        samples.append(_status_kb(worker.pid, "VmRSS") / 1024)
                    time.sleep(0.5)
            result["load"] = (load_before, os.getloadavg())
            result["peak_mb"] = _status_kb(worker.pid, "VmHWM") / 1024
            result["export_mb"] = _memory_profile(samples)
            result["other_jobs"] = other_jobs(url, job_id, worker_started)
            result["during"] = percentiles(during.times)
            result["during_requests"] = len(during.times)
            result["during_errors"] = during.errors
            if row["error"] or row["finished_at"] is None:
                result["error"] = row["error"] or "the worker stopped"
            else:
                seconds = (_moment(row["finished_at"]) - _moment(row["started_at"])).total_seconds()
                result.update(
                    seconds=seconds,
                    rows=row["progress_done"],
                    bytes=row["result_size"],
                )
        finally:
            worker.terminate()
            worker.wait(timeout=60)
    return result


def run(sizes, backends, pg_url, workdir=None, generate_up_to=scale.GENERATE_UP_TO, baseline=None):
    """The measurement at every size on every backend; a list of result rows."""
    results = []
    for backend in backends:
        with tempfile.TemporaryDirectory(dir=workdir) as name:
            folder = Path(name)
            with scale.database(backend, name, pg_url, keep=False) as url:
                print(f"\n{backend}: building the schema", flush=True)
                scale.prepare(url, name, SLUG)
                have = 0
                for size in sorted(sizes):
                    short = scale.disk_shortfall(backend, name, url, size - have)
                    if short:
                        print(f"{backend}: {size:,} left out: {short}", flush=True)
                        results.append({"backend": backend, "size": size, "skipped": short})
                        break
                    print(f"{backend}: growing to {size:,} responses", flush=True)
                    if size <= generate_up_to:
                        scale.grow(url, name, SLUG, size)
                    else:
                        scale.grow(url, name, SLUG, min(size, generate_up_to))
                        scale.multiply(url, name, SLUG, size)
                    have = size
                    skip_grouping(url, name, SLUG)
                    print(f"{backend} {size:,}: CSV export as a job", flush=True)
                    outcome = measure(
                        backend,
                        url,
                        folder / f"run-{size}",
                        size,
                        baseline or BASELINE_SECONDS,
                        first=not results or results[-1]["backend"] != backend,
                    )
                    print(f"    {json.dumps(outcome, default=str)}", flush=True)
                    results.append(outcome)
    return results


def _ms(values, index):
    return None if not values or values[index] is None else round(values[index])


def report(results: list[dict]) -> str:
    """The results as one Markdown table."""
    headers = [
        "backend",
        "responses",
        "export s",
        "rows/s",
        "worker peak MB",
        "worker idle MB",
        "export MB: start / 10 % / max / end",
        "page p50 idle ms",
        "page p99 idle ms",
        "page p50 during ms",
        "page p99 during ms",
        "requests during",
        "load (1 min) before / after",
        "note",
    ]
    rows = []
    for outcome in results:
        if "skipped" in outcome:
            rows.append([outcome["backend"], outcome["size"]] + [None] * 11)
            rows[-1].append(f"left out: {outcome['skipped']}")
            continue
        load = outcome.get("load")
        note = f"failed: {outcome['error']}" if "error" in outcome else ""
        errors = outcome.get("idle_errors", 0) + outcome.get("during_errors", 0)
        if errors:
            note += f" {errors} page errors"
        if outcome.get("other_jobs"):
            note += " other jobs in the worker: " + ", ".join(outcome["other_jobs"])
        memory = outcome.get("export_mb")
        seconds = outcome.get("seconds")
        rows.append(
            [
                outcome["backend"],
                outcome["size"],
                seconds,
                round(outcome["rows"] / seconds) if seconds else None,
                round(outcome["peak_mb"]),
                round(outcome["worker_start_mb"]),
                " / ".join(str(memory[key]) for key in ("first", "tenth", "max", "last"))
                if memory
                else None,
                _ms(outcome["idle"], 0),
                _ms(outcome["idle"], 2),
                _ms(outcome["during"], 0),
                _ms(outcome["during"], 2),
                outcome["during_requests"],
                f"{load[0][0]:.2f} / {load[1][0]:.2f}" if load else None,
                note.strip(),
            ]
        )
    return common.table(headers, rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_DATABASE_URL", scale.DEFAULT_PG))
    parser.add_argument("--workdir", help="where the SQLite file and the export go (default /tmp)")
    parser.add_argument("--generate-up-to", type=int, default=10_000)
    parser.add_argument("--section", default="jobs", help="its name in RESULTS.md")
    parser.add_argument("--no-results", action="store_true", help="do not write RESULTS.md")
    arguments = parser.parse_args(argv)
    os.chdir(common.ROOT)
    sizes = [int(size) for size in arguments.sizes.split(",")]
    backends = [backend.strip() for backend in arguments.backends.split(",")]
    if "postgresql" in backends and not common.postgres_version(arguments.pg_url):
        print(f"PostgreSQL is not reachable at {arguments.pg_url}: measuring SQLite only")
        backends = [backend for backend in backends if backend != "postgresql"]
    started, load_before = time.perf_counter(), os.getloadavg()
    results = run(sizes, backends, arguments.pg_url, arguments.workdir, arguments.generate_up_to)
    body = report(results)
    print("\n" + body)
    if not arguments.no_results:
        machine = "\n".join(common.machine(arguments.pg_url if "postgresql" in backends else None))
        common.write_section(
            arguments.section,
            f"A CSV export as a job, and the questionnaire meanwhile ({arguments.section})",
            f"{machine}\n\nConsultation `{SLUG}`, personal CSV export run by one `flask worker`"
            " (a thread) beside gunicorn (2 sync workers) on the same machine;"
            f" {PAGE_CLIENTS} clients ask for the questionnaire page in a loop,"
            f" {BASELINE_SECONDS:.0f} s with the worker idle, then while the export runs."
            " Worker memory is the whole process (VmRSS idle, VmHWM peak)."
            f" Load average (1, 5, 15 min): {scale._load(load_before)} before,"
            f" {scale._load(os.getloadavg())} after;"
            f" {time.perf_counter() - started:.0f} s in all.\n\n{body}\n",
        )
    if any("error" in outcome for outcome in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
