"""The reports and exports of the admin area in a browser: a job followed to its download,
with JavaScript (the page updates itself) and without (it refreshes itself)."""

import pytest

from consultation.jobs.queue import queue_of

from .admin import give_code
from .test_accessibility import admin_account, axe_problems  # noqa: F401 (a fixture)

SLUG = "apply-ai"


def signed_in(browser, live_server, account, *, javascript, width=1280):
    context = browser.new_context(
        locale="en-GB", viewport={"width": width, "height": 900}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    page.goto(page.base_url + "/admin/sign-in")
    page.fill("#email", account[0])
    page.fill("#password", account[1])
    page.locator("form.narrow button[type=submit]").click()
    give_code(page, live_server.app, account[0])
    page.wait_for_url("**/admin/")
    return context, page


def run_jobs(live_server):
    with live_server.app.app_context():
        return queue_of(live_server.app).run_pending()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_an_export_is_followed_to_its_download(
    browser,
    live_server,
    admin_account,  # noqa: F811 (the fixture imported above)
    screenshots,
    javascript,
):
    name = "js" if javascript else "nojs"
    context, page = signed_in(browser, live_server, admin_account, javascript=javascript)
    try:
        page.goto(f"{page.base_url}/admin/consultations/{SLUG}")
        page.get_by_role("button", name="Prepare the CSV file").first.click()
        page.wait_for_url("**/admin/jobs/*")
        assert "Waiting to start" in page.locator("#job-label").inner_text()
        assert page.locator("progress#job-progress").count() == 1
        screenshots(page, f"job-waiting-{name}-1280")
        page.set_viewport_size({"width": 360, "height": 800})
        screenshots(page, f"job-waiting-{name}-360")
        if javascript:  # axe-core and the width check run as scripts in the page
            assert axe_problems(page) == []
            assert page.evaluate("document.documentElement.scrollWidth") <= 360

        assert run_jobs(live_server) == 1
        # No click: the script (or, without it, the page's own refresh) brings the result.
        download_link = page.get_by_role("link", name="Download")
        download_link.wait_for(timeout=15_000)
        assert "Ready" in page.locator("#job-label").inner_text()
        if javascript:
            assert axe_problems(page) == []
        screenshots(page, f"job-done-{name}-360")
        page.set_viewport_size({"width": 1280, "height": 900})
        screenshots(page, f"job-done-{name}-1280")
        with page.expect_download() as downloaded:
            download_link.click()
        assert downloaded.value.suggested_filename.endswith(".csv")

        page.goto(f"{page.base_url}/admin/consultations/{SLUG}#reports")
        assert page.locator("table.jobs tbody tr").count() >= 1
        screenshots(page, f"reports-list-{name}-1280")
        page.set_viewport_size({"width": 360, "height": 800})
        screenshots(page, f"reports-list-{name}-360")
        if javascript:
            assert axe_problems(page) == []
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()
