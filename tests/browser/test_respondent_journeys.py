"""A respondent in a real browser: by keyboard, without JavaScript, with a draft, editing."""

import re
from contextlib import contextmanager
from pathlib import Path

import pytest

from consultation import clock
from consultation.consultations.queries import consultation_by_slug
from consultation.extensions import db
from consultation.questionnaires.definition import Questionnaire
from consultation.questionnaires.loader import definition_files, parse_file

from ..answers import PDF, valid_form_data
from ..reporting import pdf_text

pytestmark = pytest.mark.browser

SLUG = "apply-ai"
REFERENCE = re.compile(r"^[2-9A-HJKMNP-TV-Z]{4}(-[2-9A-HJKMNP-TV-Z]{4}){2}$")
RECEIPT_URL = re.compile(r"/contributions/receipt/[A-Za-z0-9_-]{43}$")

FOCUSED = """() => {
  const e = document.activeElement;
  return {
    tag: e.tagName.toLowerCase(), type: (e.type || '').toLowerCase(), name: e.name || '',
    value: e.value || '', checked: !!e.checked, text: (e.textContent || '').trim(),
    options: e.tagName === 'SELECT' ? Array.from(e.options).map(o => o.value) : [],
    selected: e.tagName === 'SELECT' ? e.selectedIndex : -1,
  };
}"""


def questionnaire(slug=SLUG):
    path = next(p for p in definition_files() if p.stem == slug)
    return Questionnaire(parse_file(path))


def answers(slug=SLUG):
    """A complete contribution as form names and values, without the file."""
    data = valid_form_data(questionnaire(slug))
    return {name: value for name, value in data.items() if not isinstance(value, tuple)}


def fill_with_keyboard(page, data, *, until="Send my contribution", limit=1500):
    """Tab through the page from the top and answer each control with keys only.

    Radio groups are answered with the arrow keys (or Space), tick boxes with Space,
    drop-downs with the arrow keys and text with typing; whatever is not in ``data``
    (links, the file chooser, questions that do not apply) is tabbed past. Stops on
    the button labelled ``until``, focused.
    """
    page.locator("body").focus()
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] == "button" and focused["text"] == until:
            return
        assert focused["tag"] != "body", "focus left the page before reaching the button"
        wanted = data.get(focused["name"])
        if wanted is None:
            continue
        if focused["type"] == "radio":
            for _ in range(60):
                if page.evaluate(FOCUSED)["value"] == wanted:
                    break
                page.keyboard.press("ArrowDown")
            if not page.evaluate(FOCUSED)["checked"]:
                page.keyboard.press("Space")
        elif focused["type"] == "checkbox":
            chosen = wanted if isinstance(wanted, list) else [wanted]
            if (focused["value"] in chosen) != focused["checked"]:
                page.keyboard.press("Space")
        elif focused["tag"] == "select":
            steps = focused["options"].index(wanted) - focused["selected"]
            for _ in range(abs(steps)):
                page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
            assert page.evaluate(FOCUSED)["value"] == wanted
        else:
            page.keyboard.press("Control+A")
            page.keyboard.type(wanted)
    raise AssertionError(f"no button {until!r} reached with the keyboard")


def fill_quickly(page, data, skip=()):
    """Answer with Playwright's helpers, in questionnaire order, only where a question shows."""
    for name, value in data.items():
        if name in skip:
            continue
        control = page.locator(f'[name="{name}"]').first
        if not control.is_visible():
            continue
        kind = control.evaluate("e => e.tagName === 'SELECT' ? 'select' : e.type")
        if kind == "radio":
            page.check(f'[name="{name}"][value="{value}"]')
        elif kind == "checkbox":
            for one in value if isinstance(value, list) else [value]:
                page.check(f'[name="{name}"][value="{one}"]')
        elif kind == "select":
            control.select_option(value)
        else:
            control.fill(value)


def receipt_of(page):
    """The reference shown on the receipt (or the changes saved) the page is on."""
    page.wait_for_url(re.compile(r"/contributions/(receipt/[^/]+|edit/[^/]+/saved)$"))
    reference = page.locator(".reference strong").inner_text().strip()
    assert REFERENCE.match(reference), reference
    return reference


def edit_link(page):
    """The private link to change the contribution, as the page shows it to copy."""
    link = page.locator("#edit-url")
    assert link.inner_text().replace("\n", "") == link.get_attribute("data-copy")  # shown whole
    return link.get_attribute("data-copy")


def test_whole_questionnaire_by_keyboard_with_conditional_questions(
    browser, live_server, screenshots
):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/consultations/{SLUG}/respond")
    organisation = page.locator("#question-organisation_name")
    authority = page.locator("#question-authority_scope")
    assert organisation.is_hidden() and authority.is_hidden()  # until a type is chosen
    assert page.locator(".condition").first.is_hidden()

    fill_with_keyboard(page, answers())

    assert organisation.is_visible()  # appeared on choosing "company"
    assert page.locator("#q_organisation_name").input_value() == "Answer to organisation_name"
    assert authority.is_hidden()  # only for public authorities
    assert page.locator("#q_use_cases").input_value().endswith("\nSecond line.")
    screenshots(page, "keyboard-filled")
    page.keyboard.press("Enter")  # on "Send my contribution"

    reference = receipt_of(page)
    assert page.locator("h1").inner_text() == "Thank you: your contribution has been received"
    receipt = page.locator("main").inner_text()
    assert "Answer to organisation_name" in receipt and "Answer to first_name" in receipt
    assert "/contributions/edit/" in edit_link(page)
    screenshots(page, "keyboard-receipt")
    page.reload()  # a reload soon after still shows the link, in this browser only
    assert page.locator(".reference strong").inner_text().strip() == reference
    assert "/contributions/edit/" in edit_link(page)

    # The PDF copy, downloaded from the receipt with the keyboard.
    copy = page.get_by_role("link", name="Download a copy of your contribution (PDF)")
    copy.focus()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    words = pdf_text(pdf)
    assert reference in words and "Answer to organisation_name" in words
    context.close()


def test_whole_questionnaire_by_keyboard_without_javascript(browser, live_server, screenshots):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/consultations/{SLUG}/respond")
    # Without JavaScript every question shows, with a sentence saying when it applies.
    assert page.locator("#question-organisation_name").is_visible()
    condition = page.locator("#q_organisation_name-condition")
    assert condition.is_visible() and "Answer only if" in condition.inner_text()
    data = answers()
    data["q_authority_scope"] = "national"  # does not apply to a company: not stored

    fill_with_keyboard(page, data)
    screenshots(page, "nojs-filled")
    page.keyboard.press("Enter")

    receipt_of(page)
    receipt = page.locator("main").inner_text()
    assert "Answer to organisation_name" in receipt
    assert "National" not in receipt  # the question that did not apply was left out
    screenshots(page, "nojs-receipt")
    context.close()


def test_draft_saved_then_resumed_in_a_fresh_browser(browser, live_server, screenshots):
    first = browser.new_context()
    page = first.new_page()
    page.goto(f"{live_server.url}/consultations/{SLUG}/respond")
    page.fill("#q_first_name", "Ada")
    page.check('[name="q_respondent_type"][value="company"]')
    page.fill("#q_organisation_name", "Analytical Engines Ltd")
    page.check('[name="q_ai_stage"][value="piloting"]')
    page.fill("#q_staff_using_ai", "about forty")  # not a number: kept as typed
    page.set_input_files(
        "#q_position_paper", {"name": "paper.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Save and continue later").click()

    page.wait_for_url(re.compile(r"/drafts/saved$"))
    assert page.locator("h1").inner_text() == "Your answers are saved"
    link = page.locator("#draft-url").input_value()
    assert re.search(r"/drafts/[A-Za-z0-9_-]{43}$", link)
    screenshots(page, "draft-saved")
    first.close()

    second = browser.new_context()  # another device: no cookies, no history
    page = second.new_page()
    page.goto(link)
    assert "You are continuing the draft" in page.locator("#draft-notice").inner_text()
    assert page.locator("#q_first_name").input_value() == "Ada"
    assert page.locator("#q_organisation_name").is_visible()
    assert page.locator("#q_organisation_name").input_value() == "Analytical Engines Ltd"
    assert page.locator('[name="q_ai_stage"][value="piloting"]').is_checked()
    assert page.locator("#q_staff_using_ai").input_value() == "about forty"
    assert "paper.pdf" in page.locator("#question-position_paper").inner_text()
    screenshots(page, "draft-resumed")
    data = answers()
    data["q_ai_stage"] = "piloting"
    fill_quickly(page, data, skip={"q_respondent_type", "q_ai_stage"})
    page.get_by_role("button", name="Send my contribution").click()

    receipt_of(page)
    receipt = page.locator("main").inner_text()
    assert "Answer to first_name" in receipt and "paper.pdf" in receipt
    page.goto(link)
    assert page.locator("h1").inner_text() == "Page not found"  # the draft became a response
    second.close()


def test_contribution_edited_through_its_private_link(browser, live_server, screenshots):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/consultations/{SLUG}/respond")
    fill_quickly(page, answers())
    page.get_by_role("button", name="Send my contribution").click()
    reference = receipt_of(page)
    link = edit_link(page)
    context.close()

    context = browser.new_context()
    page = context.new_page()
    page.goto(link)
    assert "change your contribution" in page.locator("h1").inner_text()
    assert page.locator("#q_first_name").input_value() == "Answer to first_name"
    page.fill("#q_first_name", "Grace")
    page.fill("#q_use_cases", "A different view.")
    screenshots(page, "edit-form")
    page.get_by_role("button", name="Save my changes").click()

    assert receipt_of(page) == reference
    assert page.locator("h1").inner_text() == "Your changes are saved"
    receipt = page.locator("main").inner_text()
    assert "Grace" in receipt and "A different view." in receipt
    assert "Answer to first_name" not in receipt and "Last changed on" in receipt
    screenshots(page, "edit-saved")
    context.close()


@contextmanager
def closed_early(live_server, slug):
    """Close ``slug`` now on the live server, and open it again afterwards."""
    with live_server.app.app_context():
        consultation_by_slug(slug).closed_at = clock.now_utc()
        db.session.commit()
    try:
        yield
    finally:
        with live_server.app.app_context():
            consultation_by_slug(slug).closed_at = None
            db.session.commit()


def test_after_closing_a_draft_shows_what_was_written_and_downloads_it(
    browser, live_server, screenshots
):
    slug = "data-union-strategy"  # the other journeys use another consultation
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/consultations/{slug}/respond")
    page.fill("#q_first_name", "Ada")
    page.fill("#q_final_comments", "Keep this thought.\nAnd this one.")
    page.get_by_role("button", name="Save and continue later").click()
    link = page.locator("#draft-url").input_value()

    with closed_early(live_server, slug):
        page.goto(link)
        assert page.locator("h1").inner_text() == "Your draft"
        assert "can no longer be sent" in page.locator("#closed-notice").inner_text()
        assert page.locator("form.questionnaire").count() == 0
        assert "Keep this thought." in page.locator("main").inner_text()
        screenshots(page, "draft-after-closing")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download what I wrote (text file)").click()
        assert download.value.suggested_filename == f"{slug}-my-draft.txt"
        text = Path(download.value.path()).read_text()
        assert "Ada" in text and "Keep this thought.\n" in text
    context.close()
