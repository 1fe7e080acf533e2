"""The long questionnaire's map, a chosen file kept through an error, the footer pages."""

import re

import pytest

from ..answers import PDF
from ..test_site_pages import PAGES as FOOTER_PAGES
from .test_accessibility import axe_problems
from .test_respondent_journeys import SLUG, answers, fill_quickly, receipt_of

pytestmark = pytest.mark.browser

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize("javascript", [True, False])
def test_a_chosen_file_survives_an_error_and_is_sent(browser, live_server, screenshots, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{live_server.url}/consultations/{SLUG}/respond")
    data = answers()
    fill_quickly(page, data, skip={"q_email"})  # the e-mail address is forgotten
    page.set_input_files(
        "#q_position_paper", {"name": "paper.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Send my contribution").click()

    page.wait_for_selector("#error-summary")
    kept = page.locator("#q_position_paper-kept")
    assert kept.inner_text().startswith("Attached: paper.pdf. It is kept")
    assert page.get_by_label("Remove paper.pdf").is_visible()
    assert page.locator("#q_position_paper").input_value() == ""  # the browser forgot it...
    screenshots(page, f"file-kept-{'js' if javascript else 'nojs'}")
    if javascript:  # axe-core itself needs JavaScript
        assert axe_problems(page) == []
    page.fill("#q_email", "person@example.org")
    page.get_by_role("button", name="Send my contribution").click()

    receipt_of(page)
    assert "paper.pdf" in page.locator("main").inner_text()  # ...but it was sent
    context.close()


@pytest.mark.parametrize("width", [1280, 360])
def test_the_map_of_the_long_questionnaire(browser, live_server, screenshots, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server.url}/consultations/cloud-ai-development-act/respond")
    nav = page.get_by_role("navigation", name="Sections of this questionnaire")
    assert nav.is_visible()
    assert "minutes" in nav.inner_text()
    screenshots(page, f"form-map-{width}")
    about = nav.locator('[data-map-section="about_you"]')
    assert about.inner_text() == "answered: 1 of 9"

    # Answering updates the map at once; choosing a company brings its questions in.
    page.check('[name="q_respondent_type"][value="company"]')
    page.fill("#q_first_name", "Ada")
    page.locator("#q_first_name").blur()
    assert about.inner_text() == "answered: 3 of 12"
    assert nav.locator('[data-map-section="company_profile"]').inner_text() == "answered: 0 of 1"
    assert "3 of" in page.locator("#form-progress-text").inner_text()

    nav.get_by_role("link", name="Before you send").click()
    assert page.evaluate("location.hash") == "#section-declaration"
    heading = page.get_by_role("heading", name="Before you send").bounding_box()
    assert 0 <= heading["y"] < 800
    assert page.locator("#send").bounding_box()["y"] < heading["y"] + 800  # Send follows it
    page.get_by_role("link", name="Back to the list of sections").last.click()
    assert page.evaluate("location.hash") == "#form-map"
    assert page.evaluate(SIDEWAYS) <= 0
    context.close()


def test_the_map_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/consultations/{SLUG}/respond")
    nav = page.get_by_role("navigation", name="Sections of this questionnaire")
    assert nav.locator('[data-map-section="about_you"]').inner_text() == "answered: 1 of 9"
    nav.get_by_role("link", name="Anything else?").click()
    assert page.evaluate("location.hash") == "#section-final"
    context.close()


@pytest.mark.parametrize("language", ["en", "fr", "de"])
@pytest.mark.parametrize("path", FOOTER_PAGES)
def test_footer_pages(browser, live_server, screenshots, path, language):
    context = browser.new_context(locale=language, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.locator("footer").get_by_role("link", name=FOOTER_PAGES[path][language]).click()
    page.wait_for_url(re.compile(re.escape(path) + "$"))
    assert page.locator("h1").inner_text() == FOOTER_PAGES[path][language]
    assert axe_problems(page) == []
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate(SIDEWAYS) <= 0, f"{path} scrolls sideways at 360 px"
    screenshots(page, f"footer{path.replace('/', '-')}-{language}-360")
    context.close()


def test_pages_with_and_without_a_breadcrumb_start_at_the_same_height(page):
    tops = {}
    for path in ("/", "/consultations/apply-ai", f"/consultations/{SLUG}/respond", "/privacy"):
        page.goto(page.base_url + path)
        tops[path] = page.evaluate(
            "document.querySelector('main').firstElementChild.getBoundingClientRect().top"
        )
    assert len(set(tops.values())) == 1, tops
