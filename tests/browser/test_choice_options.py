"""Tick boxes and "Other, please specify" in a real browser, with and without JavaScript, on a
phone-sized screen (issue 12, items 3, 4 and 10)."""

import pytest

from .test_respondent_journeys import answers, fill_quickly, receipt_of

pytestmark = pytest.mark.browser

SLUG = "apply-ai"
PHONE = {"width": 360, "height": 800}


def test_exclusive_and_too_many_boxes_are_said_at_once(browser, live_server, screenshots):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/consultations/{SLUG}/respond")
    live = page.locator("#q_ai_act_hardest-live")
    assert live.get_attribute("aria-live") == "polite" and live.inner_text() == ""

    page.check("#q_ai_act_hardest")
    page.check("#q_ai_act_hardest-transparency")
    page.check("#q_ai_act_hardest-dont_know")  # "I don't know yet" goes alone
    assert not page.locator("#q_ai_act_hardest").is_checked()
    assert not page.locator("#q_ai_act_hardest-transparency").is_checked()
    assert live.inner_text() == "“I don't know yet” cannot be combined with other options."
    screenshots(page, "choices-exclusive-360")
    page.check("#q_ai_act_hardest-documentation")  # and another option unticks it
    assert not page.locator("#q_ai_act_hardest-dont_know").is_checked()

    barriers = page.locator("#q_barriers-live")
    for box in ("#q_barriers", "#q_barriers-skills", "#q_barriers-data"):
        page.check(box)
    assert barriers.inner_text() == ""
    page.check("#q_barriers-trust")  # a fourth, when at most 3 are allowed
    assert barriers.inner_text() == (
        "You can select at most 3 options: untick one to choose another."
    )
    assert page.locator("#q_barriers-trust").is_checked()  # said, not undone
    screenshots(page, "choices-too-many-360")
    page.uncheck("#q_barriers-trust")
    assert barriers.inner_text() == ""
    # The limit itself is said once, above the boxes.
    notes = page.locator("#question-barriers .hint").all_inner_texts()
    assert [note for note in notes if "3" in note] == ["Select at most 3 options."]
    context.close()


def test_the_other_box_shows_while_other_is_chosen(browser, live_server, screenshots):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/consultations/{SLUG}/respond")
    box = page.locator("#q_sectors-other-text")
    assert box.is_hidden()
    page.check("#q_sectors-other_sector")
    assert box.is_visible()
    assert page.get_by_label("“Another sector”: please specify").is_visible()
    box.fill("Water utilities")
    page.uncheck("#q_sectors-other_sector")
    assert box.is_visible()  # what was typed is never hidden away
    box.fill("")
    page.check("#q_sectors")
    assert box.is_hidden()
    page.check("#q_respondent_type-other")
    assert page.locator("#q_respondent_type-other-text").is_visible()
    screenshots(page, "other-box-360")
    context.close()


def test_other_texts_without_javascript_reach_the_receipt(browser, live_server, screenshots):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/consultations/{SLUG}/respond")
    # Every text box is there, each with its label, whatever is chosen.
    assert page.locator("#q_sectors-other-text").is_visible()
    assert page.locator("#q_barriers-other-text").is_visible()
    screenshots(page, "other-box-nojs-360")

    data = answers()
    data.update({"q_respondent_type": "eu_citizen", "q_sectors": ["energy", "other_sector"]})
    fill_quickly(page, data)
    page.fill("#q_sectors-other-text", "Water utilities")
    page.fill("#q_barriers-other-text", "Insurance questions")  # "Something else" not ticked
    page.get_by_role("button", name="Send my contribution").click()

    # Refused, with the text still there and the reason given.
    message = page.locator("#q_barriers-error").inner_text()
    assert "did not choose “Something else”" in message
    assert page.locator("#q_barriers-other-text").input_value() == "Insurance questions"
    assert page.locator("#q_sectors-other-text").input_value() == "Water utilities"
    screenshots(page, "other-refused-nojs-360")
    page.check("#q_barriers-other")
    page.get_by_role("button", name="Send my contribution").click()

    receipt_of(page)
    receipt = page.locator("main").inner_text()
    assert "Another sector: Water utilities" in receipt
    assert "Something else: Insurance questions" in receipt
    screenshots(page, "other-receipt-nojs-360")
    context.close()


def test_a_text_limit_is_said_once_when_the_counter_runs(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/consultations/{SLUG}/respond")
    question = page.locator("#question-use_cases")
    counter = page.locator("#q_use_cases-count")
    assert counter.inner_text() == "You have 1,500 characters remaining"
    saying = question.locator("p", has_text="1,500")
    seen = [p for p in saying.all() if (p.bounding_box() or {"width": 0})["width"] > 1]
    assert [p.inner_text() for p in seen] == ["You have 1,500 characters remaining"]
    # Still read out with the text box, once.
    assert "q_use_cases-limits" in page.get_attribute("#q_use_cases", "aria-describedby")
    context.close()
