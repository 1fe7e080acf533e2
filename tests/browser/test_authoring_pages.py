"""The admin area's consultation pages: axe finds nothing serious on them, blank or with
errors, and an admin makes, checks and archives a consultation without JavaScript."""

from datetime import timedelta

from consultation import clock

from .admin import ensure_admin, give_code
from .test_accessibility import axe_problems

PAGES = {
    "list": "/admin/manage/consultations",
    "create": "/admin/manage/consultations/new",
    "import": "/admin/manage/consultations/import",
    "duplicate": "/admin/consultations/apply-ai/duplicate",
    "refused": "/admin/consultations/apply-ai/settings",
}


def sign_in(browser, live_server, javascript=True):
    email, password = ensure_admin(live_server.app)
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", java_script_enabled=javascript
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/admin/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    page.press("#password", "Enter")
    give_code(page, live_server.app)  # admins sign in with a second factor
    page.wait_for_url("**/admin/")
    return context, page


def submit(page):
    """The form's main button (not "Show the text fields of these languages")."""
    page.locator("main form button.button:not(.button-secondary)").click()


def test_the_pages_pass_axe_blank_and_with_errors(browser, live_server, screenshots):
    context, page = sign_in(browser, live_server)
    try:
        problems = {}
        for name, path in PAGES.items():
            page.goto(live_server.url + path)
            problems[name] = axe_problems(page)
        page.goto(live_server.url + PAGES["create"])
        page.fill("#slug", "Not a slug")
        page.fill("#title_en", "Digital skills")
        page.check("#languages-fr")
        submit(page)
        page.wait_for_selector("#error-summary")
        assert "Title – Français (fr)" in page.locator("#error-summary").inner_text()
        problems["create with errors"] = axe_problems(page)
        screenshots(page, "authoring-create-errors")
        page.goto(live_server.url + PAGES["import"])
        page.set_input_files(
            "#file", files=[{"name": "x.yaml", "mimeType": "text/yaml", "buffer": b"slug: x\n"}]
        )
        submit(page)
        page.wait_for_selector("#file-error")
        assert "x.yaml: The file has no title" in page.locator("#file-error").inner_text()
        problems["import with errors"] = axe_problems(page)
        assert problems == dict.fromkeys(problems, [])
    finally:
        context.close()


def test_an_admin_makes_a_consultation_without_javascript(browser, live_server):
    context, page = sign_in(browser, live_server, javascript=False)
    today = clock.today_brussels()
    try:
        page.goto(live_server.url + PAGES["create"])
        page.fill("#slug", "made-without-javascript")
        page.select_option("#source", "apply-ai")
        page.fill("#opens", (today + timedelta(days=10)).isoformat())
        page.fill("#closes", (today + timedelta(days=40)).isoformat())
        page.fill("#title_en", "Made without JavaScript")
        page.check("#languages-fr")
        page.get_by_role("button", name="Show the text fields of these languages").click()
        page.wait_for_selector("#title_fr")
        assert page.input_value("#title_en") == "Made without JavaScript"  # nothing lost
        page.fill("#title_fr", "Fait sans JavaScript")
        for code in ("en", "fr"):
            page.fill(f"#summary_{code}", f"Summary {code}")
            page.fill(f"#privacy_notice_{code}", f"Privacy {code}")
        submit(page)
        page.wait_for_url("**/admin/consultations/made-without-javascript")
        assert "Made without JavaScript" in page.locator("h1").inner_text()
        # a draft until published: the public page is found only then
        public = f"{live_server.url}/consultations/made-without-javascript"
        assert page.request.get(public).status == 404
        page.get_by_role("button", name="Publish…").click()
        page.get_by_role("button", name="Yes: Publish").click()
        page.wait_for_selector("text=was published")
        page.goto(f"{live_server.url}/language/fr?next=/consultations/made-without-javascript")
        assert page.locator("h1").inner_text() == "Fait sans JavaScript"
        page.goto(f"{live_server.url}/language/en?next={PAGES['list']}")
        # archived, so the other browser tests see the three consultations they expect
        page.locator("form[action$='/made-without-javascript/archive'] button").click()
        page.get_by_role("button", name="Yes: Archive").click()
        page.wait_for_selector("text=was archived")
        assert "made-without-javascript" not in page.request.get(live_server.url + "/").text()
    finally:
        context.close()
