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
from ..audit.operations import Actor, Target, record
from ..audit.queries import COMMAND_LINE, audit_page
from ..audit.sentences import action_choices, sentences
from ..auth.queries import all_users
from ..consultations.operations import (
    close_consultation,
    extend_consultation,
    extension_refusal,
    reopen_consultation,
)
from ..consultations.queries import (
    all_consultations,
    consultation_by_slug,
    profile_choices,
    profile_labels,
    profile_questions_asked,
)
from ..downloads import attachment
from ..errors import OperationRefused
from ..extensions import db, login_manager
from ..formatting import current_locale, long_date
from ..jobs.queries import recent_reports
from ..jobs.queue import current_queue
from ..responses.confirmation import confirmation_status
from ..responses.models import Response, Upload
from ..responses.moderation import erase_personal_data, flag_response
from ..responses.queries import (
    filtered_responses,
    replaced_answers,
    response_by_reference,
    response_values,
)
from ..responses.references import canonical_reference
from . import stats
from .charts import per_day_svg
from .forms import (
    AuditFilterForm,
    CloseForm,
    EraseForm,
    ExtendForm,
    FlagForm,
    ReferenceLookupForm,
    ReopenForm,
    ResponseFilterForm,
    flag_label,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
#: No list has more pages; larger numbers would overflow the database's OFFSET.
MAX_PAGE = 10**9


def open_to_analysts(view):
    """Mark a view that analysts may POST to: it only prepares something for them to read."""
    view.open_to_analysts = True
    return view


def own_account(view):
    """Mark a view of the person's own account (sessions, two-factor): every role may use it."""
    view.own_account = True
    return view


def admins_only(view):
    """Mark a view that only admins may even read (the accounts)."""
    view.admins_only = True
    return view


@bp.before_request
def require_access():
    """Anonymous people are sent to sign in; analysts may read but change nothing;
    moderators may also moderate (``publishing.admin_views.open_to_moderators``).

    Someone who must use two-factor sign-in and has not set it up reaches nothing but its
    enrolment page until they have."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    view = current_app.view_functions.get(request.endpoint)
    if (
        current_user.two_factor_required(current_app.config)
        and not current_user.two_factor_enabled
        and not getattr(view, "during_enrolment", False)
    ):
        return redirect(url_for("admin.two_factor"))
    if getattr(view, "admins_only", False) and not current_user.is_admin:
        abort(403)
    if getattr(view, "own_account", False):
        return None
    if request.method not in SAFE_METHODS and not current_user.is_admin:
        if getattr(view, "open_to_analysts", False):
            return None
        if getattr(view, "open_to_moderators", False) and current_user.may_moderate:
            return None
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


def _page() -> int:
    """The ``?page=`` asked for: 1 when absent or not a number, 404 beyond any list's end."""
    page = request.args.get("page", 1, type=int)
    if page > MAX_PAGE:
        abort(404)
    return max(page, 1)


def _consultation(slug):
    return consultation_by_slug(slug) or abort(404)


def _title(consultation):
    return consultation.text("title", current_locale())


def _figures(consultation):
    country_rows = stats.breakdown(consultation, "country")
    sizes = consultation.questionnaire.profile_questions().get("organisation_size")
    return {
        "totals": stats.totals(consultation),
        "chart": per_day_svg(stats.per_day(consultation)),
        "types": stats.breakdown(consultation, "respondent_type"),
        # Sizes are a scale: listed from the smallest, as the question lists them.
        "sizes": stats.in_option_order(
            stats.breakdown(consultation, "organisation_size"), sizes.option_keys if sizes else []
        ),
        "countries": stats.country_summary(country_rows, current_locale()),
    }


@bp.get("/")
def dashboard():
    """Every consultation not archived: state, window, responses, submissions per day and who
    took part (archived ones are listed under "Consultations", ``authoring.views``)."""
    consultations = all_consultations(archived=False)
    figures = {c.id: _figures(c) for c in consultations}
    return render_template("admin/dashboard.html", consultations=consultations, figures=figures)


@bp.get("/consultations/<slug>")
def consultation(slug):
    """One consultation: its figures, its reports and exports, and the forms to close, reopen
    or extend it."""
    return _consultation_page(_consultation(slug))


def report_choices(item, locale=None) -> dict[str, list[tuple[str, str]]]:
    """The summary report's filters: every respondent type and country any version offered."""
    asked = profile_questions_asked(item)
    return {
        column: profile_choices(item, column, locale, asked)
        for column in ("respondent_type", "country")
    }


#: The action forms of a consultation's page, by the name the template knows them by.
ACTION_FORMS = {"close_form": CloseForm, "reopen_form": ReopenForm, "extend_form": ExtendForm}


def _consultation_page(item, failed=None, status=200):
    """The consultation's page; ``failed`` (name, form) comes back with its problems shown.

    The other forms start blank: a POST fills only the form that was sent.
    """
    from .reports import queue_down_message

    forms = {
        name: form_class(formdata=None, **_form_defaults(item, name))
        for name, form_class in ACTION_FORMS.items()
    }
    problems = []
    if failed is not None:
        name, form = failed
        forms[name] = form
        problems = [
            (f"{name.removesuffix('_form')}-{field.name}", error)
            for field in form
            if field.name != "csrf_token"
            for error in field.errors
        ]
    return render_template(
        "admin/consultation.html",
        consultation=item,
        figures=_figures(item),
        problems=problems,
        jobs=recent_reports(item),
        report_choices=report_choices(item, current_locale()),
        jobs_can_start=current_queue().reachable(),
        queue_down=queue_down_message(),
        retention_days=current_app.config["REPORT_RETENTION_DAYS"],
        **forms,
    ), status


def _form_defaults(item, name):
    return {"closing_date": item.closing_date} if name == "extend_form" else {}


def _change(slug, form_class, operation, template_action, describe, check=None, destructive=False):
    """Validate, ask for confirmation, then act, commit and say what happened.

    A form with a problem (``check`` returns the field and words that say it) comes
    back on the consultation's page with what was typed, before any confirmation.
    """
    item = _consultation(slug)
    form = form_class()
    valid = form.validate_on_submit()
    refusal = check(item, form) if valid and check else None
    if refusal:
        field, message = refusal
        form[field].errors.append(message)
    if not valid or refusal:
        name = next(name for name, cls in ACTION_FORMS.items() if cls is form_class)
        return _consultation_page(item, failed=(name, form), status=400)
    if not form.confirmed:
        return render_template(
            "admin/confirm.html",
            consultation=item,
            form=form,
            action=template_action,
            description=describe(item, form),
            action_url=request.path,
            cancel_url=url_for(".consultation", slug=slug),
            destructive=destructive,
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
        destructive=True,
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
        check=lambda item, form: _field_problem(
            "closing_date", extension_refusal(item, form.closing_date.data)
        ),
    )


def _field_problem(field, message):
    return (field, message) if message else None


# -- responses -----------------------------------------------------------------------


@bp.get("/consultations/<slug>/responses")
def responses(slug):
    """The responses of a consultation, newest first, with filters."""
    item = _consultation(slug)
    questionnaire = item.questionnaire
    form = ResponseFilterForm(request.args)
    locale = current_locale()
    asked = profile_questions_asked(item)  # options earlier versions offered too
    for column in ("respondent_type", "country"):
        form[column].choices = [("", _("All"))] + profile_choices(item, column, locale, asked)
    status = 200 if form.validate() else 400
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
        page=_page(),
        per_page=current_app.config["ADMIN_PAGE_SIZE"],
        error_out=False,
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    elsewhere = None
    if not page.total and canonical_reference(form.text.data):
        found = response_by_reference(form.text.data)
        elsewhere = found if found is not None and found.consultation_id != item.id else None
    return render_template(
        "admin/responses.html",
        consultation=item,
        questionnaire=questionnaire,
        labels=profile_labels(item, ("respondent_type", "country"), locale),
        form=form,
        page=page,
        args=args,
        elsewhere=elsewhere,
    ), status


@bp.get("/responses/lookup")
def lookup():
    """Find a response by its reference, in any consultation: erasure requests quote it."""
    form = ReferenceLookupForm(request.args)
    typed = (form.reference.data or "").strip()
    if typed:
        found = response_by_reference(typed)
        if found is not None:
            return redirect(_erase_form_of(found))
    return render_template(
        "admin/lookup.html", form=form, problem=_reference_problem(typed) if typed else None
    )


def _erase_form_of(response):
    """The response's page, its erasure form filled with its reference."""
    return url_for(".response", response_id=response.id, reference=response.reference) + "#erase"


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
        replaced=replaced_answers(item),
        flag_form=FlagForm(flag=item.flag or ""),
        erase_form=EraseForm(reference=request.args.get("reference", "")[:64]),
        copy=confirmation_status(item),
    )


def _response_change(response_id, form_class, operation, action, describe, destructive=False):
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
            destructive=destructive,
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
    """Erase a respondent's personal data on their request; the answers stay.

    The request's reference must be this response's; another response's leads to
    that one, so the wrong person's data is never erased.
    """
    item = _response(response_id)
    typed = request.form.get("reference", "").strip()[:64]
    if canonical_reference(typed) != item.reference:
        found = response_by_reference(typed)
        if found is not None:
            flash(
                _(
                    "The reference %(reference)s is that of response %(other)s (shown here), "
                    "not of response %(id)s. Nothing was erased: check that this is the "
                    "response the request is about.",
                    reference=found.reference,
                    other=found.id,
                    id=item.id,
                ),
                "error",
            )
            return redirect(_erase_form_of(found))
        flash(_reference_problem(typed), "error")
        back = url_for(".response", response_id=item.id, reference=typed or None)
        return redirect(back + "#erase")
    return _response_change(
        response_id,
        EraseForm,
        lambda item, form: erase_personal_data(
            item, _actor(), form.reason.data, request_reference=item.reference
        ),
        _l("Erase personal data"),
        lambda item, form: _(
            "The name and e-mail addresses of response %(id)s (reference %(reference)s) will "
            "be erased for good. The answers stay, for statistics.",
            id=item.id,
            reference=item.reference,
        ),
        destructive=True,
    )


def _reference_problem(typed: str) -> str:
    """Why ``typed`` finds no response, in words."""
    if not typed:
        return _("Type the reference of the contribution the request is about.")
    if canonical_reference(typed) is None:
        return _(
            "“%(typed)s” is not a contribution reference: a reference has 12 letters and "
            "digits in three groups of four, such as 7KQ2-MZ9D-XH4T (older ones have six "
            "groups).",
            typed=typed,
        )
    return _("No response has the reference %(reference)s.", reference=canonical_reference(typed))


@bp.get("/uploads/<int:upload_id>")
def upload(upload_id):
    """A file sent with a response, as an attachment of its own type; the download is audited."""
    item = db.session.get(Upload, upload_id) or abort(404)
    path = Path(current_app.config["UPLOAD_FOLDER"]) / item.stored_name
    if not path.is_file():
        abort(404)
    details = {"response": item.response_id, "file": item.original_name}
    record(
        _actor(), "upload.download", Target("upload", item.id, item.original_name), after=details
    )
    db.session.commit()  # a respondent's file is personal data: each download is audited
    response = send_file(path, mimetype=item.content_type)
    response.headers.update(attachment(item.original_name))
    return response


@bp.get("/audit")
def audit():
    """The audit log in sentences, newest first, filtered by action, person and dates."""
    form = AuditFilterForm(request.args)
    form.action.choices = [("", _("Everything")), *action_choices()]
    form.person.choices = [
        ("", _("Everyone")),
        (COMMAND_LINE, _("The command line")),
        *((str(user.id), user.email) for user in all_users()),
    ]
    status = 200 if form.validate() else 400
    person = form.person.data if form.person.data in dict(form.person.choices) else ""
    page = audit_page(
        _page(),
        current_app.config["ADMIN_PAGE_SIZE"],
        action=form.action.data or None,
        person=int(person) if person.isdigit() else person or None,
        since=clock.start_of_day(form.since.data) if form.since.data else None,
        until=clock.end_of_day(form.until.data) if form.until.data else None,
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    entries = sentences(page.items)
    return render_template(
        "admin/audit.html", page=page, entries=entries, form=form, args=args
    ), status
