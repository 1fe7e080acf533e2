"""The open-data API, version 1: thin routes over the documents and the published contributions.

Read-only (GET, HEAD, OPTIONS); every endpoint is described in ``openapi.py``, and the
tests check each real response against that document.
"""

from flask import Blueprint, abort, current_app, render_template, request
from sqlalchemy import func, select

from ..consultations.models import Consultation
from ..consultations.queries import all_consultations, published_consultation_by_slug
from ..extensions import csrf, db
from ..i18n import DEFAULT_LOCALE, offered_languages
from ..outcomes.queries import published_outcome
from . import documents, openapi
from .http import ApiError, json_response

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # nothing here accepts a POST; its 405 must be JSON, not a CSRF page


def _consultation(slug) -> Consultation:
    return published_consultation_by_slug(slug) or abort(404)


def _language() -> str:
    asked = request.args.get("lang")
    if asked is None:
        return DEFAULT_LOCALE
    offered = offered_languages()
    if asked not in offered:
        raise ApiError(400, f"lang must be one of {', '.join(offered)}.", "bad_language")
    return asked


def contributions_public(consultation) -> bool:
    """Whether the consultation's contributions may be read now (its publication setting)."""
    from ..publishing import rules

    return rules.is_visible_now(consultation)


def _changed(consultation):
    return consultation.updated_at


@bp.get("/consultations")
def consultations():
    """Every consultation: its titles, window, state and links."""
    items = all_consultations(archived=False, drafts=False)
    data = {
        "consultations": [documents.consultation_summary(c, contributions_public(c)) for c in items]
    }
    latest = max((c.updated_at for c in items), default=None)
    return json_response(data, latest)


@bp.get("/consultations/<slug>")
def consultation(slug):
    """One consultation, its published questions and, once published, its outcome."""
    item = _consultation(slug)
    outcome = published_outcome(item)
    data = documents.consultation_detail(item, contributions_public(item), outcome)
    changed = max(filter(None, [item.updated_at, outcome.updated_at if outcome else None]))
    return json_response(data, changed)


@bp.get("/consultations/<slug>/results")
def results(slug):
    """The counts per question and option, once closed (or while open if an admin chose)."""
    item = _consultation(slug)
    locale = _language()
    if not documents.results_public(item):
        raise ApiError(
            404,
            "The results of this consultation are published once it has closed.",
            "results_not_published",
        )
    from ..responses.models import Response

    latest = db.session.scalar(
        select(func.max(Response.submitted_at)).where(Response.consultation_id == item.id)
    )
    changed = max(filter(None, [item.updated_at, latest]))
    return json_response(documents.results(item, locale), changed)


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 description of this API."""
    return json_response(openapi.document(current_app))


@bp.get("/docs")
def docs():
    """The API's documentation for people: endpoints, fields, examples."""
    return render_template(
        "public/api_docs.html", spec=openapi.document(current_app), slugs=_slugs()
    )


def _slugs():
    """The consultations, those whose contributions are public first (for the examples)."""
    items = all_consultations(archived=False, drafts=False)
    return [c.slug for c in sorted(items, key=lambda c: not contributions_public(c))]


from . import contributions  # noqa: E402,F401  (its routes, on this blueprint)
