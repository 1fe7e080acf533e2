"""A person switches the interface language in the browser; the questionnaire follows."""


def test_switching_to_french_then_german(page):
    page.goto(page.base_url + "/consultations/apply-ai/respond")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_label("Language of your contribution").input_value() == "en"
    page.get_by_label("First name").fill("Émilie")

    # On a questionnaire the language list and its button send the form: what was typed stays.
    page.get_by_label("Language", exact=True).select_option("fr")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", name="Vous concernant").is_visible()
    assert page.get_by_role("group", name="Je réponds en tant que").is_visible()
    assert page.get_by_label("Prénom").input_value() == "Émilie"
    assert page.get_by_label("Citoyen ou citoyenne de l’UE").count() == 1
    assert page.get_by_label("Langue", exact=True).input_value() == "fr"

    page.get_by_label("Langue", exact=True).select_option("de")
    page.get_by_role("button", name="Changer de langue").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.get_by_role("heading", name="Angaben zu Ihrer Person").is_visible()
    assert page.get_by_role("button", name="Meinen Beitrag senden").is_visible()
    assert page.get_by_label("Vorname").input_value() == "Émilie"

    # Remembered: a new page in the same browser stays in German.
    page.goto(page.base_url + "/")
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Ihre Meinung zum KI-Kontinent Europa"
    )


def test_the_page_of_languages_lists_them_in_their_own_names(page):
    page.goto(page.base_url + "/consultations/apply-ai")
    page.get_by_role("link", name="All languages").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Choose your language"
    greek = page.get_by_role("link", name="Ελληνικά")
    assert greek.get_attribute("lang") == "el" and greek.get_attribute("hreflang") == "el"
    greek.click()
    page.wait_for_load_state()
    assert page.url.endswith("/consultations/apply-ai")  # back where the person was
    assert page.locator("html").get_attribute("lang") == "el"
    assert page.get_by_role("heading", level=1).inner_text() == "Στρατηγική για την εφαρμογή της ΤΝ"


def test_the_header_list_switches_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/consultations/data-union-strategy")
        page.get_by_label("Language", exact=True).select_option("fi")
        page.get_by_role("button", name="Change language").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "fi"
        assert page.url.endswith("/consultations/data-union-strategy")
        assert page.get_by_role("heading", level=1).inner_text() == "Euroopan dataunionistrategia"
    finally:
        context.close()


def test_browser_language_is_used_until_the_person_chooses(browser, live_server):
    context = browser.new_context(locale="de-DE")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        assert page.locator("html").get_attribute("lang") == "de"
    finally:
        context.close()


def test_character_counter_speaks_the_page_language(page):
    page.goto(page.base_url + "/language/fr?next=/consultations/apply-ai/respond")
    area = page.get_by_label(
        "Quelles utilisations de l’IA vous semblent les plus prometteuses", exact=False
    )
    area.fill("abc")
    area.press("d")
    counter = page.locator("#q_use_cases-count")
    page.wait_for_function(
        "() => document.getElementById('q_use_cases-count').textContent.includes('1\u202f496')"
    )
    assert counter.get_attribute("aria-live") == "polite"
    assert counter.inner_text() == "Il vous reste 1\u202f496 caractères"
