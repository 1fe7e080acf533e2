"""The scale benchmark still runs: tiny sizes, SQLite, no RESULTS.md (benchmarks are not tests)."""

import pytest

from benchmarks import common, scale


def test_scale_benchmark_runs_every_operation(app, tmp_path, monkeypatch):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the benchmark builds databases of its own: once is enough")
    monkeypatch.setattr(common, "RESULTS", tmp_path / "RESULTS.md")
    # Every operation at a generated size; at a size reached by copying in SQL, only the
    # operations whose figures the copies could change (each one is a process of its own).
    copied = {name: scale.OPERATIONS[name] for name in ("summary", "csv", "grouping")}
    others = {name: label for name, label in scale.OPERATIONS.items() if name not in copied}
    for folder in ("copied", "made"):
        (tmp_path / folder).mkdir()
    results = scale.run(
        [20, 45],
        ["sqlite"],
        scale.SLUG,
        pg_url=None,
        workdir=str(tmp_path / "copied"),
        operations=copied,
        generate_up_to=20,  # 45 is reached by copying in SQL
    )
    results += scale.run(
        [20], ["sqlite"], scale.SLUG, pg_url=None, workdir=str(tmp_path / "made"), operations=others
    )
    assert [(r["size"], r["operation"]) for r in results] == [
        *((size, operation) for size in (20, 45) for operation in copied),
        *((20, operation) for operation in others),
    ]
    for outcome in results:
        assert "error" not in outcome, outcome
        assert outcome["seconds"] > 0 and outcome["peak_mb"] > 0
    by_size = {r["size"]: r["rows"] for r in results if r["operation"] == "csv"}
    # Flagged (spam) responses are not exported; copies keep the flags of their originals.
    assert 0 < by_size[20] <= 20 and by_size[45] > by_size[20]
    assert "summary PDF" in scale.report(results)
    assert not (tmp_path / "RESULTS.md").exists()


def test_a_first_size_above_the_generated_limit_is_generated_then_copied(app, tmp_path):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the benchmark builds databases of its own: once is enough")
    csv_only = {"csv": scale.OPERATIONS["csv"]}
    results = scale.run(
        [30],
        ["sqlite"],
        scale.SLUG,
        None,
        workdir=str(tmp_path),
        operations=csv_only,
        generate_up_to=12,
    )
    assert [(r["size"], r["operation"]) for r in results] == [(30, "csv")]
    assert "error" not in results[0], results[0]
    assert 12 < results[0]["rows"] <= 30  # copies of the 12 generated, less the spam


def test_copied_responses_export_as_if_built_from_their_answers(app, tmp_path):
    """The benchmark's SQL copies (``multiply``) come with correct ready export lines and
    answer tallies."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the benchmark builds databases of its own: once is enough")
    import csv
    import io

    from consultation.consultations.queries import consultation_by_slug
    from consultation.reports import export

    url = f"sqlite:///{tmp_path}/copies.sqlite"
    scale.prepare(url, str(tmp_path), scale.SLUG)
    scale.grow(url, str(tmp_path), scale.SLUG, 15, progress=lambda _: None)
    scale.multiply(url, str(tmp_path), scale.SLUG, 40, progress=lambda _: None)
    copies = scale.make_app(url, str(tmp_path))
    with copies.app_context():
        consultation = consultation_by_slug(scale.SLUG)
        from sqlalchemy import func, select

        from consultation.extensions import db
        from consultation.reports.models import ExportLine
        from consultation.reports.ready_lines import layout_key

        ready_count = select(func.count()).where(ExportLine.layout == layout_key(consultation))
        assert db.session.scalar(ready_count) == 40  # the copies' lines are used, not rebuilt
        for personal in (True, False):
            ready = "".join(export.iter_csv(consultation, personal))
            buffer = io.StringIO()
            csv.writer(buffer).writerows(export.iter_rows(consultation, personal))
            assert ready == "\ufeff" + buffer.getvalue()
            assert ready.count("COPY-") > 0 or not personal
        from consultation.reports import tallies

        assert tallies.differences(consultation) == {}
        assert (
            sum(
                n
                for (_, measure, *_), (n, _, _) in tallies.stored(consultation).items()
                if measure == tallies.ANSWERED
            )
            > 40
        )


def test_a_size_the_disk_cannot_hold_is_left_out_and_said(app, tmp_path, monkeypatch):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the benchmark builds databases of its own: once is enough")
    free = 30 * scale.BYTES_PER_RESPONSE  # room for 20 responses and their margin, not 25 more
    monkeypatch.setattr(scale, "free_bytes", lambda *args: free)
    results = scale.run(
        [20, 45],
        ["sqlite"],
        scale.SLUG,
        pg_url=None,
        workdir=str(tmp_path),
        operations=["list"],
        generate_up_to=20,
    )
    assert [(r["size"], r.get("operation")) for r in results] == [(20, "list"), (45, None)]
    assert "needs about" in results[1]["skipped"]
    assert "left out: needs about" in scale.report(results)
