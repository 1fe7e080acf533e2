"""The campaigns of a consultation in the administration area: groups, a group, decisions.

Both roles read; deciding and asking for a new grouping are for administrators
(the blueprint's guard refuses analysts' POSTs).
"""

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..campaigns import listing, queries
from ..campaigns.forms import DECISION_LABELS, DecisionForm, RegroupForm
from ..campaigns.job import request_regroup
from ..campaigns.models import CampaignGroup
from ..campaigns.operations import decide
from ..errors import OperationRefused
from ..extensions import db
from ..formatting import current_locale
from ..jobs.queue import current_queue
from .views import _actor, _consultation, _page, bp

MEMBERS_PER_PAGE = 100
#: Groups of each question on the campaigns page; all of one question, this many a page.
GROUPS_SHOWN, GROUPS_PER_PAGE = 20, 100
#: Groups smaller than this are listed only when asked (``?min=2``).
SMALLEST_SHOWN = 5


def _scope_labels(consultation):
    """The heading of each scope: a question's label, or the whole contribution."""
    locale = current_locale()
    labels = {
        record.id: question.label(locale)
        for question, record in queries.free_text_scopes(consultation)
    }
    labels[None] = _("Whole contribution (all free-text answers together)")
    return labels


@dataclass(frozen=True)
class CampaignScope:
    """A heading of the campaigns page: a question (or whole contributions) and its groups."""

    label: str
    key: str
    total: listing.ScopeTotal
    rows: list
    pages: int


@bp.get("/consultations/<slug>/campaigns")
def campaigns(slug):
    """The groups of near-identical answers of a consultation, largest first, by question:
    the largest of each question, or (``?scope=``) one question's groups a page at a time."""
    item = _consultation(slug)
    smallest = max(2, min(request.args.get("min", SMALLEST_SHOWN, type=int) or 2, 10**6))
    labels = _scope_labels(item)
    totals = listing.scope_totals(item, minimum=smallest)
    asked = _asked_scope(labels)
    page = _page() if asked is not ... else 1
    scopes = []
    for scope, label in labels.items():
        if asked is not ... and scope != asked:
            continue
        total = totals.get(scope, listing.ScopeTotal(0, 0))
        shown = GROUPS_PER_PAGE if asked is not ... else GROUPS_SHOWN
        rows = listing.group_page(
            item, scope, minimum=smallest, limit=shown, offset=(page - 1) * shown
        )
        if page > 1 and not rows:
            abort(404)
        scopes.append(
            CampaignScope(
                label=label,
                key=listing.WHOLE if scope is None else str(scope),
                total=total,
                rows=rows,
                pages=max(1, -(-total.groups // shown)),
            )
        )
    return render_template(
        "admin/campaigns.html",
        consultation=item,
        scopes=scopes,
        one_scope=asked is not ...,
        page=page,
        run=queries.last_run(item.id),
        regroup_form=RegroupForm(),
        decision_labels=DECISION_LABELS,
        smallest=smallest,
    )


def _asked_scope(labels):
    """The scope of ``?scope=`` (a question id, or ``None`` for whole contributions);
    ``...`` when none is asked; 404 for one the consultation does not have."""
    asked = request.args.get("scope")
    if asked is None:
        return ...
    scope = None if asked == listing.WHOLE else (int(asked) if asked.isdigit() else -1)
    if scope not in labels:
        abort(404)
    return scope


def _group(group_id) -> CampaignGroup:
    return db.session.get(CampaignGroup, group_id) or abort(404)


@bp.get("/campaigns/<int:group_id>")
def campaign(group_id):
    """One group: its template, arrivals, the texts its members added, and its members."""
    group = _group(group_id)
    page = _page()
    figures = queries.group_figures(group)
    return render_template(
        "admin/campaign.html",
        consultation=group.consultation,
        group=group,
        figures=figures,
        scope=_scope_labels(group.consultation).get(group.question_id, "?"),
        busiest=queries.busiest_minute(group),
        added=queries.distinct_added_texts(group),
        members=queries.members(
            group, limit=MEMBERS_PER_PAGE, offset=(page - 1) * MEMBERS_PER_PAGE
        ),
        page=page,
        pages=max(1, -(-figures.size // MEMBERS_PER_PAGE)),
        form=DecisionForm(decision=group.decision or ""),
        decision_labels=DECISION_LABELS,
    )


@bp.post("/campaigns/<int:group_id>/decision")
def campaign_decision(group_id):
    """Confirm a group as a campaign, reject it, or take the decision back (audited)."""
    group = _group(group_id)
    form = DecisionForm()
    back = url_for(".campaign", group_id=group.id)
    if not form.validate_on_submit():
        flash(_("Choose a valid option."), "error")
        return redirect(back)
    try:
        decide(group, form.decision.data or None, _actor(), form.reason.data)
    except OperationRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(back)
    db.session.commit()
    flash(_("Done: %(what)s", what=str(DECISION_LABELS[form.decision.data])), "success")
    return redirect(back)


@bp.post("/consultations/<slug>/campaigns/regroup")
def campaigns_regroup(slug):
    """Ask the workers to group the consultation's answers again now."""
    item = _consultation(slug)
    back = url_for(".campaigns", slug=item.slug)
    if not RegroupForm().validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return redirect(back)
    if not current_queue().reachable():
        flash(_("The job queue does not answer: the answers cannot be grouped now."), "error")
        return redirect(back)
    _job, joined = request_regroup(item, _actor())
    db.session.commit()
    flash(
        _("A grouping is already under way; this page shows its groups when it is done.")
        if joined
        else _("The answers will be grouped again in a moment; reload this page then."),
        "success",
    )
    return redirect(back)
