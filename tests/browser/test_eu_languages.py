"""Every language added beyond English, French and German: axe finds no serious problem and
nothing scrolls sideways on a 360-pixel phone, in its script (Greek, Cyrillic) and with its
long words (Finnish), on the public pages and each blank questionnaire."""

import pytest

from consultation import catalogues, i18n

from .test_accessibility import SLUGS, axe_problems

#: The languages offered besides en, fr and de: those whose catalogues are complete (issue 19;
#: tests/test_catalogues.py says which must be).
LANGUAGES = [code for code in catalogues.offered(i18n.LANGUAGES) if code not in ("en", "fr", "de")]
#: "Error:", which starts the title of a page with errors, in each language.
ERROR = {"el": "Σφάλμα:", "bg": "Грешка:", "fi": "Virhe:", "mt": "Żball:", "ga": "Earráid:"}
ERROR |= {"es": "Error:", "it": "Errore:", "pt": "Erro:", "nl": "Fout:", "pl": "Błąd:"}
ERROR |= {"sv": "Fel:", "da": "Fejl:", "ro": "Eroare:", "hu": "Hiba:", "cs": "Chyba:"}
ERROR |= {"sk": "Chyba:"}
ERROR |= {"hr": "Pogreška:"}
ERROR |= {"et": "Viga:"}
#: The pages of each language's own words: the home page, a statement, a consultation's page
#: and every questionnaire (the longest words are in the questions).
PAGES = ["/", "/privacy", f"/consultations/{SLUGS[0]}"]
ERROR |= {"lt": "Klaida:"}
ERROR |= {"sl": "Napaka:"}
ERROR |= {"lv": "Kļūda:"}
PAGES = ["/", "/language", "/privacy"] + [f"/consultations/{slug}" for slug in SLUGS]
PAGES += [f"/consultations/{slug}/respond" for slug in SLUGS]


@pytest.fixture
def phone(browser, live_server, request):
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/language/{request.param}")
    yield page
    context.close()


@pytest.mark.parametrize("phone", LANGUAGES, indirect=True)
def test_pages_in_the_language_pass_axe_and_reflow_at_360_pixels(phone, live_server):
    language = phone.evaluate("document.documentElement.lang")
    for path in PAGES:
        phone.goto(live_server.url + path)
        assert phone.locator("html").get_attribute("lang") == language, path
        overflow = phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{language} {path} scrolls sideways by {overflow}px"
        assert axe_problems(phone) == [], f"{language} {path}"


@pytest.mark.parametrize("phone", LANGUAGES, indirect=True)
def test_a_questionnaire_with_errors_in_the_language(phone, live_server):
    phone.goto(live_server.url + "/consultations/apply-ai/respond")
    phone.locator("#send button").first.click()
    phone.wait_for_selector("#error-summary")
    language = phone.evaluate("document.documentElement.lang")
    assert phone.title().startswith(ERROR[language])
    overflow = phone.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert axe_problems(phone) == []
