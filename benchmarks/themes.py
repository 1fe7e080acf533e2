"""The CSV export with and without codes, and theme finding, at scale (issue 16, item 3).

    .venv/bin/python -m benchmarks.themes --sizes 1000000 --backends sqlite

Codes are not kept in the ready CSV lines: they are appended as the file is
written (``consultation/themes/export.py``). This measures what that costs: the
personal CSV export of a consultation, then the same after a codebook of five
codes is added to its last free-text question and ticked on one answer in five,
each in a fresh process (as ``benchmarks.scale`` does). It also times finding
the themes of that question (the job's work, in one process, with its peak
memory). The database is built as ``benchmarks.scale`` builds it.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from . import common, scale

SLUG = scale.SLUG
KEY = "final_comments"
CODES = ("Data protection", "Costs for SMEs", "Standards", "Trust", "Funding")


def add_codes(url: str, workdir: str, slug: str) -> dict:
    """Add the codebook and tick one code on every fifth answered response, in bulk."""
    from sqlalchemy import insert, select

    from consultation import clock
    from consultation.audit.operations import Actor
    from consultation.consultations.queries import consultation_by_slug
    from consultation.extensions import db
    from consultation.responses.models import Answer
    from consultation.themes import operations, queries
    from consultation.themes.models import AnswerCode

    app = scale.make_app(url, workdir)
    with app.app_context():
        consultation = consultation_by_slug(slug)
        record = queries.question_by_key(consultation, KEY)[1]
        codes = [operations.create_code(record, label, Actor("benchmark")) for label in CODES]
        answered = db.session.scalars(
            select(Answer.response_id).where(
                Answer.question_id == record.id, Answer.text_value.is_not(None)
            )
        ).all()
        now = clock.now_utc()
        rows = [
            {"code_id": codes[i % len(codes)].id, "response_id": rid, "coded_at": now}
            for i, rid in enumerate(answered[::5])
        ]
        for start in range(0, len(rows), 20_000):
            db.session.execute(insert(AnswerCode), rows[start : start + 20_000])
        db.session.commit()
        return {"answered": len(answered), "ticked": len(rows)}


def find(url: str, workdir: str, slug: str) -> dict:
    """Find the question's themes here, as the job does; time and this process's peak."""
    from consultation.audit.operations import Actor
    from consultation.consultations.queries import consultation_by_slug
    from consultation.extensions import db
    from consultation.themes import dedup, operations, queries

    app = scale.make_app(url, workdir)
    with app.app_context():
        consultation = consultation_by_slug(slug)
        record = queries.question_by_key(consultation, KEY)[1]
        baseline = scale._rss_mb()
        started = time.perf_counter()
        themes = operations.find_question_themes(record, Actor("benchmark"))
        db.session.commit()
        seconds = time.perf_counter() - started
        texts = len(dedup.representatives(record.id))
        return {
            "operation": "themes",
            "seconds": seconds,
            "themes": len(themes),
            "texts": texts,
            "rows": queries.counted_answers(record.id),
            "baseline_mb": baseline,
            "peak_mb": scale._rss_mb(),
        }


def _in_process(function: str, url: str, workdir: str) -> dict:
    command = [sys.executable, "-m", "benchmarks.themes", "--run", function, "--url", url]
    command += ["--workdir", workdir]
    done = subprocess.run(
        command, cwd=common.ROOT, capture_output=True, text=True, check=False, timeout=7200
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(sizes, backends, pg_url, workdir=None) -> list:
    results = []
    for backend in backends:
        with tempfile.TemporaryDirectory(dir=workdir) as folder:
            with scale.database(backend, folder, pg_url, False) as url:
                scale.prepare(url, folder, SLUG)
                for size in sorted(sizes):
                    print(f"{backend}: growing to {size:,}", flush=True)
                    if size <= scale.GENERATE_UP_TO:
                        scale.grow(url, folder, SLUG, size)
                    else:
                        scale.grow(url, folder, SLUG, scale.GENERATE_UP_TO)
                        scale.multiply(url, folder, SLUG, size)
                    plain = scale.run_measurement(url, folder, SLUG, "csv")
                    coded = _in_process("add_codes", url, folder)
                    with_codes = scale.run_measurement(url, folder, SLUG, "csv")
                    themes = _in_process("find", url, folder)
                    for name, outcome in (
                        ("CSV export, no codes", plain),
                        ("CSV export, 5 codes", with_codes),
                        ("themes of one question", themes),
                    ):
                        outcome.update(backend=backend, size=size, what=name, coded=coded)
                        print(name, outcome, flush=True)
                        results.append(outcome)
    return results


def report(results) -> str:
    headers = ["backend", "responses", "operation", "seconds", "rows/s", "peak MB", "note"]
    rows = []
    for item in results:
        rate = round(item["rows"] / item["seconds"]) if item["what"].startswith("CSV") else None
        note = ""
        if item["what"] == "CSV export, 5 codes":
            note = f"{item['coded']['ticked']:,} ticks on {item['coded']['answered']:,} answers"
        if item["what"].startswith("themes"):
            note = f"{item['themes']} themes from {item['texts']:,} distinct texts"
        rows.append(
            [
                item["backend"],
                item["size"],
                item["what"],
                item["seconds"],
                rate,
                round(item["peak_mb"]),
                note,
            ]
        )
    return common.table(headers, rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_DATABASE_URL", scale.DEFAULT_PG))
    parser.add_argument("--workdir")
    parser.add_argument("--no-results", action="store_true")
    parser.add_argument("--run", choices=["add_codes", "find"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run:
        function = {"add_codes": add_codes, "find": find}[args.run]
        print(json.dumps(function(args.url, args.workdir, SLUG)))
        return
    sizes = [int(size) for size in args.sizes.split(",")]
    results = run(sizes, args.backends.split(","), args.pg_url, args.workdir)
    body = (
        "\n".join(common.machine(args.pg_url if "postgresql" in args.backends else None))
        + "\n\n"
        + "Personal CSV export of `data-union-strategy` before and after a codebook of five "
        "codes on `final_comments` (one code ticked on every fifth answer; the code columns "
        "are appended to the ready lines as they are written), each in a fresh process; then "
        "finding that question's themes (TF-IDF + NMF, identical texts once), as the job "
        "does. Databases built as in the scale section (generated up to 100,000, copied "
        "beyond).\n\n" + report(results)
    )
    print(body)
    if not args.no_results:
        common.write_section("themes", "Codes in the CSV export, and theme finding (themes)", body)


if __name__ == "__main__":
    main()
