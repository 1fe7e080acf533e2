"""An admin previews a questionnaire as a respondent: the real form, in each language it
offers, whatever the consultation's state; a posted preview is checked, never stored."""

import io
import os
import re

import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import func, select

from consultation import clock
from consultation.audit.models import AuditRecord
from consultation.extensions import db
from consultation.i18n import LANGUAGES
from consultation.jobs.models import Job
from consultation.questionnaires.forms import field_name
from consultation.reports.models import AnswerTally, ExportLine
from consultation.responses.models import (
    Answer,
    Draft,
    KeptFile,
    PendingLinks,
    Response,
    ResponseVersion,
    Upload,
)

from .admin_helpers import signed_in_client
from .answers import valid_form_data
from .test_authoring import SOURCE, consultation, create

TOKEN_RE = re.compile(r'name="(csrf_token|submission_token|form_served)"[^>]*value="([^"]*)"')
STORED = (Response, ResponseVersion, Answer, Upload, Draft, KeptFile, PendingLinks)
STORED += (AnswerTally, ExportLine, Job)


@pytest.fixture
def admin(app, consultations):
    return signed_in_client(app)


def preview_url(slug, lang):
    return f"/admin/consultations/{slug}/preview/{lang}"


def tokens(admin, slug, lang="en") -> dict:
    page = admin.get(preview_url(slug, lang))
    assert page.status_code == 200, page.status_code
    return dict(TOKEN_RE.findall(page.get_data(as_text=True)))


def counts() -> dict:
    db.session.expire_all()
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in STORED
    }


def files(folder) -> list:
    return sorted(
        os.path.join(root, name) for root, _dirs, names in os.walk(folder) for name in names
    )


def said(message, lang) -> str:
    """``message`` as the interface writes it in ``lang``, HTML-escaped as pages show it."""
    with force_locale(lang):
        return str(escape(gettext(message)))


def close_by_hand(slug):
    item = consultation(slug)
    item.closed_at = clock.now_utc()
    db.session.commit()


def test_an_upcoming_and_a_closed_consultation_preview_in_two_languages(admin):
    assert create(admin).status_code == 302  # upcoming, in English and French
    close_by_hand(SOURCE)
    for slug in ("digital-skills-2025", SOURCE):
        for lang in ("en", "fr"):
            words = said("Preview: nothing is stored", lang)
            page = admin.get(preview_url(slug, lang))
            text = page.get_data(as_text=True)
            assert page.status_code == 200, (slug, lang)
            assert words in text and f'<html lang="{lang}">' in text
            assert text.index('id="preview-banner"') < text.index('id="questionnaire"')
            item = consultation(slug)
            assert item.text("title", lang) in text
            for question in item.questionnaire:  # the real form's fields, every one of them
                assert f'id="{field_name(question)}' in text or question.kind == "matrix"
            assert f'action="{preview_url(slug, lang)}"' in text
            assert page.headers["Cache-Control"] == "no-store"
        # The switcher lists the offered languages, and only those.
        text = admin.get(preview_url(slug, "en")).get_data(as_text=True)
        switcher = text[
            text.index('class="preview-languages"') : text.index(
                "</nav>", text.index('class="preview-languages"')
            )
        ]
        offered = item.questionnaire.languages(list(LANGUAGES))
        listed = re.findall(r'formaction="[^"]*/preview/([a-z]{2})"', switcher)
        assert listed == [code for code in offered if code != "en"] and "fr" in listed
        assert 'aria-current="page" lang="en"' in switcher
    made = consultation("digital-skills-2025")
    assert made.questionnaire.languages(["de"]) == []
    assert admin.get(preview_url("digital-skills-2025", "de")).status_code == 404
    assert admin.get(preview_url("no-such-consultation", "en")).status_code == 404


def test_the_consultations_page_links_to_the_preview(admin):
    page = admin.get(f"/admin/consultations/{SOURCE}").get_data(as_text=True)
    assert f'href="{preview_url(SOURCE, "en")}" id="preview-link"' in page


def test_a_posted_preview_with_an_error_shows_the_real_message(admin, app):
    before = counts()
    data = {**tokens(admin, SOURCE, "fr"), **valid_form_data(consultation(SOURCE).questionnaire)}
    email = consultation(SOURCE).questionnaire.profile_questions()["email"]
    data[field_name(email)] = "not an address"
    result = admin.post(preview_url(SOURCE, "fr"), data=data)
    text = result.get_data(as_text=True)
    assert result.status_code == 400
    assert 'id="error-summary"' in text and said("Preview: nothing is stored", "fr") in text
    assert said("Enter an e-mail address in the form name@example.org.", "fr") in text
    assert 'value="not an address"' in text  # what was typed is shown again
    assert counts() == before


def test_a_valid_posted_preview_stores_nothing(admin, app):
    close_by_hand(SOURCE)  # previewed whatever the state: the public form would refuse it
    folder = app.config["UPLOAD_FOLDER"]
    before, files_before = counts(), files(folder)
    audited = db.session.scalar(select(func.count()).select_from(AuditRecord))
    questionnaire = consultation(SOURCE).questionnaire
    data = {**tokens(admin, SOURCE), **valid_form_data(questionnaire), "send_copy": "y"}
    result = admin.post(preview_url(SOURCE, "en"), data=data, content_type="multipart/form-data")
    text = result.get_data(as_text=True)
    assert result.status_code == 200, text[:3000]
    assert 'id="error-summary"' not in text
    assert "These answers would be accepted" in text and "nothing was stored" in text
    data = {**tokens(admin, SOURCE), **valid_form_data(questionnaire), "action": "save_draft"}
    result = admin.post(preview_url(SOURCE, "en"), data=data, content_type="multipart/form-data")
    assert "no draft was saved" in result.get_data(as_text=True)
    assert counts() == before and files(folder) == files_before
    assert db.session.scalar(select(func.count()).select_from(AuditRecord)) == audited


def test_switching_language_keeps_what_was_typed_and_stores_nothing(admin):
    before = counts()
    questionnaire = consultation(SOURCE).questionnaire
    data = {**tokens(admin, SOURCE), **valid_form_data(questionnaire), "switch_language": "fr"}
    result = admin.post(preview_url(SOURCE, "fr"), data=data, content_type="multipart/form-data")
    text = result.get_data(as_text=True)
    assert result.status_code == 200 and '<html lang="fr">' in text
    assert 'id="error-summary"' not in text
    email = questionnaire.profile_questions()["email"]
    assert 'value="person@example.org"' in text and field_name(email) in text
    # The header's list of languages works the same way (no JavaScript needed).
    data = {**tokens(admin, SOURCE), **valid_form_data(questionnaire)}
    data.update(switch_language="chosen", language_choice="en")
    text = admin.post(preview_url(SOURCE, "fr"), data=data).get_data(as_text=True)
    assert '<html lang="en">' in text and f'action="{preview_url(SOURCE, "en")}"' in text
    assert admin.get_cookie("locale") is None  # the admin's own language is left as it was
    assert counts() == before


def test_a_forged_preview_post_is_told_as_the_public_form_tells_it(admin):
    data = valid_form_data(consultation(SOURCE).questionnaire)
    result = admin.post(preview_url(SOURCE, "en"), data=data, content_type="multipart/form-data")
    assert result.status_code == 400
    assert "Please send the form again" in result.get_data(as_text=True)


def test_a_file_is_checked_and_not_kept(admin, app):
    questionnaire = consultation(SOURCE).questionnaire
    [question] = [q for q in questionnaire if q.kind == "file"] or [None]
    if question is None:
        pytest.skip("no file question in this questionnaire")
    folder = app.config["UPLOAD_FOLDER"]
    before, files_before = counts(), files(folder)
    data = {**tokens(admin, SOURCE), **valid_form_data(questionnaire)}
    data[field_name(question)] = (io.BytesIO(b"not a pdf"), "paper.pdf")
    result = admin.post(preview_url(SOURCE, "en"), data=data, content_type="multipart/form-data")
    assert result.status_code == 400
    assert "its content is not a PDF document" in result.get_data(as_text=True)
    assert counts() == before and files(folder) == files_before


@pytest.mark.parametrize("role", ["analyst", "moderator"])
def test_analysts_and_moderators_are_refused(app, consultations, role):
    client = signed_in_client(app, f"{role}@example.org", role)
    assert client.get(preview_url(SOURCE, "en")).status_code == 403
    assert client.post(preview_url(SOURCE, "en"), data={}).status_code == 403
    page = client.get(f"/admin/consultations/{SOURCE}").get_data(as_text=True)
    assert "preview-link" not in page


def test_anonymous_people_are_sent_to_sign_in(client, consultations):
    for method in ("GET", "POST"):
        result = client.open(preview_url(SOURCE, "en"), method=method)
        assert result.status_code == 302 and "/admin/sign-in" in result.headers["Location"]
