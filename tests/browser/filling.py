"""Filling the Apply AI questionnaire with the keyboard, as a person without a mouse would."""


def tab_to(page, selector):
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(400):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def fill_apply_ai(page):
    """Answer every required question of apply-ai as an EU citizen, then focus the send button."""
    tab_to(page, "#q_respondent_type")
    # Arrow keys move through a radio group; "EU citizen" is the fifth option.
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    assert page.locator("#q_respondent_type-eu_citizen").is_checked()
    tab_to(page, "#q_first_name")
    page.keyboard.type("Zoë")
    page.keyboard.press("Tab")
    page.keyboard.type("Dupont")
    page.keyboard.press("Tab")
    page.keyboard.type("zoe@example.org")
    tab_to(page, "#q_country")
    page.keyboard.type("Belgium")
    tab_to(page, "#q_publication")
    page.keyboard.press("Space")
    tab_to(page, "#q_privacy_consent")
    page.keyboard.press("Space")
    tab_to(page, "#q_ai_stage")
    page.keyboard.press("Space")
    tab_to(page, "#q_sectors")
    page.keyboard.press("Space")
    tab_to(page, "#q_accuracy_declaration")
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit]")
