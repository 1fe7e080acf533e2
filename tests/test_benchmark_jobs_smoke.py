"""The jobs benchmark still runs: a tiny export as a job beside gunicorn, SQLite, no RESULTS.md."""

import pytest

from benchmarks import common, jobs_export


def test_the_export_job_benchmark_runs(app, tmp_path, monkeypatch):
    if app.config["BACKEND"] != "sqlite":
        pytest.skip("the benchmark builds databases of its own: once is enough")
    monkeypatch.setattr(common, "RESULTS", tmp_path / "RESULTS.md")
    (outcome,) = jobs_export.run(
        [30], ["sqlite"], pg_url=None, workdir=str(tmp_path), generate_up_to=30, baseline=1.0
    )
    assert "error" not in outcome, outcome
    assert 0 < outcome["rows"] <= 30  # flagged responses are not exported
    assert outcome["peak_mb"] >= outcome["worker_start_mb"] > 0
    assert outcome["idle"][2] is not None and outcome["during_requests"] >= 0
    assert "worker peak MB" in jobs_export.report([outcome])
    assert not (tmp_path / "RESULTS.md").exists()
