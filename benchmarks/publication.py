"""Published contributions at scale: the public pages, the API pages and the JSON Lines file
(issue 15, item 6).

    .venv/bin/python -m benchmarks.publication --sizes 100000 --backends sqlite,postgresql

For each backend a fresh database is built and grown as ``benchmarks/scale.py``
does (generated up to ``--generate-up-to``, copied in SQL beyond), then every
contribution is published as a moderator would after reading it (its free texts
approved as written: ``item_reviews`` rows, the moderation column set) in SQL.
Then, in a fresh process each:

- pages (server time: the whole view, template included, through the test client;
  the median of seven requests after one warm-up): the public list's first page
  and a filtered page (respondent type and country), the API's first page, a
  filtered API page and a deep API page (a cursor 90% down the list), with the
  counts beside the filters kept a minute as deployed; and the first page with
  those counts recounted at every request (the first request of each minute);
- the JSON Lines bulk file, streamed to nowhere: first live (built from the
  records as it streams, read for its first ``LIVE_ROWS``; that request queues the
  job that prepares the file),
  then the job, then the prepared file served; rows per second and the process's
  peak memory against its memory before the file started (flat memory: the peak
  does not grow with the size).

The goals (issue 15): every page under 100 ms of server time at 1,000,000
published contributions, the bulk file at 50,000 rows a second or more.
"""

import argparse
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from . import common, scale

SLUG = scale.SLUG
PAGES = {
    "public_first": ("public list, first page", "/consultations/{slug}/contributions"),
    "public_filtered": (
        "public list, filtered",
        "/consultations/{slug}/contributions?respondent_type=company&country=DE",
    ),
    "api_first": ("API, first page", "/api/v1/consultations/{slug}/contributions"),
    "api_filtered": (
        "API, filtered",
        "/api/v1/consultations/{slug}/contributions?userType=company&country=DE",
    ),
    "api_deep": ("API, deep cursor (90%)", "/api/v1/consultations/{slug}/contributions?cursor="),
    # The first page again as the first request of each minute in each process makes it
    # (``publishing.facets``): with the counts the workers keep, then with no worker running
    # (the counts recounted by the request).
    "public_stored": (
        "public list, counts as the workers kept them",
        "/consultations/{slug}/contributions",
    ),
    "public_recount": (
        "public list, no worker: counts recounted",
        "/consultations/{slug}/contributions",
    ),
}
BULK = "bulk_jsonl"
REPEATS = 7


def publish_all(url: str, workdir: str, slug: str) -> float:
    """Every contribution cleared by a moderator, in SQL: its texts approved as written."""
    from sqlalchemy import insert, literal, select, update

    from consultation import clock
    from consultation.consultations.queries import consultation_by_slug
    from consultation.extensions import db
    from consultation.publishing import rules
    from consultation.publishing.models import ItemReview
    from consultation.responses.models import Answer, Response

    app = scale.make_app(url, workdir)
    started = time.perf_counter()
    with app.app_context():
        consultation = consultation_by_slug(slug)
        texts, _files = rules.reviewed_questions(consultation)
        ids = [record_id for record_id, _question in texts]
        reviews = ItemReview.__table__
        done = db.session.execute(select(ItemReview.answer_id)).first()
        if done is None:
            now = clock.now_utc()
            answers = Answer.__table__
            db.session.execute(
                insert(reviews).from_select(
                    [
                        "response_id",
                        "answer_id",
                        "state",
                        "public_text",
                        "decided_by",
                        "decided_at",
                    ],
                    select(
                        answers.c.response_id,
                        answers.c.id,
                        literal("approved"),
                        answers.c.text_value,
                        literal("benchmark"),
                        literal(now, ItemReview.decided_at.type),
                    ).where(answers.c.question_id.in_(ids), answers.c.text_value.is_not(None)),
                )
            )
        db.session.execute(
            update(Response)
            .where(Response.consultation_id == consultation.id)
            .values(moderation="approved")
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        scale.tidy(db.engine)
        db.session.remove()
        db.engine.dispose()
    return time.perf_counter() - started


def _pages(url: str, workdir: str, slug: str) -> dict:
    """The median server time of each page, in ms, in this process."""

    from consultation.consultations.queries import consultation_by_slug
    from consultation.extensions import db
    from consultation.publishing import facets, queries
    from consultation.responses.models import Response

    app = scale.make_app(url, workdir)
    found = {}
    with app.app_context():
        consultation = consultation_by_slug(slug)
        total = db.session.scalar(
            queries.published_select(consultation).with_only_columns(db.func.count())
        )
        deep = db.session.execute(
            queries.published_select(consultation)
            .with_only_columns(Response.submitted_at, Response.id)
            .order_by(Response.submitted_at.desc(), Response.id.desc())
            .offset(int(total * 0.9))
            .limit(1)
        ).first()
        cursor = queries.encode_cursor(*deep) if deep else ""
        started = time.perf_counter()
        queries.refresh_filter_counts()  # what a worker does each minute
        db.session.commit()
        found["worker_count_ms"] = (time.perf_counter() - started) * 1000
        db.session.remove()
    found["published"] = total
    client = app.test_client()
    for name, (_label, path) in PAGES.items():
        # As deployed: the counts kept a minute (the testing settings count every time).
        app.config["FACET_CACHE_SECONDS"] = 0 if name == "public_recount" else 60
        target = path.format(slug=slug) + (cursor if name == "api_deep" else "")
        times, status = [], None
        for _ in range(REPEATS + 1):
            if name == "public_stored":
                facets.forget()  # each request the first of its minute in its process
            started = time.perf_counter()
            answer = client.get(target)
            answer.get_data()
            times.append(time.perf_counter() - started)
            status = answer.status_code
        found[name] = (
            {"ms": statistics.median(times[1:]) * 1000, "first_ms": times[0] * 1000}
            if status == 200
            else {"error": f"HTTP {status}"}
        )
    return found


def _stream(client, path, limit=None) -> tuple[int, float]:
    """Rows of a JSON Lines answer read to its end (or to ``limit`` rows), and the seconds."""
    started = time.perf_counter()
    answer = client.get(path, buffered=False)
    rows = 0
    for chunk in answer.response:
        rows += (chunk if isinstance(chunk, bytes) else chunk.encode()).count(b"\n")
        if limit and rows >= limit:
            break
    answer.close()
    return rows, time.perf_counter() - started


#: The live stream (the file built as it is sent, before its job prepares it) is read this
#: far: its rate is the same further on, and at a million rows it would take many minutes.
LIVE_ROWS = 100_000


def _bulk(url: str, workdir: str, slug: str) -> dict:
    """The JSON Lines file streamed to nowhere, live (built from the records as it goes), then
    prepared by its job, then served prepared: rows, seconds and memory, in this process."""
    from consultation.jobs.queue import queue_of

    app = scale.make_app(url, workdir)
    client = app.test_client()
    client.get(f"/api/v1/consultations/{slug}")  # the application warmed up
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    path = f"/api/v1/consultations/{slug}/contributions.jsonl"
    rows, seconds = _stream(client, path, LIVE_ROWS)  # live; it queues the preparing job
    live_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    with app.app_context():
        queue_of(app).run_pending()
    prepare_seconds = time.perf_counter() - started
    served_rows, served_seconds = _stream(client, path)
    return {
        "rows": rows,
        "seconds": seconds,
        "baseline_mb": before,
        "peak_mb": live_peak,
        "prepare_seconds": prepare_seconds,
        "served_rows": served_rows,
        "served_seconds": served_seconds,
        "served_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure(url: str, workdir: str, slug: str, what: str) -> dict:
    return _bulk(url, workdir, slug) if what == BULK else _pages(url, workdir, slug)


def in_process(url: str, workdir: str, slug: str, what: str) -> dict:
    command = [sys.executable, "-m", "benchmarks.publication", "--measure", what]
    command += ["--url", url, "--workdir", workdir, "--slug", slug]
    done = subprocess.run(
        command, cwd=common.ROOT, capture_output=True, text=True, check=False, timeout=7200
    )
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(sizes, backends, slug, pg_url, workdir=None, generate_up_to=scale.GENERATE_UP_TO):
    results = []
    for backend in backends:
        with tempfile.TemporaryDirectory(dir=workdir) as folder:
            with scale.database(backend, folder, pg_url, False) as url:
                print(f"\n{backend}: building the schema", flush=True)
                scale.prepare(url, folder, slug)
                have = 0
                for size in sorted(sizes):
                    short = scale.disk_shortfall(backend, folder, url, size - have)
                    if short:
                        results.append({"backend": backend, "size": size, "skipped": short})
                        break
                    print(f"{backend}: growing to {size:,} responses", flush=True)
                    have = size
                    if size <= generate_up_to:
                        scale.grow(url, folder, slug, size)
                    else:  # generated up to the limit (if not yet), copied beyond
                        scale.grow(url, folder, slug, min(size, generate_up_to))
                        scale.multiply(url, folder, slug, size)
                    print(f"{backend}: publishing them", flush=True)
                    publish_all(url, folder, slug)
                    pages = in_process(url, folder, slug, "pages")
                    bulk = in_process(url, folder, slug, BULK)
                    row = {"backend": backend, "size": size, "pages": pages, "bulk": bulk}
                    print(f"    {json.dumps(row)}", flush=True)
                    results.append(row)
    return results


def report(results) -> str:
    headers = ["backend", "responses", "published", *(PAGES[n][0] + " ms" for n in PAGES)]
    headers += [
        "workers' count ms",
        "JSONL live rows/s",
        "JSONL prepared rows/s",
        "JSONL job s",
        "peak MB live / prepared (at start)",
    ]
    rows = []
    for item in results:
        if "skipped" in item:
            rows.append([item["backend"], item["size"]] + [None] * (len(headers) - 3))
            rows[-1].append(f"left out: {item['skipped']}")
            continue
        pages, bulk = item["pages"], item["bulk"]
        cells = [item["backend"], item["size"], pages.get("published")]
        for name in PAGES:
            found = pages.get(name, {})
            cells.append(round(found["ms"], 1) if "ms" in found else found.get("error", "failed"))
        counted = pages.get("worker_count_ms")
        cells.append(round(counted) if counted is not None else None)
        if "error" in bulk:
            cells += [bulk["error"], None, None, None]
        else:
            cells.append(round(bulk["rows"] / bulk["seconds"]) if bulk["seconds"] else None)
            served = bulk.get("served_seconds")  # absent: measured before files were prepared
            cells.append(round(bulk["served_rows"] / served) if served else None)
            prepare = bulk.get("prepare_seconds")
            cells.append(round(prepare, 1) if prepare is not None else None)
            after = f"{bulk['served_peak_mb']:.0f}" if served else "–"
            cells.append(f"{bulk['peak_mb']:.0f} / {after} ({bulk['baseline_mb']:.0f})")
        rows.append(cells)
    return common.table(headers, rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--slug", default=SLUG)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_DATABASE_URL", scale.DEFAULT_PG))
    parser.add_argument("--workdir")
    parser.add_argument("--generate-up-to", type=int, default=scale.GENERATE_UP_TO)
    parser.add_argument("--section", default="publication")
    parser.add_argument("--no-results", action="store_true")
    parser.add_argument("--measure", choices=["pages", BULK], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    os.chdir(common.ROOT)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if arguments.measure:
        print(
            json.dumps(measure(arguments.url, arguments.workdir, arguments.slug, arguments.measure))
        )
        return
    sizes = [int(size) for size in arguments.sizes.split(",")]
    backends = [backend.strip() for backend in arguments.backends.split(",")]
    if "postgresql" in backends and not common.postgres_version(arguments.pg_url):
        print(f"PostgreSQL is not reachable at {arguments.pg_url}: measuring SQLite only")
        backends = [b for b in backends if b != "postgresql"]
    started, load_before = time.perf_counter(), os.getloadavg()
    results = run(
        sizes,
        backends,
        arguments.slug,
        arguments.pg_url,
        arguments.workdir,
        arguments.generate_up_to,
    )
    body = report(results)
    print("\n" + body)
    if not arguments.no_results:
        machine = "\n".join(common.machine(arguments.pg_url if "postgresql" in backends else None))
        load = " ".join(f"{v:.2f}" for v in load_before)
        after = " ".join(f"{v:.2f}" for v in os.getloadavg())
        common.write_section(
            arguments.section,
            f"Published contributions at scale ({arguments.section})",
            f"{machine}\n\nConsultation `{arguments.slug}`, every contribution published"
            " (see `benchmarks/publication.py`); times are server times in ms (median of"
            f" {REPEATS} after a warm-up). Goals: every page under 100 ms at 1,000,000, the"
            f" JSON Lines file at 50,000 rows/s or more with flat memory. Load average (1, 5,"
            f" 15 min): {load} before, {after} after; {time.perf_counter() - started:.0f} s"
            f" in all.\n\n{body}\n",
        )
    failed = [r for r in results if "error" in r.get("bulk", {})]
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
