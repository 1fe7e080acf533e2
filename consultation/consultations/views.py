"""Public pages about consultations: the list and one consultation."""

from flask import Blueprint, abort, render_template

from .models import State
from .queries import consultation_by_slug, consultations_by_state

bp = Blueprint("consultations", __name__)


@bp.get("/")
def home():
    """The consultations, grouped as open, upcoming and closed."""
    return render_template("public/home.html", groups=consultations_by_state(), State=State)


@bp.get("/consultations/<slug>")
def show(slug):
    """What a consultation is about, its deadline and privacy notice, and a button to respond."""
    from ..publishing.rules import is_visible_now

    consultation = consultation_by_slug(slug) or abort(404)
    return render_template(
        "public/consultation.html",
        consultation=consultation,
        State=State,
        contributions_public=is_visible_now(consultation),
    )
