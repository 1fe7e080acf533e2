"""An admin previews a questionnaire in the browser, without JavaScript: in two languages,
with an error, then is told which changes of an opened questionnaire are refused."""

import yaml

from consultation.consultations.queries import consultation_by_slug
from consultation.questionnaires.yaml_io import to_yaml

from .test_accessibility import axe_problems
from .test_authoring_pages import sign_in

SLUG = "data-union-strategy"


def test_preview_in_two_languages_with_an_error(browser, live_server, screenshots):
    context, page = sign_in(browser, live_server, javascript=False)
    try:
        page.goto(f"{live_server.url}/admin/consultations/{SLUG}")
        page.click("#preview-link")
        assert page.url.endswith(f"/admin/consultations/{SLUG}/preview/en")
        assert page.locator("#preview-banner").inner_text().startswith("Preview: nothing is stored")
        screenshots(page, "preview-en")
        page.fill("#q_first_name", "Ada")
        page.click('#preview-banner button[value="fr"]')  # keeps what was typed
        assert page.url.endswith(f"/admin/consultations/{SLUG}/preview/fr")
        assert page.get_attribute("html", "lang") == "fr"
        assert page.input_value("#q_first_name") == "Ada"
        page.fill("#q_email", "not an address")
        page.click("#send button.button:not(.button-secondary)")
        assert page.locator("#error-summary").is_visible()
        assert page.locator("#preview-banner").is_visible()
        screenshots(page, "preview-fr-error")
    finally:
        context.close()


def test_a_refused_change_lists_each_problem(browser, live_server, screenshots, tmp_path):
    with live_server.app.app_context():
        definition = consultation_by_slug(SLUG).definition
    questions = definition["sections"][1]["questions"]
    removed = questions.pop(3)  # data_types: no later question depends on it
    questions[-2]["max_length"] = 10  # wanted_dataset, from 200
    path = tmp_path / "changed.yaml"
    path.write_text(to_yaml(yaml.safe_load(to_yaml(definition))), encoding="utf-8")
    context, page = sign_in(browser, live_server, javascript=False)
    try:
        page.goto(f"{live_server.url}/admin/consultations/{SLUG}/import")
        page.set_input_files("#file", str(path))
        page.click("main form button.button:not(.button-secondary)")
        problems = page.locator("#file-problems li")
        assert problems.count() >= 2
        assert f"({removed['key']})" in page.locator("#file-problems").inner_text()
        screenshots(page, "refused-change")
    finally:
        context.close()


def test_the_preview_passes_axe_with_an_error(browser, live_server):
    context, page = sign_in(browser, live_server)  # axe needs JavaScript
    try:
        page.goto(f"{live_server.url}/admin/consultations/{SLUG}/preview/fr")
        assert axe_problems(page) == []
        page.fill("#q_email", "not an address")
        page.click("#send button.button:not(.button-secondary)")
        page.wait_for_selector("#error-summary")
        assert axe_problems(page) == []
    finally:
        context.close()
