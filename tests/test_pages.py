"""The public pages: home, consultation page, errors; the app's configuration."""

import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from config import Config
from consultation import create_app
from consultation.extensions import db


def test_home_lists_consultations_by_state_with_their_window(client, consultations, frozen_clock):
    frozen_clock.set_brussels("2025-06-10T12:00:00")
    page = client.get("/").get_data(as_text=True)
    assert 'id="group-upcoming"' not in page  # nothing opens soon: no empty section
    open_part, closed_part = page.split('id="group-closed"')
    assert "European Data Union Strategy" in open_part
    assert "Open until 18 July 2025, midnight Brussels time" in open_part
    assert "Apply AI Strategy" in closed_part and "Cloud and AI Development Act" in closed_part
    assert "Closed at midnight Brussels time at the end of 4 June 2025" in closed_part


def test_home_shows_upcoming_consultations(client, consultations, frozen_clock):
    frozen_clock.set_brussels("2025-05-01T12:00:00")
    page = client.get("/").get_data(as_text=True)
    assert 'id="group-closed"' not in page  # nothing has closed yet: no empty section
    upcoming = page.split('id="group-upcoming"')[1]
    assert "European Data Union Strategy" in upcoming
    assert "Opens on 23 May 2025; open until 18 July 2025" in upcoming


def test_consultation_page_has_deadline_privacy_and_button(client, consultations):
    page = client.get("/consultations/apply-ai").get_data(as_text=True)
    assert "Open until 4 June 2025, midnight Brussels time" in page
    assert 'id="privacy"' in page
    assert "/consultations/apply-ai/respond" in page


def test_closed_consultation_page_has_no_button(client, consultations, frozen_clock):
    frozen_clock.set_brussels("2025-06-05T00:00:00")
    page = client.get("/consultations/apply-ai").get_data(as_text=True)
    assert "/consultations/apply-ai/respond" not in page
    assert "no longer accepts contributions" in page


def test_unknown_pages_get_a_helpful_404(client, consultations):
    for url in ("/consultations/nope", "/consultations/nope/respond", "/contributions/XXXX"):
        result = client.get(url)
        assert result.status_code == 404
        assert "Page not found" in result.get_data(as_text=True)


def test_every_question_has_a_label_and_groups_have_a_legend(client, consultations):
    page = client.get("/consultations/cloud-ai-development-act/respond").get_data(as_text=True)
    questionnaire = consultations["cloud-ai-development-act"].questionnaire
    for question in questionnaire:
        assert f'id="question-{question.key}"' in page
        assert f'id="q_{question.key}"' in page  # the error summary links here
    assert page.count("<legend") >= 5
    assert 'class="skip-link"' in page


def test_migrations_match_the_models(app):
    from consultation.dbsetup import include_in_comparison

    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": include_in_comparison}
        )
        assert compare_metadata(context, db.metadata) == []


def test_secret_key_is_required_outside_development(monkeypatch):
    class Production(Config):
        SECRET_KEY = None
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app(Production)


def test_unknown_profile_is_refused():
    with pytest.raises(RuntimeError, match="not a known profile"):
        create_app("staging")


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_blank_questionnaire_from_the_cache_equals_one_rendered_afresh(
    app, consultations, language
):
    from consultation.questionnaires.forms import build_form, preselect_language
    from consultation.responses import pages

    for consultation in consultations.values():
        with app.test_request_context(headers={"Accept-Language": language}):
            form = build_form(consultation.questionnaire)
            form.submission_token.data = "the-same-token"
            if language != "en":  # as a first visit has it
                preselect_language(form, consultation.questionnaire, language)
            afresh = pages.render_form(consultation, form, {})
            first = pages.render_form(consultation, form, {}, blank=True)
            cached = pages.render_form(consultation, form, {}, blank=True)
        pages_ = [
            re.sub(r'name="form_served" value="[^"]*"', "", page)
            for page in (afresh, first, cached)
        ]
        assert pages_[0] == pages_[1] == pages_[2]  # the time the form was served aside
        assert 'name="q_respondent_type"' in cached
