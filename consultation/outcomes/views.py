"""Public routes of the outcome: the summary report beside it, and the e-mail's way out."""

from flask import Blueprint, abort, render_template, send_file
from flask_babel import gettext as _

from ..consultations.queries import published_consultation_by_slug
from ..downloads import attachment
from ..extensions import db
from ..formatting import current_locale
from ..responses.pages import private
from . import notices
from .forms import UnsubscribeForm
from .operations import unsubscribe as opt_out
from .queries import published_outcome

bp = Blueprint("outcomes", __name__)


@bp.get("/consultations/<slug>/summary.pdf")
def summary(slug):
    """The public summary report of a consultation whose outcome is published, as a PDF."""
    consultation = published_consultation_by_slug(slug) or abort(404)
    if published_outcome(consultation) is None:
        abort(404)
    locale = current_locale()
    path = notices.public_summary_path(consultation, locale)
    if not path.is_file():
        return (
            render_template("public/summary_preparing.html", consultation=consultation),
            503,
            {"Retry-After": "120"},
        )
    response = send_file(path, mimetype="application/pdf", conditional=True, max_age=300)
    response.headers.update(attachment(f"{consultation.slug}-summary-{locale}.pdf"))
    return response


@bp.route("/outcomes/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token):
    """Stop e-mails about a consultation's outcome; the link alone changes nothing."""
    found = notices.read_unsubscribe_token(token)
    consultation = None
    if found is not None:
        from ..consultations.models import Consultation

        consultation = db.session.get(Consultation, found[0])
    if consultation is None:
        return private(render_template("public/unsubscribe.html", invalid=True), 404)
    form = UnsubscribeForm()
    done = False
    if form.validate_on_submit():
        opt_out(consultation.id, found[1])
        db.session.commit()
        done = True
    elif form.errors:
        return private(
            render_template(
                "public/unsubscribe.html",
                consultation=consultation,
                form=form,
                expired=_("This page had expired. Press the button again."),
            ),
            400,
        )
    return private(
        render_template("public/unsubscribe.html", consultation=consultation, form=form, done=done)
    )
