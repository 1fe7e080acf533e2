"""The public pages of published contributions, read as a browser without JavaScript would."""

from sqlalchemy import select

from consultation.publishing.models import ItemReview
from consultation.responses.models import Response

from .publishing_corpus import build_corpus
from .reporting import SLUG

BASE = f"/consultations/{SLUG}/contributions"


def test_the_consultation_page_links_to_the_contributions_once_public(
    client, consultations, frozen_clock
):
    assert "published-link" not in client.get(f"/consultations/{SLUG}").get_data(as_text=True)
    build_corpus(client, consultations, frozen_clock)  # closes the consultation
    page = client.get(f"/consultations/{SLUG}").get_data(as_text=True)
    assert f'href="{BASE}"' in page


def test_list_counts_filters_and_a_bad_cursor(client, consultations, frozen_clock):
    corpus = build_corpus(client, consultations, frozen_clock)
    page = client.get(BASE).get_data(as_text=True)
    assert "4 contributions found." in page
    assert "EU citizen (1)" in page and "Company or business (1)" in page
    assert "With a document (2)" in page
    filtered = client.get(BASE + "?respondent_type=company").get_data(as_text=True)
    assert "1 contribution found." in filtered and "Quillfeather Analytics" in filtered
    assert 'value="company" selected' in filtered
    result = client.get(BASE + "?after=not-a-cursor")
    assert result.status_code == 400
    assert "This page address is not valid" in result.get_data(as_text=True)
    for public_id in corpus.shown_ids:
        assert f"{BASE}/{public_id}" in page


def test_pages_of_twenty_follow_each_other(client, consultations, frozen_clock, app):
    from consultation.audit.operations import Actor
    from consultation.publishing.operations import approve_waiting
    from consultation.reports import generate

    consultation = consultations[SLUG]
    generate.generate_responses(consultation, 45, seed=5)
    approve_waiting(consultation, Actor("tests"))
    from consultation.extensions import db

    db.session.commit()
    frozen_clock.set_brussels("2025-07-21T10:00:00")
    published = db.session.scalar(
        select(db.func.count()).where(
            Response.consultation_id == consultation.id, Response.moderation == "approved"
        )
    )
    seen, url = [], BASE
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += [part.split('"')[0] for part in page.split(f'href="{BASE}/')[1:]]
        marker = 'rel="next"'
        url = None
        if marker in page:
            link = page.split(marker)[0].rsplit('href="', 1)[1].split('"')[0]
            url = link.replace("&amp;", "&")
    assert (
        len(seen)
        == len(set(seen))
        == published
        - db.session.scalar(
            select(db.func.count()).where(
                Response.consultation_id == consultation.id,
                Response.moderation == "approved",
                (Response.flag.is_not(None)) | (Response.publication.is_(None)),
            )
        )
    )


def test_french_and_german(client, consultations, frozen_clock):
    build_corpus(client, consultations, frozen_clock)
    french = client.get(BASE, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "contributions trouvées" in french and "Catégorie de répondant" in french
    german = client.get(BASE, headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Beiträge gefunden" in german


def test_demo_commands_settle_and_moderate(app, consultations):
    from consultation.extensions import db
    from consultation.reports import generate

    consultation = consultations[SLUG]
    generate.generate_responses(consultation, 60, seed=2)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["publishing", "settle", SLUG])
    assert result.exit_code == 0, result.output
    assert "waiting" in result.output
    result = app.test_cli_runner().invoke(args=["dev", "moderate", SLUG, "--if-unmoderated"])
    assert result.exit_code == 0, result.output
    assert "withheld" in result.output and "left waiting" in result.output
    db.session.expire_all()
    states = dict(
        db.session.execute(
            select(Response.moderation, db.func.count())
            .where(Response.consultation_id == consultation.id)
            .group_by(Response.moderation)
        ).all()
    )
    assert states["withheld"] == 1 and states["pending"] >= 1 and states["approved"] > 20
    assert db.session.scalar(select(db.func.count()).select_from(ItemReview)) > 0
    again = app.test_cli_runner().invoke(args=["dev", "moderate", SLUG, "--if-unmoderated"])
    assert "nothing changed" in again.output
