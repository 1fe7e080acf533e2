"""The summary report: its figures equal direct counts, and the PDF says them."""

import pytest
from sqlalchemy import func, select

from consultation import clock, formatting
from consultation.extensions import db
from consultation.reports import pdf
from consultation.reports.pdf import FetchRefused, StaticOnlyFetcher, _static_root
from consultation.reports.summary import build_summary
from consultation.responses.models import Answer, Response

from .reporting import SCRIPT, SLUG, pdf_text, submit_known


@pytest.fixture
def known(client, consultations):
    consultation = consultations[SLUG]
    return consultation, submit_known(client, consultation)


def question_rows(summary, key):
    return next(item for _, items in summary.sections for item in items if item.key == key)


def test_participation_figures_count_only_unflagged_responses(known):
    consultation, _ = known
    summary = build_summary(consultation)

    assert summary.total == 4
    assert summary.flagged == {"spam": 1}
    by_type = {label: n for label, n, _ in summary.by_type}
    assert by_type["Company or business"] == 1
    assert by_type["EU citizen"] == 1  # the flagged citizen is left out
    assert by_type["Non-governmental organisation (NGO)"] == 1
    assert by_type["Business association"] == 1
    assert (summary.eu_count, summary.non_eu_count, summary.country_count) == (3, 1, 4)
    assert summary.sized == 3 and summary.sme_count == 2
    assert summary.sme_share == "66.7%"
    assert summary.organisation_count == 3
    assert (summary.uploads, summary.responses_with_uploads) == (4, 4)


def test_choice_counts_and_percentages_equal_a_direct_count(known):
    consultation, _ = known
    summary = build_summary(consultation)
    item = question_rows(summary, "data_ease")
    question = consultation.questionnaire.questions["data_ease"]
    record = next(r for r in consultation.questions if r.key == "data_ease")
    direct = dict(
        db.session.execute(
            select(Answer.option_key, func.count())
            .join(Response, Response.id == Answer.response_id)
            .where(Answer.question_id == record.id, Response.flag.is_(None))
            .group_by(Answer.option_key)
        ).all()
    )

    assert item.answered == 4
    rows = {label: (n, share) for label, n, share in item.rows}
    for key in question.option_keys:
        n, share = rows[question.option_label(key)]
        assert n == direct.get(key, 0)
        assert share == formatting.share(n, 4)
    assert rows["Fairly hard"] == (2, "50%")
    assert rows["Very easy"] == (1, "25%")  # the flagged "very easy" is not counted


def test_matrix_ranking_and_multiple_choice_are_summarised(known):
    consultation, _ = known
    summary = build_summary(consultation)
    matrix = question_rows(summary, "measures_agreement")
    assert all(answered == 4 and counts[0] == 4 for _, counts, answered in matrix.rows)
    ranking = question_rows(summary, "goals_ranking")
    # Everyone ranked in questionnaire order: first option 3 points, last 1.
    assert [round(score, 2) for _, score, _ in ranking.rows] == [3.0, 2.0, 1.0]
    roles = question_rows(summary, "data_role")
    assert roles.answered == 4 and "more than 100%" in roles.note


def test_filters_narrow_every_figure(known):
    consultation, _ = known
    citizens = build_summary(consultation, respondent_type="eu_citizen")
    assert citizens.total == 1 and citizens.flagged == {"spam": 1}
    assert question_rows(citizens, "data_ease").answered == 1
    belgium = build_summary(consultation, country="BE")
    assert belgium.total == 1
    assert {label: n for label, n, _ in belgium.by_type}["Company or business"] == 1


def test_campaign_groups_ignore_case_spacing_and_punctuation(known):
    from consultation.campaigns.operations import regroup

    consultation, _ = known
    final = consultation.questionnaire.questions["final_comments"].label()
    regroup(consultation)
    db.session.commit()

    def groups(threshold):
        summary = build_summary(consultation, campaign_threshold=threshold)
        return [(c.size, c.quote) for c in summary.campaigns if c.question == final]

    [(size, text)] = groups(3)
    assert size == 3 and text.lower().startswith("protect our data")
    assert groups(4) == []


def test_excerpts_honour_publication_choices(known):
    consultation, _ = known
    item = question_rows(build_summary(consultation), "final_comments")
    who = [attribution for _, attribution in item.excerpts]
    assert who[0].startswith("Acme Data")  # an organisation, published
    assert who[1] == "Anonymous, EU citizen, France"
    assert who[2].startswith("Open Rights Watch")  # anonymous organisation: name kept
    assert not any("Hiddenname" in w or "Zebulon" in w or "@" in w for w in who)


def test_summary_pdf_holds_the_figures_and_no_private_data(known):
    consultation, _ = known
    text = pdf_text(pdf.summary_pdf(consultation))

    assert "European Data Union Strategy" in text
    assert "4 contributions are counted in this report." in text
    assert "1 contribution was left out because a moderator marked it (1 as spam)." in text
    assert "Page 1 of" in text and "Contents" in text
    assert "Fairly hard 2 (50%)" in text
    assert "66.7%" in text  # SME share
    assert "from 4 countries" in text.replace("came from 4", "from 4")
    for secret in ("Zebulon", "Quixote", "Hortense", "Hiddenname", "@example.org"):
        assert secret not in text
    assert "Buy cheap things" not in text  # the flagged response
    assert SCRIPT in text  # shown as typed: text, not markup


def test_filtered_summary_pdf_says_what_it_covers(known):
    consultation, _ = known
    text = pdf_text(pdf.summary_pdf(consultation, respondent_type="eu_citizen", country="FR"))
    assert "This report covers only part of the contributions:" in text
    assert "Respondent type: EU citizen; Country: France." in text
    assert "1 contribution is counted in this report." in text


def test_pdf_fetcher_reads_only_static_files(app):
    root = _static_root()
    fetcher = StaticOnlyFetcher(root)
    assert fetcher.fetch((root / "report.css").as_uri()).url.endswith("report.css")
    for url in ("file:///etc/passwd", "http://example.org/x.css", (root / "../cli.py").as_uri()):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)


def test_cover_says_who_issues_the_report_and_when_the_consultation_was_open(
    known, app, frozen_clock, monkeypatch
):
    consultation, _ = known
    frozen_clock.set_brussels("2025-06-05T09:30:00")  # the morning after the deadline
    text = pdf_text(pdf.summary_pdf(consultation))
    assert text.startswith("European Commission FACTUAL SUMMARY REPORT")
    assert (
        "The consultation was open from 23 May 2025 to 18 July 2025 (midnight at the end of "
        "the day, Brussels time)." not in text
    )  # that one closes later: still open on 5 June
    assert "is open until 18 July 2025 (midnight at the end of the day, Brussels time)" in text
    assert "The figures were counted on 5 June 2025, 09:30 Brussels time" in text

    frozen_clock.set_brussels("2025-07-19T00:00:00")
    monkeypatch.setitem(app.config, "ISSUING_BODY", {"en": "DG CONNECT", "fr": "DG CONNECT (fr)"})
    text = pdf_text(pdf.summary_pdf(consultation))
    assert text.startswith("DG CONNECT FACTUAL SUMMARY REPORT")
    assert (
        "The consultation was open from 23 May 2025 to 18 July 2025 (midnight at the end of "
        "the day, Brussels time)." in text
    )
    french = pdf_text(pdf.summary_pdf(consultation, locale="fr"))
    assert french.startswith("DG CONNECT (fr) RAPPORT DE SYNTHÈSE FACTUEL")
    assert "La consultation a été ouverte du 23 mai 2025 au 18 juillet 2025" in french
    # The key figures: contributions, countries, organisations, documents.
    assert "4 contributions counted 4 countries 3 on behalf of an organisation (75%)" in text


def test_window_sentence_before_during_and_after_an_early_closing(known, frozen_clock):
    from consultation.reports.summary import window_sentence

    consultation, _ = known
    frozen_clock.set_brussels("2025-05-01T12:00:00")
    assert window_sentence(consultation, "en").startswith("The consultation opens on 23 May 2025")
    frozen_clock.set_brussels("2025-06-01T12:00:00")
    consultation.closed_at = clock.now_utc()
    db.session.commit()
    frozen_clock.set_brussels("2025-06-02T12:00:00")
    assert window_sentence(consultation, "en") == (
        "The consultation opened on 23 May 2025 and was closed early, on 1 June 2025, 12:00 "
        "Brussels time (it was to stay open until 18 July 2025)."
    )
    assert window_sentence(consultation, "de").startswith(
        "Die Konsultation wurde am 23. Mai 2025 eröffnet und am 1. Juni 2025, 12:00 Uhr Brüsseler "
        "Zeit vorzeitig geschlossen"
    )
