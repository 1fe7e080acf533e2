"""The questionnaire editor in the browser: an admin builds a small questionnaire with a
condition, previews it in two languages, and a respondent answers it once it is open,
with JavaScript and without."""

from datetime import timedelta

import pytest

from consultation import clock

from .filling import fill_apply_ai
from .test_accessibility import axe_problems
from .test_authoring_pages import PAGES, sign_in, submit


def make_consultation(page, live_server, slug):
    today = clock.today_brussels()
    page.goto(live_server.url + PAGES["create"])
    page.fill("#slug", slug)
    page.select_option("#source", "apply-ai")
    page.fill("#opens", (today + timedelta(days=10)).isoformat())
    page.fill("#closes", (today + timedelta(days=40)).isoformat())
    page.check("#languages-fr")
    page.get_by_role("button", name="Show the text fields of these languages").click()
    page.wait_for_selector("#title_fr")
    for code in ("en", "fr"):
        page.fill(f"#title_{code}", f"Editor test {code}")
        page.fill(f"#summary_{code}", f"Summary {code}")
        page.fill(f"#privacy_notice_{code}", f"Privacy {code}")
    submit(page)
    page.wait_for_url(f"**/admin/consultations/{slug}")


def build(page, live_server, slug, screenshots, javascript=True):
    page.click("#editor-link")
    page.wait_for_url(f"**/admin/consultations/{slug}/editor")
    screenshots(page, "editor-overview")
    page.select_option("#type-new-section", "single_choice")
    page.get_by_role("button", name="Add a section").click()
    page.fill("#section-key", "editor_part")
    page.fill("#section-title_en", "Made in the editor")
    page.fill("#section-title_fr", "Fait dans l’éditeur")
    page.fill("#key", "e_choice")
    page.fill("#text_en", "Do you use the editor?")
    page.fill("#text_fr", "Utilisez-vous l’éditeur ?")
    for n, (key, en, fr) in enumerate([("yes", "Yes", "Oui"), ("no", "No", "Non")]):
        page.fill(f"#options-{n}-key", key)
        page.fill(f"#options-{n}-label_en", en)
        page.fill(f"#options-{n}-label_fr", fr)
    screenshots(page, "editor-new-section")
    page.get_by_role("button", name="Save the section").click()
    page.wait_for_url(f"**/admin/consultations/{slug}/editor*")
    page.select_option("#type-editor_part", "short_text")
    page.locator("#section-editor_part").get_by_role("button", name="Add a question").click()
    page.fill("#key", "e_detail")
    page.fill("#text_en", "What for?")
    page.select_option("#show_if_question", "e_choice")  # the question first, then its options
    if not javascript:
        page.get_by_role("button", name="Show its options").click()
    page.wait_for_selector("#show_if-1")
    assert page.input_value("#text_en") == "What for?"
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Save the question").click()
    page.wait_for_selector("#error-summary")  # the French text is missing: said at its field
    assert page.locator("#text_fr-error").is_visible()
    assert page.input_value("#text_en") == "What for?"  # nothing typed is lost
    screenshots(page, "editor-question-errors")
    page.fill("#text_fr", "Pour quoi faire ?")
    page.get_by_role("button", name="Save the question").click()
    page.wait_for_url(f"**/admin/consultations/{slug}/editor*")
    assert page.locator("#question-e_detail").is_visible()
    screenshots(page, "editor-built")


def preview(page, live_server, slug, screenshots):
    for code, text in (("en", "Do you use the editor?"), ("fr", "Utilisez-vous l’éditeur ?")):
        page.goto(f"{live_server.url}/admin/consultations/{slug}/preview/{code}")
        assert page.get_by_text(text).first.is_visible()
    screenshots(page, "editor-preview-fr")


def publish(page, live_server, slug, screenshots):
    """The admin publishes the draft from its page, confirming on the page that asks."""
    page.goto(f"{live_server.url}/admin/consultations/{slug}")
    page.get_by_role("button", name="Publish…").click()
    page.get_by_role("button", name="Yes: Publish").click()
    page.wait_for_url("**/admin/manage/consultations")
    assert "was published" in page.content()
    screenshots(page, "editor-published")
    page.goto(f"{live_server.url}/admin/consultations/{slug}")
    assert page.locator("#draft").count() == 0


def open_now(app, slug):
    """A shortcut of the test: the consultation opens now (the clock is not frozen here)."""
    from consultation.consultations.queries import consultation_by_slug
    from consultation.extensions import db

    with app.app_context():
        found = consultation_by_slug(slug)
        found.opens_at = clock.now_utc() - timedelta(hours=1)
        db.session.commit()


def archive(app, slug):
    from consultation.consultations.queries import consultation_by_slug
    from consultation.extensions import db

    with app.app_context():
        consultation_by_slug(slug).archived_at = clock.now_utc()
        db.session.commit()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_an_admin_builds_a_questionnaire_and_a_respondent_answers_it(
    browser, live_server, screenshots, javascript
):
    slug = f"editor-{'js' if javascript else 'nojs'}"
    context, page = sign_in(browser, live_server, javascript=javascript)
    try:
        make_consultation(page, live_server, slug)
        build(page, live_server, slug, screenshots, javascript)
        preview(page, live_server, slug, screenshots)
        publish(page, live_server, slug, screenshots)
        open_now(live_server.app, slug)
        respondent = browser.new_context(locale="en-GB", java_script_enabled=javascript)
        answer = respondent.new_page()
        answer.goto(f"{live_server.url}/consultations/{slug}/respond")
        if javascript:  # the conditional question appears once "Yes" is chosen
            assert not answer.locator("#q_e_detail").is_visible()
        answer.check("#q_e_choice")  # the first option has the field's own id
        answer.fill("#q_e_detail", "Building questionnaires")
        fill_apply_ai(answer)
        answer.keyboard.press("Enter")
        answer.wait_for_url("**/contributions/receipt/*")
        assert "Building questionnaires" in answer.content()
        respondent.close()
    finally:
        archive(live_server.app, slug)  # the other browser tests expect three consultations
        context.close()


def add_to_last_section(page, kind):
    last = page.locator("section.editor-section").last
    last.locator("select").select_option(kind)
    last.get_by_role("button", name="Add a question").click()
    page.wait_for_selector("#editor-form")


@pytest.mark.parametrize("javascript", [False, True], ids=["no-javascript", "javascript"])
def test_the_editor_pages_pass_axe_and_work_without_javascript(
    browser, live_server, screenshots, javascript
):
    """Copied from apply-ai: the overview, a blank form, one with errors, the condition step
    and the option rows moved, with JavaScript and without; axe (which needs JavaScript to
    run in the page) finds nothing serious on them."""
    slug = f"editor-axe-{'js' if javascript else 'plain'}"
    context, page = sign_in(browser, live_server, javascript=javascript)

    def check(name):
        if javascript:
            problems[name] = axe_problems(page)

    problems = {}
    try:
        make_consultation(page, live_server, slug)
        page.goto(f"{live_server.url}/admin/consultations/{slug}/editor")
        check("overview")
        add_to_last_section(page, "single_choice")
        assert page.locator("input[name=show_if]").count() == 0  # no tick box before a pick
        check("blank question")
        page.fill("#key", "e_pick")
        page.fill("#text_en", "Which one?")
        for n, key in enumerate(["first", "second"]):
            page.fill(f"#options-{n}-key", key)
            page.fill(f"#options-{n}-label_en", key.title())
        page.click("#options-0-down")  # a plain button: the form comes back, rows swapped
        page.wait_for_selector("#options-1-up")
        assert page.input_value("#options-0-key") == "second"
        assert page.input_value("#options-1-label_en") == "First"
        assert page.input_value("#text_en") == "Which one?"
        screenshots(page, f"editor-options-moved-{slug}")
        check("options moved")
        earlier = page.locator("#show_if_question option").nth(1).get_attribute("value")
        page.select_option("#show_if_question", earlier)
        page.get_by_role("button", name="Show its options").click()
        page.wait_for_selector("#show_if-1")
        assert page.input_value("#options-0-key") == "second"
        screenshots(page, f"editor-condition-step-{slug}")
        check("condition step")
        page.get_by_role("button", name="Save the question").first.click()
        page.wait_for_selector("#error-summary")
        summary = page.locator("#error-summary").inner_text()
        assert "Question text – Français (fr)" in summary
        check("question with missing translations")
        # the form's own checks first, then the loader's: a condition with no answer ticked
        for field in ("#text_fr", "#options-0-label_fr", "#options-1-label_fr"):
            page.fill(field, "En français")
        page.get_by_role("button", name="Save the question").first.click()
        page.wait_for_selector("#error-summary")
        assert "Ask only if its answer is one of" in page.locator("#error-summary").inner_text()
        assert page.input_value("#text_fr") == "En français"  # nothing typed is lost
        page.locator("#error-summary a").first.click()
        screenshots(page, "editor-question-errors")
        check("question with errors")
        assert problems == dict.fromkeys(problems, [])
    finally:
        archive(live_server.app, slug)
        context.close()
