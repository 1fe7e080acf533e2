"""The submission benchmark still runs end to end: gunicorn, the load generator, the count check.

A tiny version (three respondents, two seconds, SQLite), so a change to the questionnaire,
the receipt or the start-up breaks this test rather than the next benchmark run.
"""

import pytest

from benchmarks import common, submissions


@pytest.fixture(autouse=True)
def _once(app):
    """It starts servers of its own on SQLite: run it once, not once per test backend."""
    if app.config["BACKEND"] != "sqlite":
        pytest.skip("runs once, with the SQLite backend")


def _stamp(path):
    return path.stat().st_mtime_ns if path.exists() else None


def test_submission_benchmark_runs():
    results_before = _stamp(common.RESULTS)

    outcomes = submissions.smoke()

    assert [(o.backend, o.target) for o in outcomes] == [("sqlite", "app"), ("sqlite", "floor")]
    for outcome in outcomes:
        assert outcome.accepted == outcome.stored > 0, outcome
        assert outcome.counts_match and not outcome.errors, outcome
        assert outcome.rate > 0 and outcome.post_ms[0] is not None, outcome
        assert outcome.cpu_ms is not None and outcome.cpu_ms > 0, outcome  # window CPU sampled
        # one slow client beside the load, and a probe of the page that ran and was answered
        assert outcome.slow.connections == 1 and outcome.slow.answered > 0, outcome.slow
        assert "sending headers at one byte a second" in outcome.slow.describe()
    app, floor = outcomes
    # The app's job worker ran beside it and brought what it derives up to date.
    assert app.backlog is not None and app.caught_up_s is not None, app
    assert app.worker_cpu_ms is not None and app.worker_cpu_ms > 0, app
    assert floor.backlog is None and floor.caught_up_s is None and floor.worker_cpu_ms is None
    assert any("the workers caught up in" in line for line in submissions.target_lines(outcomes))
    assert _stamp(common.RESULTS) == results_before  # the smoke run writes no results


def test_profile_cycle_prints_cpu_per_request(capsys):
    from benchmarks import profile_cycle

    assert profile_cycle.main(["--cycles", "2", "--warmup", "1"]) == 0

    printed = capsys.readouterr().out
    figures = {
        name: (float(median), float(mean))
        for name, median, mean in profile_cycle.SUMMARY_LINE.findall(printed)
    }
    assert set(figures) == {"GET", "POST", "receipt", "cycle"}, printed
    assert all(median > 0 and mean > 0 for median, mean in figures.values()), printed
    parts = sum(figures[name][1] for name in ("GET", "POST", "receipt"))
    assert abs(figures["cycle"][1] - parts) < 0.05, printed


def test_profile_cycle_stops_on_a_failed_cycle(monkeypatch):
    """A cycle that does not end on a receipt is an error, not a figure."""
    from benchmarks import profile_cycle

    monkeypatch.setattr(profile_cycle, "form_fields", lambda slug: [])  # nothing answered: 400
    with pytest.raises(profile_cycle.CycleFailed, match="POST: status 400"):
        profile_cycle.main(["--cycles", "1", "--warmup", "0"])


def test_flash_crowd_runs(tmp_path):
    """A crowd of a few seconds through two workers and one slot: receipts and busy pages,
    each busy form sent again and stored, nothing lost."""
    from benchmarks import flash_crowd

    results = tmp_path / "RESULTS.md"
    arguments = [
        "--calm-seconds=2",
        "--crowd-seconds=3",
        "--recovery-seconds=3",
        "--factor=4",
        "--workers=2",
        "--slots=1",
        "--write",
        f"--results={results}",
    ]
    assert flash_crowd.main(arguments) == 0
    text = results.read_text()
    assert "PASS nothing lost" in text and "PASS none half-stored" in text, text
