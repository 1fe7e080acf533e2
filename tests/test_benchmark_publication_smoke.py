"""The publication benchmark still runs: tiny sizes, SQLite, no RESULTS.md."""

import pytest

from benchmarks import common, publication


def test_publication_benchmark_measures_every_page_and_the_bulk_file(app, tmp_path, monkeypatch):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the benchmark builds databases of its own: once is enough")
    monkeypatch.setattr(common, "RESULTS", tmp_path / "RESULTS.md")
    results = publication.run(
        [20, 45],
        ["sqlite"],
        publication.SLUG,
        pg_url=None,
        workdir=str(tmp_path),
        generate_up_to=20,  # 45 is reached by copying in SQL
    )
    assert [r["size"] for r in results] == [20, 45]
    for item in results:
        pages, bulk = item["pages"], item["bulk"]
        assert "error" not in bulk, bulk
        assert pages["published"] > 0
        for name in ("api_first", "api_filtered", "api_deep"):
            assert pages[name]["ms"] > 0, (name, pages[name])
        assert bulk["rows"] == pages["published"]  # every published contribution, once
        assert bulk["served_rows"] == bulk["rows"]  # the prepared file holds the same
        assert bulk["peak_mb"] >= bulk["baseline_mb"] > 0
    assert results[1]["pages"]["published"] > results[0]["pages"]["published"]
    assert "API, deep cursor" in publication.report(results)
    assert not (tmp_path / "RESULTS.md").exists()
