"""Report, export and admin-list times at scale, on SQLite and PostgreSQL (issue 6, item 3).

    .venv/bin/python -m benchmarks.scale --sizes 10000,100000 --backends sqlite,postgresql

For each backend a database of its own is built with the migrations (a
temporary SQLite file; a PostgreSQL database created for the run and dropped
after it, so the shared ``test`` database is never touched), then grown to
each size in turn with the demo generator. At each size every operation runs
in a fresh Python process, so that its peak memory (the process's maximum
resident set, interpreter and libraries included) is its own:

- the summary PDF (SQL figures and WeasyPrint);
- the CSV and XLSX exports with personal data (the larger variant);
- the admin list of responses, first page and a page filtered by respondent
  type and country (median of five requests after one warm-up, through the
  signed-in admin area with the test client: the full view, template included).
"""

import argparse
import contextlib
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

from . import common

SLUG = "data-union-strategy"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
OPERATIONS = {
    "summary": "summary PDF",
    "csv": "CSV export",
    "xlsx": "XLSX export",
    "list": "admin list, first page",
    "list_filtered": "admin list, filtered",
    # The campaign grouping (the job's work), then what reads its groups.
    "grouping": "campaign grouping",
    "campaigns": "admin campaigns page",
    "summary_grouped": "summary PDF, campaigns grouped",
}
ADMIN = "bench-admin@example.org"
PASSWORD = "benchmark password 12345"
GENERATE_UP_TO = 100_000
#: Responses copied per round (and per transaction) when a database is grown by copying.
COPY_CHUNK = 100_000
LIST_FILTER = "?respondent_type=company&country=DE"


# -- the application, inside a benchmark process ---------------------------------------
def make_app(url: str, workdir: str):
    """The application on ``url``, with the testing settings (no rate limits)."""
    os.environ.setdefault("INSTANCE_PATH", workdir)
    from config import TestingConfig
    from consultation import create_app

    class BenchConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        UPLOAD_FOLDER = f"{workdir}/uploads"

    return create_app(BenchConfig)


def prepare(url: str, workdir: str, slug: str) -> None:
    """Build the schema, load the questionnaires and create the analyst who reads the admin
    pages (an analyst: no second factor to enrol, and reading is all the benchmark does)."""
    from flask_migrate import upgrade

    from consultation.audit.operations import Actor
    from consultation.auth.operations import create_user, user_by_email
    from consultation.consultations.operations import load_definition
    from consultation.extensions import db
    from consultation.questionnaires.loader import definition_files, parse_file

    app = make_app(url, workdir)
    with app.app_context():
        upgrade(directory=str(common.ROOT / "migrations"))
        for path in definition_files():
            load_definition(parse_file(path), source=path)
        if user_by_email(ADMIN) is None:
            create_user(ADMIN, "analyst", PASSWORD, Actor("benchmark"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def grow(url: str, workdir: str, slug: str, size: int, progress=print) -> float:
    """Add generated responses until the consultation holds ``size``; the seconds it took."""
    from consultation.consultations.queries import consultation_by_slug
    from consultation.extensions import db
    from consultation.reports import generate

    app = make_app(url, workdir)
    with app.app_context():
        consultation = consultation_by_slug(slug)
        have = generate.response_count(consultation)
        started = time.perf_counter()
        while have < size:
            step = min(50_000, size - have)
            generate.generate_responses(
                consultation, step, seed=have, upload_folder=f"{workdir}/uploads"
            )
            db.session.commit()
            have += step
            progress(f"  {have:,} / {size:,} responses")
        elapsed = time.perf_counter() - started
        db.session.commit()
        tidy(db.engine)
        db.session.remove()
        db.engine.dispose()
    return elapsed


def multiply(url: str, workdir: str, slug: str, size: int, progress=print) -> float:
    """Copy the responses already there (with their answers and files) until there are ``size``.

    Generating a million responses one by one in Python takes most of an hour on
    this machine; copying them in SQL takes a minute or two. Each copy gets new
    ids, references and submission tokens, and ready export lines to match
    (``_copy_lines``); the answer tallies are recounted at the end. So every
    figure is computed as for real data; the distributions are those of the
    generated base, and every generated text
    appears once per copy (which the campaign section of the summary shows).
    """
    from sqlalchemy import String, cast, insert, literal, select

    from consultation.consultations.queries import consultation_by_slug
    from consultation.extensions import db
    from consultation.reports import generate, tallies
    from consultation.responses.models import Answer, Response, Upload

    app = make_app(url, workdir)
    started = time.perf_counter()
    with app.app_context():
        consultation = consultation_by_slug(slug)
        responses, answers, uploads = Response.__table__, Answer.__table__, Upload.__table__
        mine = responses.c.consultation_id == consultation.id
        base_first, base_last = db.session.execute(
            select(db.func.min(responses.c.id), db.func.max(responses.c.id)).where(mine)
        ).one()
        have = generate.response_count(consultation)
        start = base_first  # each round copies the next COPY_CHUNK ids of the base, in turn
        while have < size:
            top = db.session.scalar(select(db.func.max(responses.c.id)))
            offset = top - start + 1
            last = min(base_last, start + min(size - have, COPY_CHUNK) - 1)
            in_base = responses.c.id.between(start, last)

            def copied(table, column, *, _offset=offset):
                if column.name in ("id",) and table is responses:
                    return column + _offset
                if column.name == "response_id":
                    return column + _offset
                if column.name == "reference":
                    return literal("COPY-") + cast(responses.c.id + _offset, String)
                if column.name == "submission_token":
                    return literal("copy-") + cast(responses.c.id + _offset, String)
                if column.name == "public_id" and table is responses:  # unique, like the reference
                    return literal("c") + cast(responses.c.id + _offset, String)
                if column.name == "stored_name":
                    return literal(f"c{_offset}-") + column
                if column.name in ("edit_token_hash", "receipt_token_hash"):
                    return literal(None, String)
                return column

            for table, where in (
                (responses, in_base),
                (answers, answers.c.response_id.between(start, last)),
                (uploads, uploads.c.response_id.between(start, last)),
            ):
                names = [
                    c.name for c in table.columns if not (c.name == "id" and table is not responses)
                ]
                db.session.execute(
                    insert(table).from_select(
                        names,
                        select(*[copied(table, table.c[name]) for name in names]).where(where),
                    )
                )
            _copy_lines(responses, start, last, offset)
            db.session.commit()  # a round a transaction: the WAL (and any rollback) stays small
            start = last + 1 if last < base_last else base_first
            have = generate.response_count(consultation)
            progress(f"  {have:,} / {size:,} responses (copied)")
        tallies.rebuild(consultation)
        if db.engine.dialect.name == "postgresql":
            db.session.execute(
                db.text(
                    "SELECT setval(pg_get_serial_sequence('responses', 'id'), max(id))"
                    " FROM responses"
                )
            )
        db.session.commit()
        tidy(db.engine)
        db.session.remove()
        db.engine.dispose()
    return time.perf_counter() - started


def _copy_lines(responses, first, last, offset) -> None:
    """Copy the ready export lines of responses ``first``..``last`` to their copies.

    A line's first field is the reference (personal) or the id (public), never
    quoted (letters, digits and dashes), so the copy's line is the original's
    with that field replaced; the smoke test compares the result with lines
    built from the answers.
    """
    from sqlalchemy import String, cast, func, insert, literal, select

    from consultation.extensions import db
    from consultation.reports.models import ExportLine

    lines = ExportLine.__table__
    new_id = lines.c.response_id + offset
    rest_personal = func.substr(lines.c.personal, func.length(responses.c.reference) + 1)
    rest_public = func.substr(lines.c.public, func.length(cast(lines.c.response_id, String)) + 1)
    db.session.execute(
        insert(lines).from_select(
            ["response_id", "layout", "personal", "public"],
            select(
                new_id,
                lines.c.layout,
                literal("COPY-") + cast(new_id, String) + rest_personal,
                cast(new_id, String) + rest_public,
            )
            .join(responses, responses.c.id == lines.c.response_id)
            .where(lines.c.response_id.between(first, last)),
        )
    )


def tidy(engine) -> None:
    """What the database does by itself after a bulk load: statistics (and on PostgreSQL,
    the visibility map that index-only scans need, which autovacuum would set)."""
    from sqlalchemy import text

    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(
            text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
        )


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(url: str, workdir: str, slug: str, operation: str) -> dict:
    """Run one operation in this process; its time, rows and this process's peak memory."""
    from consultation.consultations.queries import consultation_by_slug
    from consultation.extensions import db
    from consultation.reports import export, pdf

    app = make_app(url, workdir)
    result = {"operation": operation}
    with app.app_context():
        consultation = consultation_by_slug(slug)
        result["rows"] = export.export_count(consultation)
        result["baseline_mb"] = _rss_mb()
        started = time.perf_counter()
        if operation in ("summary", "summary_grouped"):
            result["bytes"] = len(pdf.summary_pdf(consultation))
        elif operation == "grouping":
            from consultation.campaigns.operations import regroup

            found = regroup(consultation, progress=db.session.commit)
            db.session.commit()
            result["groups"] = found["groups"]
        elif operation == "csv":
            with open(os.devnull, "w", encoding="utf-8") as sink:
                for chunk in export.iter_csv(consultation, personal=True):
                    sink.write(chunk)
        elif operation == "xlsx":
            with tempfile.TemporaryFile(dir=workdir) as sink:
                export.write_xlsx(consultation, True, sink)
                result["bytes"] = sink.tell()
        elif operation in ("list", "list_filtered"):
            result.update(
                _time_list(app, slug, LIST_FILTER if operation == "list_filtered" else "")
            )
        elif operation == "campaigns":
            result.update(_time_page(app, f"/admin/consultations/{slug}/campaigns"))
        else:
            raise SystemExit(f"unknown operation {operation!r}")
        result.setdefault("seconds", time.perf_counter() - started)
    result["peak_mb"] = _rss_mb()
    return result


def _time_list(app, slug: str, query: str) -> dict:
    """The admin list page through the signed-in view: median of five after a warm-up."""
    return _time_page(app, f"/admin/consultations/{slug}/responses{query}")


def _time_page(app, url: str) -> dict:
    """An admin page through the signed-in view: median of five after a warm-up."""
    client = app.test_client()
    page = client.get("/admin/sign-in").get_data(as_text=True)
    token = page.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    signed = client.post(
        "/admin/sign-in", data={"email": ADMIN, "password": PASSWORD, "csrf_token": token}
    )
    assert signed.status_code == 302, f"sign-in failed: {signed.status_code}"
    times = []
    for _ in range(6):
        started = time.perf_counter()
        answer = client.get(url)
        answer.get_data()
        times.append(time.perf_counter() - started)
        assert answer.status_code == 200, f"{url}: {answer.status_code}"
    return {"seconds": statistics.median(times[1:]), "first_seconds": times[0]}


# -- the run: databases, sizes, a process per measurement -------------------------------
@contextlib.contextmanager
def database(backend: str, workdir: str, pg_url: str, keep: bool):
    """A fresh database URL for ``backend``, removed afterwards unless ``keep``."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir}/bench.sqlite"
        return
    import psycopg

    name = f"bench_scale_{uuid.uuid4().hex[:8]}"
    admin_dsn = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base = pg_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        if keep:
            print(f"kept PostgreSQL database {name}")
        else:
            with psycopg.connect(admin_dsn, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_measurement(url: str, workdir: str, slug: str, operation: str) -> dict:
    """``measure`` in a new Python process, so that its peak memory is its own."""
    command = [sys.executable, "-m", "benchmarks.scale", "--measure", operation]
    command += ["--url", url, "--workdir", workdir, "--slug", slug]
    done = subprocess.run(
        command, cwd=common.ROOT, capture_output=True, text=True, check=False, timeout=3600
    )
    if done.returncode != 0:
        return {"operation": operation, "error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


#: Disk a response takes with its answers, indexes, export lines and tallies: about 6.5 GB
#: a million on either database on the benchmark machine; a quarter more is kept free.
BYTES_PER_RESPONSE = 6_500
DISK_MARGIN = 1.25


def free_bytes(backend: str, folder: str, url: str) -> int:
    """Free space where ``backend`` keeps its data: the SQLite file's folder, or PostgreSQL's
    data directory (the folder's file system when the server does not say)."""
    path = folder
    if backend == "postgresql":
        import psycopg

        try:
            dsn = url.replace("postgresql+psycopg://", "postgresql://")
            with psycopg.connect(dsn) as connection:
                path = connection.execute("SHOW data_directory").fetchone()[0]
        except (psycopg.Error, TypeError):
            path = folder
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return shutil.disk_usage(folder).free


def disk_shortfall(backend: str, folder: str, url: str, more: int) -> str | None:
    """Why ``more`` responses would not fit on the disk, or None when they would."""
    needed = int(max(more, 0) * BYTES_PER_RESPONSE * DISK_MARGIN)
    free = free_bytes(backend, folder, url)
    if needed <= free:
        return None
    return f"needs about {needed / 1e9:.0f} GB of disk, {free / 1e9:.0f} GB free"


def run(
    sizes,
    backends,
    slug,
    pg_url,
    keep=False,
    workdir=None,
    operations=OPERATIONS,
    generate_up_to=GENERATE_UP_TO,
    skip=(),
):
    """Every operation at every size on every backend; a list of result rows.

    Sizes up to ``generate_up_to`` are generated, larger ones copied (``multiply``).
    ``skip`` holds (operation, smallest size at which it is left out).
    """
    results = []
    for backend in backends:
        with tempfile.TemporaryDirectory(dir=workdir) as folder:
            with database(backend, folder, pg_url, keep) as url:
                print(f"\n{backend}: building the schema", flush=True)
                prepare(url, folder, slug)
                have = 0
                for size in sorted(sizes):
                    short = disk_shortfall(backend, folder, url, size - have)
                    if short:
                        print(f"{backend}: {size:,} left out: {short}", flush=True)
                        results.append({"backend": backend, "size": size, "skipped": short})
                        break
                    print(f"{backend}: growing to {size:,} responses", flush=True)
                    have = size
                    if size <= generate_up_to:
                        seconds = grow(url, folder, slug, size)
                    else:  # generated up to the limit (if not yet: a first size above it)
                        seconds = grow(url, folder, slug, generate_up_to)
                        seconds += multiply(url, folder, slug, size)
                    print(f"    {seconds:.0f} s", flush=True)
                    for operation in operations:
                        if any(operation == name and size >= at for name, at in skip):
                            continue
                        print(f"{backend} {size:,}: {OPERATIONS[operation]}", flush=True)
                        outcome = run_measurement(url, folder, slug, operation)
                        outcome.update(backend=backend, size=size, generate_seconds=seconds)
                        print(f"    {_summary_line(outcome)}", flush=True)
                        results.append(outcome)
    return results


def _summary_line(outcome: dict) -> str:
    if "error" in outcome:
        return f"FAILED: {outcome['error']}"
    rate = _rate(outcome)
    extra = f", {rate:,.0f} rows/s" if rate else ""
    return f"{outcome['seconds']:.3f} s, peak {outcome['peak_mb']:.0f} MB{extra}"


def _rate(outcome: dict):
    if outcome.get("operation") in ("csv", "xlsx") and outcome.get("seconds"):
        return round(outcome["rows"] / outcome["seconds"])
    return None


def report(results: list[dict]) -> str:
    """The results as one Markdown table."""
    headers = [
        "backend",
        "responses",
        "operation",
        "seconds",
        "rows/s",
        "peak MB",
        "at start MB",
        "note",
    ]
    rows = []
    for outcome in results:
        if "skipped" in outcome:
            rows.append([outcome["backend"], outcome["size"], "all"] + [None] * 4)
            rows[-1].append(f"left out: {outcome['skipped']}")
            continue
        if "error" in outcome:
            rows.append([outcome["backend"], outcome["size"], outcome["operation"]] + [None] * 4)
            rows[-1].append(f"failed: {outcome['error']}")
            continue
        note = ""
        if "first_seconds" in outcome:
            note = f"first request {outcome['first_seconds'] * 1000:.0f} ms"
        if "groups" in outcome:
            note = f"{outcome['groups']:,} groups"
        rows.append(
            [
                outcome["backend"],
                outcome["size"],
                OPERATIONS[outcome["operation"]],
                outcome["seconds"],
                _rate(outcome),
                round(outcome["peak_mb"]),
                round(outcome["baseline_mb"]),
                note,
            ]
        )
    return common.table(headers, rows)


def _load(averages) -> str:
    return " ".join(f"{value:.2f}" for value in averages)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--slug", default=SLUG)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--workdir", help="where the SQLite file and exports go (default /tmp)")
    parser.add_argument("--operations", default=",".join(OPERATIONS), help="which to measure")
    parser.add_argument(
        "--generate-up-to",
        type=int,
        default=GENERATE_UP_TO,
        help="generate up to this many responses; copy them in SQL beyond",
    )
    parser.add_argument(
        "--xlsx-up-to", type=int, help="leave the XLSX export out above this size (it is slow)"
    )
    parser.add_argument("--section", default="scale", help="its name in RESULTS.md")
    parser.add_argument("--no-results", action="store_true", help="do not write RESULTS.md")
    parser.add_argument("--measure", choices=list(OPERATIONS), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    os.chdir(common.ROOT)
    # Stopped from outside, still remove the temporary databases (``finally`` blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    if arguments.measure:  # inside the process run_measurement started
        outcome = measure(arguments.url, arguments.workdir, arguments.slug, arguments.measure)
        print(json.dumps(outcome))
        return

    sizes = [int(size) for size in arguments.sizes.split(",")]
    backends = [backend.strip() for backend in arguments.backends.split(",")]
    if "postgresql" in backends and not common.postgres_version(arguments.pg_url):
        print(f"PostgreSQL is not reachable at {arguments.pg_url}: measuring SQLite only")
        backends = [backend for backend in backends if backend != "postgresql"]
    started, load_before = time.perf_counter(), os.getloadavg()
    operations = [operation.strip() for operation in arguments.operations.split(",")]
    results = run(
        sizes,
        backends,
        arguments.slug,
        arguments.pg_url,
        arguments.keep,
        arguments.workdir,
        operations,
        arguments.generate_up_to,
        [("xlsx", arguments.xlsx_up_to + 1)] if arguments.xlsx_up_to else [],
    )
    body = report(results)
    print("\n" + body)
    print(f"\n{time.perf_counter() - started:.0f} s in all")
    if not arguments.no_results:
        machine = "\n".join(common.machine(arguments.pg_url if "postgresql" in backends else None))
        common.write_section(
            arguments.section,
            f"Reports, exports and the admin list at scale ({arguments.section})",
            f"{machine}\n\nConsultation `{arguments.slug}`; sizes up to"
            f" {arguments.generate_up_to:,} generated, larger ones copied in SQL"
            " (see `benchmarks/scale.py`). Load average"
            f" (1, 5, 15 min): {_load(load_before)} before, {_load(os.getloadavg())} after;"
            f" {time.perf_counter() - started:.0f} s in all.\n\n{body}\n",
        )
    if any("error" in outcome for outcome in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
