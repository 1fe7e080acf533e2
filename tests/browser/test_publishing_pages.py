"""The published contributions and the moderation queue in Chromium: axe-core finds no serious
problem, nothing scrolls sideways on a 360 px phone (English, French, German), the list's
filters and pages work without JavaScript, and selecting words fills the redaction form."""

import pytest
from sqlalchemy import select

from .admin import ensure_responses, sideways_overflow, signed_in
from .test_accessibility import axe_problems

SLUG = "data-union-strategy"
BASE = f"/consultations/{SLUG}/contributions"


@pytest.fixture(scope="module")
def published(live_server):
    """Moderated responses to the Data Union Strategy, published as soon as moderated; the
    public ID of one with words removed, and the id of one waiting."""
    from consultation.audit.operations import Actor
    from consultation.consultations.queries import consultation_by_slug
    from consultation.extensions import db
    from consultation.publishing import operations
    from consultation.publishing.cli import moderate_demo
    from consultation.publishing.models import Redaction
    from consultation.responses.models import Response

    ensure_responses(live_server.app, SLUG, 80)
    app = live_server.app
    with app.app_context():
        consultation = consultation_by_slug(SLUG)
        if consultation.publication_mode != "when_moderated":
            operations.set_publication_mode(consultation, "when_moderated", Actor("browser"))
            moderate_demo(consultation, Actor("browser tests"))
            db.session.commit()
        redacted = db.session.scalar(select(Redaction.response_id).limit(1))
        public_id = db.session.get(Response, redacted).public_id
        waiting = db.session.scalar(
            select(Response.id).where(
                Response.consultation_id == consultation.id, Response.moderation == "pending"
            )
        )
    return public_id, waiting


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_list_and_contribution_are_axe_clean_and_fit_a_phone(
    browser, live_server, published, screenshots, language
):
    public_id, _waiting = published
    for width in (1280, 360):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
        page = context.new_page()
        page.goto(f"{live_server.url}/language/{language}?next=/")
        for name, path in (
            ("list", BASE),
            ("filtered", BASE + "?respondent_type=company&has_attachment=no"),
            ("contribution", f"{BASE}/{public_id}"),
        ):
            page.goto(live_server.url + path)
            assert axe_problems(page) == [], (path, language, width)
            assert sideways_overflow(page) <= 0, f"{path} scrolls sideways at {width} px"
            screenshots(page, f"published-{name}-{width}-{language}")
        context.close()


def test_the_contribution_marks_removed_words(page, published):
    public_id, _waiting = published
    page.goto(f"{page.base_url}{BASE}/{public_id}")
    assert page.locator(".removed").count() >= 1
    assert "[removed]" in page.locator(".removed").first.inner_text()
    assert page.locator("#redaction-notice").is_visible()


def test_filters_and_pages_work_without_javascript(browser, live_server, published):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.goto(live_server.url + BASE)
    total = page.locator("#found").inner_text()
    options = page.locator("#filter-respondent_type option")
    assert options.count() > 2 and "(" in options.nth(1).inner_text()  # counts beside values
    page.select_option("#filter-respondent_type", index=1)
    page.get_by_role("button", name="Show").click()
    assert "respondent_type=" in page.url
    assert page.locator("#found").inner_text() != total
    page.goto(live_server.url + BASE)
    page.get_by_role("link", name="Older contributions").click()
    assert "after=" in page.url and page.locator(".contribution-card").count() > 0
    page.get_by_role("link", name="Newest contributions").click()
    assert "after=" not in page.url
    context.close()


def test_moderation_pages_are_axe_clean_and_selection_fills_the_form(
    browser, live_server, published, screenshots
):
    _public_id, waiting = published
    context, page = signed_in(browser, live_server)
    page.goto(f"{live_server.url}/admin/consultations/{SLUG}/moderation")
    assert axe_problems(page) == []
    screenshots(page, "moderation-queue")
    page.goto(f"{live_server.url}/admin/responses/{waiting}/moderation")
    assert axe_problems(page) == []
    text = page.locator(".moderated-text").first
    answer = text.get_attribute("data-answer")
    words = page.evaluate(
        """(id) => {
        const el = document.querySelector('.moderated-text[data-answer="' + id + '"]');
        const node = el.firstChild, range = document.createRange();
        const start = node.textContent.indexOf(' ') + 1, end = node.textContent.indexOf(' ', start);
        range.setStart(node, start); range.setEnd(node, end);
        getSelection().removeAllRanges(); getSelection().addRange(range);
        document.dispatchEvent(new MouseEvent('mouseup'));
        return range.toString(); }""",
        answer,
    )
    form = page.locator(f'.redact-form[data-answer="{answer}"]')
    assert form.locator("textarea").input_value() == words
    assert (
        form.locator('input[name="occurrence"]').input_value() == "1" or words in text.inner_text()
    )
    screenshots(page, "moderation-response")
    context.close()
