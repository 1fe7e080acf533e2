"""The administration area. Every view needs a signed-in user; every change needs an admin.

Access is checked once, for the whole blueprint, so a new view cannot forget it.
"""

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import clock
from ..audit.operations import Actor
from ..audit.queries import audit_page
from ..consultations.operations import (
    close_consultation,
    extend_consultation,
    reopen_consultation,
)
from ..consultations.queries import all_consultations, consultation_by_slug
from ..errors import OperationRefused
from ..extensions import db, login_manager
from ..formatting import current_locale, long_date
from ..jobs.queries import recent_reports
from ..jobs.queue import current_queue
from ..responses.models import Response, Upload
from ..responses.moderation import erase_personal_data, flag_response
from ..responses.queries import filtered_responses, response_values
from . import stats
from .charts import per_day_svg
from .forms import (
    CloseForm,
    EraseForm,
    ExtendForm,
    FlagForm,
    ReopenForm,
    ResponseFilterForm,
    flag_label,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def open_to_analysts(view):
    """Mark a view that analysts may POST to: it only prepares something for them to read."""
    view.open_to_analysts = True
    return view


@bp.before_request
def require_access():
    """Anonymous people are sent to sign in; analysts may read but change nothing."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if request.method not in SAFE_METHODS and not current_user.is_admin:
        view = current_app.view_functions.get(request.endpoint)
        if not getattr(view, "open_to_analysts", False):
            abort(403)


@bp.context_processor
def _labels():
    return {"flag_label": flag_label}


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _actor():
    return Actor.of(current_user)


def _consultation(slug):
    return consultation_by_slug(slug) or abort(404)


def _title(consultation):
    return consultation.text("title", current_locale())


def _figures(consultation):
    country_rows = stats.breakdown(consultation, "country")
    return {
        "totals": stats.totals(consultation),
        "chart": per_day_svg(stats.per_day(consultation)),
        "types": stats.breakdown(consultation, "respondent_type"),
        "sizes": stats.breakdown(consultation, "organisation_size"),
        "countries": stats.country_summary(country_rows, current_locale()),
    }


@bp.get("/")
def dashboard():
    """Every consultation: state, window, responses, submissions per day and who took part."""
    consultations = all_consultations()
    figures = {c.id: _figures(c) for c in consultations}
    return render_template("admin/dashboard.html", consultations=consultations, figures=figures)


@bp.get("/consultations/<slug>")
def consultation(slug):
    """One consultation: its figures, its reports and exports, and the forms to close, reopen
    or extend it."""
    from .reports import queue_down_message

    item = _consultation(slug)
    return render_template(
        "admin/consultation.html",
        consultation=item,
        figures=_figures(item),
        close_form=CloseForm(),
        reopen_form=ReopenForm(),
        extend_form=ExtendForm(closing_date=item.closing_date),
        jobs=recent_reports(item),
        jobs_can_start=current_queue().reachable(),
        queue_down=queue_down_message(),
        retention_days=current_app.config["REPORT_RETENTION_DAYS"],
    )


def _change(slug, form_class, operation, template_action, describe):
    """Validate, ask for confirmation, then act, commit and say what happened."""
    item = _consultation(slug)
    form = form_class()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for(".consultation", slug=slug))
    if not form.confirmed:
        return render_template(
            "admin/confirm.html",
            consultation=item,
            form=form,
            action=template_action,
            description=describe(item, form),
            action_url=request.path,
            cancel_url=url_for(".consultation", slug=slug),
        )
    try:
        operation(item, form)
    except OperationRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(url_for(".consultation", slug=slug))
    db.session.commit()
    flash(_("Done: %(what)s", what=describe(item, form, done=True)), "success")
    return redirect(url_for(".consultation", slug=slug))


@bp.post("/consultations/<slug>/close")
def close(slug):
    """Close a consultation now, with a reason."""
    return _change(
        slug,
        CloseForm,
        lambda item, form: close_consultation(item, _actor(), form.reason.data),
        _l("Close now"),
        lambda item, form, done=False: (
            _(
                "“%(title)s” was closed; no further contributions will be accepted.",
                title=_title(item),
            )
            if done
            else _(
                "“%(title)s” will close now; no further contributions will be accepted.",
                title=_title(item),
            )
        ),
    )


@bp.post("/consultations/<slug>/reopen")
def reopen(slug):
    """Reopen a consultation that was closed by hand."""
    return _change(
        slug,
        ReopenForm,
        lambda item, form: reopen_consultation(item, _actor(), form.reason.data),
        _l("Reopen"),
        lambda item, form, done=False: (
            _(
                "“%(title)s” was reopened until midnight at the end of %(date)s, Brussels time.",
                title=_title(item),
                date=long_date(item.closing_date),
            )
            if done
            else _(
                "“%(title)s” will accept contributions again until midnight at the end of "
                "%(date)s, Brussels time.",
                title=_title(item),
                date=long_date(item.closing_date),
            )
        ),
    )


@bp.post("/consultations/<slug>/extend")
def extend(slug):
    """Move the closing date."""
    return _change(
        slug,
        ExtendForm,
        lambda item, form: extend_consultation(
            item, form.closing_date.data, _actor(), form.reason.data
        ),
        _l("Change the closing date"),
        lambda item, form, done=False: (
            _(
                "“%(title)s” now closes at midnight at the end of %(date)s, Brussels time.",
                title=_title(item),
                date=long_date(form.closing_date.data),
            )
            if done
            else _(
                "“%(title)s” will close at midnight at the end of %(date)s, Brussels time.",
                title=_title(item),
                date=long_date(form.closing_date.data),
            )
        ),
    )


# -- responses -----------------------------------------------------------------------


@bp.get("/consultations/<slug>/responses")
def responses(slug):
    """The responses of a consultation, newest first, with filters."""
    item = _consultation(slug)
    questionnaire = item.questionnaire
    form = ResponseFilterForm(request.args)
    profile = questionnaire.profile_questions()
    types = profile.get("respondent_type")
    form.respondent_type.choices = [("", _("All"))] + (types.choices() if types else [])
    form.country.choices = [("", _("All"))] + (
        profile["country"].choices() if "country" in profile else []
    )
    form.validate()
    since = clock.start_of_day(form.since.data) if form.since.data else None
    until = clock.end_of_day(form.until.data) if form.until.data else None
    query = filtered_responses(
        item,
        respondent_type=form.respondent_type.data or None,
        country=form.country.data or None,
        since=since,
        until=until,
        text=form.text.data or None,
        flag=form.flag.data or "all",
    )
    page = db.paginate(
        query,
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["ADMIN_PAGE_SIZE"],
        error_out=False,
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "admin/responses.html",
        consultation=item,
        questionnaire=questionnaire,
        form=form,
        page=page,
        args=args,
    )


def _response(response_id):
    return db.session.get(Response, response_id) or abort(404)


@bp.get("/responses/<int:response_id>")
def response(response_id):
    """Every answer of one response, as the respondent gave it."""
    item = _response(response_id)
    return render_template(
        "admin/response.html",
        response=item,
        consultation=item.consultation,
        questionnaire=item.consultation.questionnaire,
        values=response_values(item),
        flag_form=FlagForm(flag=item.flag or ""),
        erase_form=EraseForm(),
    )


def _response_change(response_id, form_class, operation, action, describe):
    item = _response(response_id)
    form = form_class()
    back = url_for(".response", response_id=response_id)
    if not form.validate_on_submit():
        flash(_("Choose a valid option."), "error")
        return redirect(back)
    if not form.confirmed:
        return render_template(
            "admin/confirm.html",
            consultation=item.consultation,
            form=form,
            action=action,
            description=describe(item, form),
            action_url=request.path,
            cancel_url=back,
        )
    try:
        operation(item, form)
    except OperationRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(back)
    db.session.commit()
    flash(_("Done."), "success")
    return redirect(back)


@bp.post("/responses/<int:response_id>/flag")
def flag(response_id):
    """Mark a response as spam or duplicate (left out of reports), or count it again."""
    return _response_change(
        response_id,
        FlagForm,
        lambda item, form: flag_response(item, form.flag.data or None, _actor(), form.reason.data),
        _l("Change the mark"),
        lambda item, form: (
            _(
                "Response %(id)s will be marked as %(mark)s and left out of reports.",
                id=item.id,
                mark=flag_label(form.flag.data),
            )
            if form.flag.data
            else _("Response %(id)s will be counted in reports again.", id=item.id)
        ),
    )


@bp.post("/responses/<int:response_id>/erase")
def erase(response_id):
    """Erase a respondent's personal data on their request; the answers stay."""
    return _response_change(
        response_id,
        EraseForm,
        lambda item, form: erase_personal_data(item, _actor(), form.reason.data),
        _l("Erase personal data"),
        lambda item, form: _(
            "The name and e-mail addresses of response %(id)s will be erased for good. "
            "The answers stay, for statistics.",
            id=item.id,
        ),
    )


@bp.get("/uploads/<int:upload_id>")
def upload(upload_id):
    """A file sent with a response, as an attachment of its own type."""
    item = db.session.get(Upload, upload_id) or abort(404)
    path = Path(current_app.config["UPLOAD_FOLDER"]) / item.stored_name
    if not path.is_file():
        abort(404)
    return send_file(
        path, mimetype=item.content_type, as_attachment=True, download_name=item.original_name
    )


@bp.get("/audit")
def audit():
    """Every recorded change, newest first."""
    page = audit_page(request.args.get("page", 1, type=int), current_app.config["ADMIN_PAGE_SIZE"])
    return render_template("admin/audit.html", page=page)
