"""Public pages about consultations: the list and one consultation."""

from flask import Blueprint, abort, render_template

from .models import State
from .queries import consultations_by_state, published_consultation_by_slug

bp = Blueprint("consultations", __name__)


@bp.get("/")
def home():
    """The consultations, grouped as open, upcoming and closed."""
    return render_template("public/home.html", groups=consultations_by_state(), State=State)


@bp.get("/consultations/<slug>")
def show(slug):
    """What a consultation is about, its deadline and privacy notice, a button to respond, and
    once published its outcome: we asked, you said, we did."""
    from ..formatting import current_locale
    from ..outcomes.queries import published_outcome, shown_outcome
    from ..publishing.rules import is_visible_now

    consultation = published_consultation_by_slug(slug) or abort(404)
    outcome = shown_outcome(published_outcome(consultation), current_locale())
    return render_template(
        "public/consultation.html",
        consultation=consultation,
        State=State,
        contributions_public=is_visible_now(consultation),
        preview=outcome,
    )
