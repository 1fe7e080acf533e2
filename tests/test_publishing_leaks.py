"""Privacy proof: nothing that must stay private appears in anything public (issue 15.5).

Reads every public page of the corpus (``publishing_corpus``), its files, the
public CSV and XLSX exports and the summary PDF: no e-mail address, no name of an
anonymous respondent nor of an organisation's contact person, no redacted word,
nothing of a withheld, erased, flagged or waiting contribution, no private
reference. What is published is there (the test reads something real).
"""

import pytest

from .publishing_corpus import build_corpus, csv_rows, public_texts


@pytest.fixture
def corpus(client, consultations, frozen_clock):
    return build_corpus(client, consultations, frozen_clock)


def test_nothing_private_appears_anywhere_public(client, corpus):
    texts = public_texts(client, corpus)
    for name, text in texts.items():
        for secret in corpus.forbidden:
            assert secret not in text, (secret, name)
    everything = "\n".join(texts.values())
    for wanted in corpus.expected:
        assert wanted in everything, wanted


def test_hidden_contributions_and_files_are_not_found(client, corpus):
    base = f"/consultations/{corpus.consultation.slug}/contributions"
    for public_id in corpus.hidden_ids:
        assert client.get(f"{base}/{public_id}").status_code == 404
    shown = corpus.responses["citizen_public"]
    for upload_id in corpus.hidden_uploads:
        for response in corpus.responses.values():
            assert client.get(f"{base}/{response.public_id}/files/{upload_id}").status_code == 404
    for upload_id in corpus.shown_uploads:
        owner = next(r for r in corpus.responses.values() if upload_id in [u.id for u in r.uploads])
        result = client.get(f"{base}/{owner.public_id}/files/{upload_id}")
        assert result.status_code == 200
        assert result.headers["Content-Disposition"].startswith("attachment;")
        assert result.headers["X-Content-Type-Options"] == "nosniff"
        if owner is not shown:  # a file is reached only through its own contribution
            assert client.get(f"{base}/{shown.public_id}/files/{upload_id}").status_code == 404


def test_public_export_rows_are_the_published_contributions(client, corpus):
    rows = csv_rows(public_texts(client, corpus)["export.csv"])
    assert len(rows) == 4  # public and anonymous citizens and organisations
    texts = {row["final_comments"] for row in rows}
    assert "My neighbour [removed] shares his data. Citizens deserve open data." in texts
    withheld = [
        row for row in rows if row.get("organisation_name") == "Tidewater Rights Collective"
    ]
    assert withheld and withheld[0]["data_use_case"] == ""


def test_nothing_is_public_before_closing(client, corpus, frozen_clock):
    frozen_clock.set_brussels("2025-07-01T10:00:00")  # still open: published after closing
    base = f"/consultations/{corpus.consultation.slug}/contributions"
    page = client.get(base).get_data(as_text=True)
    assert "Publicworth" not in page and "published after the consultation closes" in page
    for public_id in corpus.shown_ids:
        assert client.get(f"{base}/{public_id}").status_code == 404


def test_searching_for_removed_or_hidden_words_finds_nothing(client, corpus):
    base = f"/consultations/{corpus.consultation.slug}/contributions"
    for word in ("Bartholomew", "Grimbold", "WITHHELD", "PENDING", "ERASED", "SPAM", "Ottilie"):
        page = client.get(base, query_string={"q": word}).get_data(as_text=True)
        assert "0 contributions found." in page, word
    assert "1 contribution found." in client.get(base + "?q=safeguards").get_data(as_text=True)


def test_the_api_reads_what_the_pages_read(client, corpus):
    """The API and its files list the same contributions as the pages, no others."""
    from consultation.publishing.queries import filter_counts, published_contributions

    slug = corpus.consultation.slug
    public = sorted(
        r.public_id for r in published_contributions(corpus.consultation, limit=100).rows
    )
    assert set(corpus.shown_ids) <= set(public)
    listed = client.get(f"/api/v1/consultations/{slug}/contributions?limit=100").get_json()
    assert sorted(c["id"] for c in listed["contributions"]) == public
    lines = client.get(f"/api/v1/consultations/{slug}/contributions.jsonl").get_data(as_text=True)
    in_file = [line.split('"id":"')[1].split('"')[0] for line in lines.splitlines()]
    total = filter_counts(corpus.consultation)["total"][None]
    assert len(in_file) == len(set(in_file)) == total and set(public) <= set(in_file)
    for public_id in corpus.hidden_ids:
        assert (
            client.get(f"/api/v1/consultations/{slug}/contributions/{public_id}").status_code == 404
        )
    for word in ("Bartholomew", "Grimbold", "WITHHELD", "PENDING", "ERASED", "SPAM", "Ottilie"):
        found = client.get(f"/api/v1/consultations/{slug}/contributions", query_string={"q": word})
        assert found.get_json()["contributions"] == [], word
