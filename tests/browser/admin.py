"""A signed-in administrator in the browser, and responses in the live server to look at."""

import pyotp
from sqlalchemy import func, select, update

ADMIN = ("browser-admin@example.org", "a long enough password")


def ensure_admin(app):
    """The administrator account in the live server's database (created once)."""
    from consultation import clock
    from consultation.audit.operations import Actor
    from consultation.auth.operations import create_user, user_by_email
    from consultation.extensions import db

    with app.app_context():
        if user_by_email(ADMIN[0]) is None:
            user = create_user(ADMIN[0], "admin", ADMIN[1], Actor("browser tests"))
            # Enrolled already (tests/test_two_factor.py enrols through the page).
            user.totp_secret = pyotp.random_base32()
            user.two_factor_since = clock.now_utc()
            db.session.commit()
    return ADMIN


def code_for(app, email=ADMIN[0]) -> str:
    """The authenticator app's code now. Signing in again within 30 seconds would give the same
    code, refused as a replay: the last step used is forgotten first (a test shortcut)."""
    from consultation.auth.models import User
    from consultation.auth.two_factor import STEP_SECONDS, current_step
    from consultation.extensions import db

    with app.app_context():
        db.session.execute(update(User).where(User.email == email).values(totp_last_step=None))
        db.session.commit()
        secret = db.session.scalar(select(User).where(User.email == email)).totp_secret
    return pyotp.TOTP(secret).at(current_step() * STEP_SECONDS)


def give_code(page, app, email=ADMIN[0]):
    """On the code step after the password: type the code and continue."""
    page.wait_for_url("**/admin/sign-in/code")
    page.fill("#code", code_for(app, email))
    page.press("#code", "Enter")


def ensure_responses(app, slug, count) -> int:
    """At least ``count`` synthetic responses to ``slug``; the id of one of them."""
    from consultation.consultations.queries import consultation_by_slug
    from consultation.extensions import db
    from consultation.reports import generate
    from consultation.responses.models import Response

    with app.app_context():
        consultation = consultation_by_slug(slug)
        where = Response.consultation_id == consultation.id
        have = db.session.scalar(select(func.count()).select_from(Response).where(where))
        if have < count:
            generate.generate_responses(consultation, count - have, seed=12)
            db.session.commit()
        return db.session.scalar(select(func.min(Response.id)).where(where))


def signed_in(browser, live_server, width=1280, language="en"):
    """A fresh browser at ``width`` px in ``language``, signed in as the administrator."""
    email, password = ensure_admin(live_server.app)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    if language != "en":
        page.goto(f"{live_server.url}/language/{language}?next=/")
    page.goto(live_server.url + "/admin/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    page.press("#password", "Enter")
    give_code(page, live_server.app)
    page.wait_for_url("**/admin/")
    return context, page


def sideways_overflow(page) -> int:
    """How far the page scrolls sideways, in pixels (0 or less: not at all)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
