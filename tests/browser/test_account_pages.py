"""The accounts pages in a real browser, with and without JavaScript: an admin enrols
two-factor sign-in from the QR page, signs in with a code, invites someone, and every page
has no serious axe-core problem."""

import re
import time

import pyotp
import pytest

from .test_accessibility import axe_problems

PASSWORD = "a long enough password for accounts"


def new_admin(app, email):
    """An admin made as `flask users create` makes one: a password, no second factor yet."""
    from consultation.audit.operations import Actor
    from consultation.auth.operations import create_user, user_by_email
    from consultation.extensions import db

    with app.app_context():
        if user_by_email(email) is None:
            create_user(email, "admin", PASSWORD, Actor("browser tests"))
            db.session.commit()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_an_admin_enrols_signs_in_with_a_code_and_invites(browser, live_server, javascript):
    email = f"enrol-{'js' if javascript else 'nojs'}@example.org"
    new_admin(live_server.app, email)
    context = browser.new_context(
        locale="en-GB", viewport={"width": 1280, "height": 900}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server.url + "/admin/sign-in")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.press("#password", "Enter")
        page.wait_for_url("**/admin/account/two-factor")
        assert page.locator("figure.qr-code svg").count() == 1
        if javascript:
            assert axe_problems(page) == []
        secret = re.sub(r"\s", "", page.inner_text("#totp-secret"))
        page.fill("#code", pyotp.TOTP(secret).now())
        page.press("#code", "Enter")
        page.wait_for_selector(".recovery-codes")
        assert page.locator(".recovery-codes li").count() == 10
        for path in ["/admin/users", "/admin/users/invite", "/admin/account/sessions"]:
            page.goto(live_server.url + path)
            if javascript:
                assert axe_problems(page) == [], path
        page.goto(live_server.url + "/admin/users/invite")
        page.fill("#email", f"invited-{email}")
        page.press("#email", "Enter")
        page.wait_for_url("**/admin/users")
        assert f"invited-{email}" in page.inner_text("#users")
        page.goto(live_server.url + "/admin/users/invite")
        page.fill("#email", f"invited-{email}")
        page.press("#email", "Enter")
        page.wait_for_selector("#error-summary")
        if javascript:
            assert axe_problems(page) == []

        # A second browser signs in with the code step, then ends that session from the first.
        other = browser.new_context(locale="en-GB", java_script_enabled=javascript).new_page()
        other.goto(live_server.url + "/admin/sign-in")
        other.fill("#email", email)
        other.fill("#password", PASSWORD)
        other.press("#password", "Enter")
        other.wait_for_url("**/admin/sign-in/code")
        if javascript:
            assert axe_problems(other) == []
        # The enrolment used this 30-second step's code: the next step's is accepted (±1 step).
        other.fill("#code", pyotp.TOTP(secret).at(int(time.time()) + 30))
        other.press("#code", "Enter")
        other.wait_for_url("**/admin/")
        page.goto(live_server.url + "/admin/account/sessions")
        page.locator("button:has-text('End this session')").click()
        other.goto(live_server.url + "/admin/")
        assert "/admin/sign-in" in other.url
        other.context.close()
    finally:
        context.close()
