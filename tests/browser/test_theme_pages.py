"""The themes and coding pages in a browser: axe-core finds nothing serious, nothing scrolls
sideways on a phone, and codes are ticked and saved with JavaScript turned off."""

import pytest

from .admin import ensure_admin, ensure_responses, sideways_overflow, signed_in
from .test_accessibility import axe_problems

SLUG = "data-union-strategy"
KEY = "final_comments"
QUESTION = f"/admin/consultations/{SLUG}/questions/{KEY}"


@pytest.fixture(scope="module")
def theme_paths(live_server):
    """Themes found and a code in the codebook, in the live server's database."""
    from consultation.audit.operations import Actor
    from consultation.consultations.queries import consultation_by_slug
    from consultation.extensions import db
    from consultation.themes import operations, queries

    ensure_admin(live_server.app)
    ensure_responses(live_server.app, SLUG, 300)
    with live_server.app.app_context():
        record = queries.question_by_key(consultation_by_slug(SLUG), KEY)[1]
        if not queries.themes(record.id):
            operations.find_question_themes(record, Actor("browser tests"))
        if not queries.codebook(record.id):
            operations.create_code(
                record, "Datenschutz und Vertraulichkeit", Actor("browser tests")
            )
        db.session.commit()
    return {
        "index": f"/admin/consultations/{SLUG}/themes",
        "themes": f"{QUESTION}/themes",
        "coding": f"{QUESTION}/coding",
    }


@pytest.mark.parametrize("language", ["en", "de"])
def test_theme_pages_pass_axe_and_fit_a_phone(
    browser, live_server, screenshots, theme_paths, language
):
    for width in (360, 1280):
        context, page = signed_in(browser, live_server, width=width, language=language)
        try:
            for name, path in theme_paths.items():
                page.goto(live_server.url + path)
                assert axe_problems(page) == [], (name, width)
                assert sideways_overflow(page) <= 0, f"{path} scrolls sideways at {width} px"
                screenshots(page, f"themes-{name}-{width}-{language}")
        finally:
            context.close()


def test_codes_are_ticked_without_javascript(browser, live_server, theme_paths):
    from .admin import ADMIN, give_code

    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto(live_server.url + "/admin/sign-in")
        page.fill("#email", ADMIN[0])
        page.fill("#password", ADMIN[1])
        page.press("#password", "Enter")
        give_code(page, live_server.app)
        page.wait_for_url("**/admin/")
        page.goto(live_server.url + theme_paths["coding"])
        box = page.locator("fieldset.coding-codes input[type=checkbox]").first
        box.check()
        page.click("button:has-text('Save the codes of this page')")
        assert "Codes saved: 1 answer changed." in page.inner_text(".flash")
        assert page.locator("fieldset.coding-codes input[type=checkbox]").first.is_checked()
    finally:
        context.close()
