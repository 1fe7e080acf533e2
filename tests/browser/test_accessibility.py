"""axe-core finds no serious or critical problem on any public page, blank or with errors."""

import pytest

SLUGS = ["apply-ai", "cloud-ai-development-act", "data-union-strategy"]
BLOCKING = {"serious", "critical"}


def axe_problems(page):
    """The serious and critical axe-core violations of the page, in words."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def test_home_page(page):
    page.goto(page.base_url + "/")
    assert axe_problems(page) == []


@pytest.mark.parametrize("slug", SLUGS)
def test_consultation_page(page, slug):
    page.goto(f"{page.base_url}/consultations/{slug}")
    assert axe_problems(page) == []


@pytest.mark.parametrize("slug", SLUGS)
def test_blank_questionnaire(page, slug):
    page.goto(f"{page.base_url}/consultations/{slug}/respond")
    assert axe_problems(page) == []


@pytest.mark.parametrize("slug", SLUGS)
def test_questionnaire_with_errors_focuses_the_summary(page, slug):
    page.goto(f"{page.base_url}/consultations/{slug}/respond")
    page.get_by_role("button", name="Send my contribution").click()
    page.wait_for_selector("#error-summary")
    assert page.title().startswith("Error: ")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    first_link = page.locator("#error-summary a").first
    first_link.click()
    target = first_link.get_attribute("href")
    assert page.evaluate("location.hash") == target
    assert axe_problems(page) == []


def test_error_is_tied_to_its_field_in_radio_groups(page):
    page.goto(f"{page.base_url}/consultations/apply-ai/respond")
    page.get_by_role("button", name="Send my contribution").click()
    group = page.get_by_role("group", name="I am giving my contribution as")
    assert group.get_attribute("aria-describedby") == "q_respondent_type-error"
    assert "Select one option." in page.locator("#q_respondent_type-error").inner_text()


def test_receipt_after_a_submission_made_with_the_keyboard(page):
    from .filling import fill_apply_ai

    page.goto(f"{page.base_url}/consultations/apply-ai/respond")
    fill_apply_ai(page)
    page.keyboard.press("Enter")  # the focus is on the send button
    page.wait_for_url("**/contributions/*")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Thank you")
    assert axe_problems(page) == []


def test_skip_link_is_first_and_visible_when_focused(page):
    page.goto(f"{page.base_url}/consultations/apply-ai/respond")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("width", [360, 640])  # a phone, and 1280 pixels at 200% zoom
def test_pages_reflow_without_sideways_scrolling(browser, live_server, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="fr-FR")
    try:
        page = context.new_page()
        for path in ("/", "/consultations/cloud-ai-development-act/respond"):
            page.goto(live_server.url + path)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
    finally:
        context.close()
