"""A signed-in administrator in the browser, and responses in the live server to look at."""

from sqlalchemy import func, select

ADMIN = ("browser-admin@example.org", "a long enough password")


def ensure_admin(app):
    """The administrator account in the live server's database (created once)."""
    from consultation.audit.operations import Actor
    from consultation.auth.operations import create_user, user_by_email
    from consultation.extensions import db

    with app.app_context():
        if user_by_email(ADMIN[0]) is None:
            create_user(ADMIN[0], "admin", ADMIN[1], Actor("browser tests"))
            db.session.commit()
    return ADMIN


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
    page.wait_for_url("**/admin/")
    return context, page


def sideways_overflow(page) -> int:
    """How far the page scrolls sideways, in pixels (0 or less: not at all)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
