"""Changing language on a questionnaire keeps everything typed so far."""

from sqlalchemy import func, select

from consultation.extensions import db
from consultation.responses.models import Draft, Response

from .conftest import form_tokens

SLUG = "apply-ai"


def test_the_language_list_sends_the_form(client, consultations):
    page = client.get(f"/consultations/{SLUG}/respond").get_data(as_text=True)
    assert 'name="language_choice" form="questionnaire"' in page
    assert 'form="questionnaire" name="switch_language" value="chosen"' in page
    assert 'id="questionnaire"' in page
    home = client.get("/").get_data(as_text=True)
    assert 'action="/language"' in home  # elsewhere, a form of its own
    assert 'hreflang="fr" href="http://localhost/language/fr?next=' in home


def test_the_language_picked_in_the_list_is_the_one_switched_to(client, consultations):
    data = {
        **form_tokens(client, SLUG),
        "q_first_name": "Jan",
        "switch_language": "chosen",
        "language_choice": "de",
    }
    page = client.post(f"/consultations/{SLUG}/respond", data=data).get_data(as_text=True)
    assert '<html lang="de"' in page and 'value="Jan"' in page


def test_switching_language_keeps_what_was_typed_and_stores_nothing(client, consultations):
    data = {
        **form_tokens(client, SLUG),
        "q_first_name": "Émilie",
        "q_final_comments": "Ce que j’ai déjà écrit",
        "q_respondent_type": "ngo",
        "switch_language": "fr",
    }
    result = client.post(f"/consultations/{SLUG}/respond", data=data)
    page = result.get_data(as_text=True)
    assert result.status_code == 200
    assert '<html lang="fr"' in page
    assert 'value="Émilie"' in page and "Ce que j’ai déjà écrit" in page
    assert 'value="ngo" checked' in page
    assert "error-summary" not in page  # not validated: only shown again
    assert "locale=fr" in result.headers["Set-Cookie"]
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
    # the choice is remembered for the next pages
    assert '<html lang="fr"' in client.get("/").get_data(as_text=True)


def test_an_unknown_language_is_ignored(client, consultations):
    data = {**form_tokens(client, SLUG), "switch_language": "xx"}
    result = client.post(f"/consultations/{SLUG}/respond", data=data)
    assert result.status_code == 400  # treated as a normal (incomplete) submission
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_each_pages_alternates_are_the_addresses_url_for_builds(app):
    from flask import url_for

    from consultation.i18n import language_alternates, offered_languages

    return_to = "/consultations/apply-ai/respond?x=1&next=/fr?"
    with app.test_request_context("/consultations/apply-ai/respond"):
        for current in ("en", "fr", "ga"):
            assert language_alternates(current, return_to) == [
                (code, url_for("i18n.switch", code=code, next=return_to, _external=True))
                for code in offered_languages()
                if code != current
            ]
