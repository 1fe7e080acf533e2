"""The public pages of published contributions: the list, one contribution, its files."""

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, send_file

from ..campaigns.queries import public_campaigns
from ..consultations.queries import profile_labels, published_consultation_by_slug
from ..downloads import attachment as attachment_headers
from ..formatting import current_locale
from . import queries, rules
from .filters import filter_choices

bp = Blueprint("publishing", __name__)

#: Contributions per page of the public list.
PAGE_SIZE = 20


def _consultation(slug):
    return published_consultation_by_slug(slug) or abort(404)


@bp.get("/consultations/<slug>/contributions")
def contributions(slug):
    """Published contributions, newest first, with filters, their counts and a text search."""
    consultation = _consultation(slug)
    filters = queries.Filters.from_args(request.args)
    search = (request.args.get("q") or "").strip()[:200] or None
    after = request.args.get("after") or None
    visible = rules.is_visible_now(consultation)
    status, bad_cursor = 200, False
    try:
        page = queries.published_contributions(
            consultation, filters, search=search, after=after, limit=PAGE_SIZE
        )
    except queries.InvalidCursor:
        page, bad_cursor, status = queries.Page([], None), True, 400
    counts = queries.filter_counts(consultation, filters, search) if visible else {}
    locale = current_locale()
    args = {**filters.as_args(), **({"q": search} if search else {})}
    return render_template(
        "public/contributions.html",
        consultation=consultation,
        visible=visible,
        page=page,
        filters=filters,
        search=search,
        choices=filter_choices(consultation, filters, counts, locale) if visible else [],
        total=counts.get("total", {}).get(None, 0),
        args=args,
        first_page=bool(after),
        bad_cursor=bad_cursor,
        labels=_labels(consultation, locale),
    ), status


def _labels(consultation, locale):
    """Labels of the profile values shown in the list: {column: function of the key}, an
    option only an earlier questionnaire version had by that version's label."""
    labels = profile_labels(
        consultation, ("respondent_type", "country", "language", "organisation_size"), locale
    )
    return {
        name: (lambda key, label=label: label(key) if key else key)
        for name, label in labels.items()
    }


def _published(slug, public_id):
    consultation = _consultation(slug)
    response = queries.published_by_public_id(consultation, public_id)
    if response is None:
        abort(404)
    return consultation, response


@bp.get("/consultations/<slug>/contributions/<public_id>")
def contribution(slug, public_id):
    """One published contribution: its answers as published, its respondent as allowed."""
    consultation, response = _published(slug, public_id)
    from ..admin.reports import file_size

    view = queries.published_view(response, current_locale())
    campaigns = public_campaigns(consultation, [response.id]).get(response.id, [])
    return render_template(
        "public/contribution.html",
        consultation=consultation,
        item=view,
        campaigns=campaigns,
        file_size=file_size,
    )


@bp.get("/consultations/<slug>/contributions/<public_id>/files/<int:upload_id>")
def attachment(slug, public_id, upload_id):
    """An approved file of a published contribution, always as a download."""
    _consultation_, response = _published(slug, public_id)
    upload = queries.published_file(response, upload_id)
    if upload is None:
        abort(404)
    path = Path(current_app.config["UPLOAD_FOLDER"]) / upload.stored_name
    if not path.is_file():
        abort(404)
    sent = send_file(path, mimetype=upload.content_type)
    sent.headers.update(attachment_headers(upload.original_name))
    sent.headers["X-Content-Type-Options"] = "nosniff"
    return sent
