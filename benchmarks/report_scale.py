"""Time the summary report and the exports at scale, on a temporary SQLite file.

    .venv/bin/python benchmarks/report_scale.py --responses 100000

Not part of the test suite. Targets (issue 4): the summary PDF of 100,000
responses in under 5 s, CSV export above 20,000 rows a second.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from config import TestingConfig  # noqa: E402
from consultation import create_app  # noqa: E402
from consultation.consultations.operations import load_definition  # noqa: E402
from consultation.consultations.queries import consultation_by_slug  # noqa: E402
from consultation.extensions import db  # noqa: E402
from consultation.questionnaires.loader import definition_files, parse_file  # noqa: E402
from consultation.reports import export, generate, pdf, summary  # noqa: E402


def timed(label, function, *args, **kwargs):
    """Run ``function``; print wall-clock and CPU seconds (the machine may be shared)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    elapsed, used = time.perf_counter() - started, time.process_time() - cpu
    print(f"{label:<38} {elapsed:8.2f} s  (CPU {used:.2f} s)")
    return result, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--slug", default="data-union-strategy")
    parser.add_argument("--keep", help="write the summary PDF here")
    parser.add_argument("--db", help="SQLite file to use and keep (generated only if empty)")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("INSTANCE_PATH", folder)
        database = arguments.db or f"{folder}/bench.sqlite"

        class Config(TestingConfig):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"
            UPLOAD_FOLDER = f"{folder}/uploads"

        app = create_app(Config)
        with app.app_context():
            upgrade()
            for path in definition_files():
                load_definition(parse_file(path), source=path)
            db.session.commit()
            consultation = consultation_by_slug(arguments.slug)
            n = arguments.responses
            if not generate.response_count(consultation):
                _, elapsed = timed(
                    f"generate {n:,} responses",
                    generate.generate_responses,
                    consultation,
                    n,
                    seed=1,
                    upload_folder=Config.UPLOAD_FOLDER,
                )
                db.session.commit()
                print(f"{'':<38} {n / elapsed:8,.0f} responses/s")
                db.session.execute(db.text("ANALYZE"))
                db.session.commit()
            print(f"{generate.response_count(consultation):,} responses in the consultation")

            timed("summary figures (SQL only)", summary.build_summary, consultation)
            data, _ = timed("summary PDF (SQL + WeasyPrint)", pdf.summary_pdf, consultation)
            if arguments.keep:
                Path(arguments.keep).write_bytes(data)
            timed(
                "summary PDF, one country",
                pdf.summary_pdf,
                consultation,
                country="DE",
            )
            rows = export.export_count(consultation)

            def csv_export(personal):
                return sum(len(chunk) for chunk in export.iter_csv(consultation, personal))

            size, elapsed = timed("CSV export (personal)", csv_export, True)
            print(f"{'':<38} {rows / elapsed:8,.0f} rows/s, {size / 1e6:.1f} MB")
            _, elapsed = timed("CSV export (public)", csv_export, False)
            print(f"{'':<38} {rows / elapsed:8,.0f} rows/s")
            with open(os.devnull, "wb") as sink:
                _, elapsed = timed(
                    "XLSX export (personal)", export.write_xlsx, consultation, True, sink
                )
            print(f"{'':<38} {rows / elapsed:8,.0f} rows/s")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
