"""Admin pages of the outcome, on the admin blueprint (so its access check applies):
write it, publish or withdraw it, and choose to show results while open."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..admin.views import _actor, _consultation, _title, bp
from ..errors import OperationRefused
from ..extensions import db
from ..formatting import current_locale
from ..i18n import LANGUAGES
from ..jobs.queue import QueueUnavailable
from ..mail import mail_enabled
from .forms import PARTS, OutcomeForm, PublishForm, ResultsWhileOpenForm
from .operations import (
    DECISION_FIELDS,
    outcome_of,
    publish_outcome,
    save_outcome,
    set_results_while_open,
    withdraw_outcome,
)
from .queries import shown_outcome

PART_LABELS = {
    "we_asked": _l("We asked"),
    "you_said": _l("You said"),
    "we_did": _l("We did"),
}


def _form_data(outcome) -> dict:
    if outcome is None:
        return {}
    data = {name: getattr(outcome, name) for name in DECISION_FIELDS}
    for text in outcome.texts:
        for part in PARTS:
            data[f"{part}_{text.language}"] = getattr(text, part)
    return data


def _page(item, form, status=200):
    outcome = outcome_of(item)
    problems = [
        (f"outcome-{field.name}", error)
        for field in form
        if field.name != "csrf_token"
        for error in field.errors
    ]
    return render_template(
        "admin/outcome.html",
        consultation=item,
        form=form,
        outcome=outcome,
        preview=shown_outcome(outcome, current_locale()) if outcome else None,
        problems=problems,
        languages=LANGUAGES,
        parts=PARTS,
        part_labels=PART_LABELS,
        publish_form=PublishForm(formdata=None),
        mail_enabled=mail_enabled(),
    ), status


@bp.route("/consultations/<slug>/outcome", methods=["GET", "POST"])
def outcome(slug):
    """Write the outcome (we asked, you said, we did) and the decision that followed."""
    item = _consultation(slug)
    if request.method == "GET":
        return _page(item, OutcomeForm(formdata=None, data=_form_data(outcome_of(item))))
    form = OutcomeForm()
    if not form.validate_on_submit():
        return _page(item, form, 400)
    decision = {name: form[name].data for name in DECISION_FIELDS}
    try:
        save_outcome(item, decision, form.texts(), _actor())
    except OperationRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return _page(item, form, 409)
    db.session.commit()
    flash(_("The outcome was saved."), "success")
    return redirect(url_for(".outcome", slug=slug))


def _confirmed_change(slug, action, description, operation, done, destructive=False):
    item = _consultation(slug)
    form = PublishForm()
    if not form.validate_on_submit():
        flash(_("This form has expired. Nothing was changed; try again."), "error")
        return redirect(url_for(".outcome", slug=slug))
    if not form.confirmed:
        return render_template(
            "admin/confirm.html",
            consultation=item,
            form=form,
            action=action,
            description=description(item),
            action_url=request.path,
            cancel_url=url_for(".outcome", slug=slug),
            destructive=destructive,
        )
    try:
        said = done(item, operation(item))
    except QueueUnavailable:
        db.session.rollback()
        flash(_("The job queue does not answer, so nothing was changed. Try again later."), "error")
        return redirect(url_for(".outcome", slug=slug))
    except OperationRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(url_for(".outcome", slug=slug))
    db.session.commit()
    flash(said, "success")
    return redirect(url_for(".outcome", slug=slug))


@bp.post("/consultations/<slug>/outcome/publish")
def publish(slug):
    """Show the outcome on the public page and tell the respondents who asked (once)."""

    def describe(item):
        told = outcome_of(item) is not None and outcome_of(item).notified_at is not None
        if not told and not mail_enabled():
            return _(
                "The outcome of “%(title)s” will be shown on its public page. No e-mail is "
                "sent: no mail server is configured.",
                title=_title(item),
            )
        if told:
            return _(
                "The outcome of “%(title)s” will be shown on its public page. The respondents "
                "who asked were already told; nobody is e-mailed again.",
                title=_title(item),
            )
        return _(
            "The outcome of “%(title)s” will be shown on its public page, and every respondent "
            "who asked to be told gets one e-mail about it.",
            title=_title(item),
        )

    def done(item, result):
        _outcome, telling = result
        if telling:
            return _(
                "The outcome is published; the e-mails to the respondents who asked are being sent."
            )
        return _("The outcome is published again.")

    return _confirmed_change(
        slug,
        _l("Publish the outcome"),
        describe,
        lambda item: publish_outcome(item, _actor(), locale=current_locale()),
        done,
    )


@bp.post("/consultations/<slug>/outcome/withdraw")
def withdraw(slug):
    """Take the outcome off the public page."""
    return _confirmed_change(
        slug,
        _l("Withdraw the outcome"),
        lambda item: _(
            "The outcome of “%(title)s” will no longer be shown on its public page.",
            title=_title(item),
        ),
        lambda item: withdraw_outcome(item, _actor()),
        lambda item, result: _("The outcome was withdrawn from the public page."),
        destructive=True,
    )


@bp.post("/consultations/<slug>/results-while-open")
def results_while_open(slug):
    """Publish the counts through the open-data API while the consultation is open, or stop."""
    item = _consultation(slug)
    form = ResultsWhileOpenForm()
    if form.validate_on_submit():
        set_results_while_open(item, bool(form.show.data), _actor())
        db.session.commit()
        flash(
            _("The results are now public while the consultation is open.")
            if item.results_while_open
            else _("The results will be public only once the consultation has closed."),
            "success",
        )
    return redirect(url_for(".consultation", slug=slug) + "#publication")
