"""The receipt in a real browser: the reference to quote, the private links to keep, on a
phone and a desktop, with and without JavaScript."""

import re

import pytest

from .test_accessibility import axe_problems
from .test_respondent_journeys import RECEIPT_URL, REFERENCE, answers, fill_quickly

pytestmark = pytest.mark.browser

SLUG = "apply-ai"

#: How many lines each reference group and each private link take, and whether it overflows.
LAYOUT = """() => ({
  groups: Array.from(document.querySelectorAll('.reference .reference-group'))
    .map(g => g.getClientRects().length),
  links: Array.from(document.querySelectorAll('p.private-link')).map(p => ({
    id: p.id, cut: p.scrollWidth > p.clientWidth, text: p.innerText.replace(/\\n/g, ''),
    copy: p.getAttribute('data-copy'), select: getComputedStyle(p).userSelect,
  })),
  pageWidth: document.documentElement.scrollWidth,
})"""


def send_contribution(browser, live_server, width, **options):
    """A fresh browser at ``width`` px sends a complete contribution; its page is on the receipt."""
    context = browser.new_context(viewport={"width": width, "height": 900}, **options)
    page = context.new_page()
    page.goto(f"{live_server.url}/consultations/{SLUG}/respond")
    fill_quickly(page, answers())
    page.get_by_role("button", name="Send my contribution").click()
    page.wait_for_url(RECEIPT_URL)
    return context, page


@pytest.mark.parametrize("width", [360, 1280])
def test_the_receipt_shows_the_reference_and_links_whole_with_a_copy_button(
    browser, live_server, screenshots, width
):
    context, page = send_contribution(browser, live_server, width)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    reference = page.locator(".reference .reference-text").get_attribute("data-reference")
    assert REFERENCE.match(reference)
    assert page.locator(".reference").inner_text().strip() == reference  # copies as it reads

    layout = page.evaluate(LAYOUT)
    assert layout["groups"] == [1, 1, 1]  # no group broken across lines
    assert layout["pageWidth"] <= width
    links = {link["id"]: link for link in layout["links"]}
    assert set(links) == {"receipt-url", "edit-url"}
    assert links["receipt-url"]["copy"] == page.url
    for link in links.values():
        assert not link["cut"] and link["text"] == link["copy"]  # shown whole
    screenshots(page, f"receipt-{width}")

    page.locator("#edit-link").get_by_role("button", name="Copy the link").click()
    assert page.evaluate("navigator.clipboard.readText()") == links["edit-url"]["copy"]
    assert page.locator("#edit-link .copy-status").inner_text() == "Link copied"
    page.locator("#receipt-link").get_by_role("button", name="Copy the link").click()
    assert page.evaluate("navigator.clipboard.readText()") == page.url
    assert axe_problems(page) == []
    context.close()


def test_the_receipt_link_opens_the_answers_and_the_reference_opens_nothing(
    browser, live_server, screenshots
):
    context, page = send_contribution(browser, live_server, 1280)
    reference = page.locator(".reference .reference-text").get_attribute("data-reference")
    receipt = page.url
    context.close()

    context = browser.new_context()  # another device: only what was kept
    page = context.new_page()
    page.goto(receipt)
    assert page.locator(".reference strong").inner_text().strip() == reference
    text = page.locator("main").inner_text()
    assert "Answer to first_name" in text and "person@example.org" in text
    assert page.locator("#edit-url").count() == 0  # the receipt link never shows the edit link

    for address in (reference, reference.lower().replace("-", "")):
        page.goto(f"{live_server.url}/contributions/{address}")
        assert page.locator("h1").inner_text() == "A reference does not open a contribution"
        text = page.locator("main").inner_text()
        assert "Answer to first_name" not in text and "person@example.org" not in text
    screenshots(page, "reference-opens-nothing")
    assert axe_problems(page) == []
    context.close()


def test_without_javascript_the_links_are_whole_and_selectable(browser, live_server):
    context, page = send_contribution(browser, live_server, 360, java_script_enabled=False)
    assert page.locator(".copy-button").count() == 0
    for link in page.evaluate(LAYOUT)["links"]:
        assert link["select"] == "all" and not link["cut"] and link["text"] == link["copy"]
    assert re.search(
        r"/contributions/edit/[A-Za-z0-9_-]{43}$",
        page.locator("#edit-url").inner_text().replace("\n", ""),
    )
    context.close()
