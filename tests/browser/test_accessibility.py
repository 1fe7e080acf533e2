"""axe-core finds no serious or critical problem on any public page, blank or with errors."""

import pytest

from .admin import ensure_admin, ensure_responses, signed_in

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
    # The page's script moves the focus once the document is parsed: wait for it (it may
    # run a moment after the summary is there on a loaded machine), then check it.
    page.wait_for_function("document.activeElement && document.activeElement.id")
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
    page.wait_for_url("**/contributions/receipt/*")
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


# -- pages main added: sign-in, a saved draft, a resumed draft, editing, administration --


@pytest.fixture(scope="module")
def admin_account(live_server):
    """An administrator in the live server's database, created once."""
    return ensure_admin(live_server.app)


def sign_in(page, email, password):
    page.goto(page.base_url + "/admin/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_page(page):
    page.goto(page.base_url + "/admin/sign-in")
    assert axe_problems(page) == []


def test_sign_in_page_with_errors(page):
    page.goto(page.base_url + "/admin/sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector(".error-message")
    assert axe_problems(page) == []
    sign_in(page, "nobody@example.org", "not the password")
    page.wait_for_selector("#error-summary")
    assert axe_problems(page) == []


def save_a_draft(page, slug="apply-ai"):
    page.goto(f"{page.base_url}/consultations/{slug}/respond")
    page.fill("#q_first_name", "Ada")
    page.locator("button[name=action][value=save_draft]").click()
    page.wait_for_url("**/drafts/saved")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_draft_saved_and_resumed_pages(page, screenshots, language):
    if language != "en":
        page.goto(f"{page.base_url}/language/{language}?next=/")
    save_a_draft(page)
    assert axe_problems(page) == []
    screenshots(page, f"draft-saved-{language}")
    page.goto(page.locator("#draft-url").input_value())
    page.wait_for_selector("#draft-notice")
    assert axe_problems(page) == []


def test_edit_page(page):
    from .filling import fill_apply_ai

    page.goto(f"{page.base_url}/consultations/apply-ai/respond")
    fill_apply_ai(page)
    page.keyboard.press("Enter")
    page.wait_for_url("**/contributions/receipt/*")
    page.goto(page.locator("#edit-url").get_attribute("data-copy"))
    page.wait_for_selector("#edit-notice")
    assert axe_problems(page) == []


@pytest.fixture(scope="module")
def admin_paths(live_server):
    """The admin pages to check, with responses, a response and an audit record to show."""
    ensure_admin(live_server.app)  # its creation is in the audit log
    response = ensure_responses(live_server.app, "data-union-strategy", 60)
    responses = "/admin/consultations/data-union-strategy/responses"
    return {
        "dashboard": "/admin/",
        "consultation": "/admin/consultations/data-union-strategy",
        "responses": responses,
        "responses filtered": responses
        + "?respondent_type=company&country=DE&flag=counted&since=2020-01-01&text=data",
        "responses with a wrong date": responses + "?since=yesterday",
        "response": f"/admin/responses/{response}",
        "audit log": "/admin/audit",
        "find by reference": "/admin/responses/lookup",
        "find by reference, not found": "/admin/responses/lookup?reference=ZZZZ-ZZZZ-ZZZZ",
    }


@pytest.mark.parametrize("language", ["en", "fr"])
def test_admin_pages(browser, live_server, screenshots, admin_paths, language):
    context, page = signed_in(browser, live_server, language=language)
    try:
        problems = {}
        for name, path in admin_paths.items():
            page.goto(live_server.url + path)
            problems[name] = axe_problems(page)
        assert problems == dict.fromkeys(admin_paths, [])
        page.goto(live_server.url + admin_paths["dashboard"])
        assert (
            page.locator("h1").inner_text()
            == {"en": "Dashboard", "fr": "Tableau de bord"}[language]
        )
        screenshots(page, f"admin-dashboard-{language}")
    finally:
        context.close()


def test_admin_confirmation_and_refusal_pages(browser, live_server, admin_paths):
    context, page = signed_in(browser, live_server)
    try:
        page.goto(live_server.url + "/admin/consultations/apply-ai")
        page.fill("#close-reason", "Checked with axe")
        page.get_by_role("button", name="Close now…").click()
        page.wait_for_selector("text=Please confirm: Close now")
        assert axe_problems(page) == []
        page.get_by_role("link", name="Cancel").click()  # the consultation stays open

        page.fill("#extend-closing_date", "2020-01-01")
        page.get_by_role("button", name="Change the closing date…").click()
        page.wait_for_selector("#error-summary")
        assert "1 January 2020 is in the past" in page.locator("#error-summary").inner_text()
        assert axe_problems(page) == []

        page.goto(live_server.url + admin_paths["response"])
        page.fill("#erase-reference", page.locator("#reference").inner_text())
        page.get_by_role("button", name="Erase personal data…").click()
        page.wait_for_selector("text=Please confirm: Erase personal data")
        assert axe_problems(page) == []
    finally:
        context.close()
