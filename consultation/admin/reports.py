"""Reports and exports from the administration area, prepared as background jobs.

A button starts a job (or joins the same one already under way) and leads to
its progress page; the file is downloaded from there once complete. Both roles
may prepare and download reports and exports; recounts are for administrators.
"""

from datetime import timedelta
from pathlib import Path

from babel.dates import format_timedelta
from babel.numbers import format_percent
from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from .. import clock
from ..audit.operations import record
from ..consultations.queries import profile_labels
from ..downloads import attachment
from ..errors import OperationRefused
from ..extensions import db
from ..formatting import current_locale
from ..i18n import format_locale, number
from ..jobs import operations as job_operations
from ..jobs import queries as job_queries
from ..jobs.models import Job, State
from ..jobs.queue import current_queue
from ..responses.models import Response as ResponseRow
from .views import _actor, _consultation, bp, open_to_analysts, report_choices

#: Kinds an analyst may start (and try again): they only prepare something to read.
ANALYST_KINDS = {"summary", "export"}
FORMATS = {"csv", "xlsx"}
VARIANTS = {"personal", "public"}
MAINTENANCE = {"recount", "prepare_exports"}


def _choice(value, choices):
    """``value`` if it is one of ``choices`` (key, label), else None (all)."""
    if not value:
        return None
    return value if value in dict(choices) else None


def _start(kind, parameters, consultation):
    """Start (or join) a job and go to its progress page."""
    back = url_for(".consultation", slug=consultation.slug)
    if not current_queue().reachable():
        flash(queue_down_message(), "error")
        return redirect(back)
    job, joined = job_operations.request_job(
        kind,
        {"consultation_id": consultation.id, **parameters},
        _actor(),
        consultation,
        locale=current_locale(),
    )
    db.session.commit()
    if joined:
        flash(_("This was already being prepared: you are following the same job."), "success")
    return redirect(url_for(".job", job_id=job.id), 303)


def queue_down_message() -> str:
    return _(
        "Reports and exports cannot be started just now: the job queue does not answer. "
        "Try again in a few minutes. Contributions are still being received."
    )


@bp.post("/consultations/<slug>/reports/summary")
@open_to_analysts
def prepare_summary(slug):
    """Start preparing the summary report PDF, with the filters chosen."""
    item = _consultation(slug)
    choices = report_choices(item)
    parameters = {
        "respondent_type": _choice(request.form.get("respondent_type"), choices["respondent_type"]),
        "country": _choice(request.form.get("country"), choices["country"]),
        "locale": current_locale(),
    }
    return _start("summary", parameters, item)


@bp.post("/consultations/<slug>/reports/export")
@open_to_analysts
def prepare_export(slug):
    """Start preparing a spreadsheet: CSV or XLSX, with personal data or public."""
    from ..reports.export import check_xlsx_size

    item = _consultation(slug)
    fmt, variant = request.form.get("format"), request.form.get("variant")
    if fmt not in FORMATS or variant not in VARIANTS:
        abort(400)
    if fmt == "xlsx":
        try:
            check_xlsx_size(item)
        except OperationRefused as refusal:
            flash(str(refusal), "error")
            return redirect(url_for(".consultation", slug=slug))
    return _start("export", {"format": fmt, "variant": variant}, item)


@bp.post("/consultations/<slug>/reports/maintenance")
def prepare_maintenance(slug):
    """Recount the summary's figures, or make the export lines again (administrators)."""
    item = _consultation(slug)
    what = request.form.get("task")
    if what not in MAINTENANCE:
        abort(400)
    return _start(what, {}, item)


def _report_job(job_id) -> Job:
    job = job_queries.job_by_id(job_id)
    if job is None or job.kind not in job_queries.REPORT_KINDS:
        abort(404)
    return job


def _take_back_stalled():
    """A page about jobs first takes back those of workers that stopped, so that none shows
    as running for ever even where no worker is left to notice."""
    if job_operations.reclaim_stalled(current_app.config["REPORT_FOLDER"]):
        db.session.commit()


@bp.get("/jobs/<int:job_id>")
def job(job_id):
    """How far a report or export is; its download link once ready (refreshes itself)."""
    _take_back_stalled()
    item = _report_job(job_id)
    return render_template(
        "admin/job.html",
        job=item,
        consultation=item.consultation,
        status=status(item),
        may_retry=_may_start(item.kind),
    )


@bp.get("/jobs/<int:job_id>/status")
def job_status(job_id):
    """The same, as JSON, for the page's script."""
    _take_back_stalled()
    return jsonify(status(_report_job(job_id)))


def _may_start(kind) -> bool:
    return current_user.is_admin or kind in ANALYST_KINDS


@bp.post("/jobs/<int:job_id>/retry")
@open_to_analysts
def retry_job(job_id):
    """Prepare again what a job prepared (after it failed, or its file was deleted)."""
    item = _report_job(job_id)
    if not _may_start(item.kind):
        abort(403)
    if not current_queue().reachable():
        flash(queue_down_message(), "error")
        return redirect(url_for(".job", job_id=job_id))
    again, _joined = job_operations.retry_job(item, _actor(), current_locale())
    db.session.commit()
    return redirect(url_for(".job", job_id=again.id), 303)


@bp.get("/jobs/<int:job_id>/download")
def job_download(job_id):
    """The finished file, recorded in the audit log (exports may hold personal data)."""
    item = _report_job(job_id)
    path = Path(current_app.config["REPORT_FOLDER"]) / (item.result_path or "")
    if item.state is not State.DONE or not item.result_path or not path.is_file():
        if item.state is State.DONE:
            flash(_("This file is no longer there. Prepare it again."), "error")
        return redirect(url_for(".job", job_id=job_id))
    parameters = item.parameters
    if item.kind == "export":
        details = {
            "format": parameters["format"],
            "variant": parameters["variant"],
            "rows": item.result_rows,
            "job": item.id,
        }
        action = "export.download"
    else:
        details = {"format": "pdf", "job": item.id}
        details.update(
            {k: parameters[k] for k in ("respondent_type", "country") if parameters.get(k)}
        )
        action = "report.download"
    record(_actor(), action, item.consultation, after=details)
    db.session.commit()
    return send_file(
        path,
        mimetype=item.result_type,
        as_attachment=True,
        download_name=item.result_name,
        max_age=0,
    )


# -- words for people -----------------------------------------------------------------


def job_title(item: Job) -> str:
    """What a job prepares, as a person would say it."""
    asked = item.parameters or {}
    if item.kind == "summary":
        chosen = [key for key in ("respondent_type", "country") if asked.get(key)]
        labels = profile_labels(item.consultation, chosen, current_locale()) if chosen else {}
        filters = [labels[key](asked[key]) for key in chosen]
        if filters:
            return _("Summary report (PDF): %(filters)s", filters=", ".join(filters))
        return _("Summary report (PDF): all respondents")
    if item.kind == "export":
        fmt = "CSV" if asked.get("format") == "csv" else "Excel"
        if asked.get("variant") == "personal":
            return _("Spreadsheet with personal data (%(format)s)", format=fmt)
        return _("Public spreadsheet (%(format)s)", format=fmt)
    if item.kind == "recount":
        return _("Recount of the summary figures")
    if item.kind == "prepare_exports":
        return _("Export lines made again")
    return item.kind


def state_label(item: Job) -> str:
    labels = {
        State.QUEUED: _("Waiting to start"),
        State.RUNNING: _("Being prepared"),
        State.DONE: _("Ready"),
        State.FAILED: _("Failed"),
        State.EXPIRED: _("Deleted"),
    }
    return labels[item.state]


def file_size(size) -> str:
    """1.2 MB, 1,2 MB, 830 kB."""
    if size is None:
        return ""
    if size < 1_000_000:
        return _("%(size)s kB", size=number(max(1, round(size / 1000))))
    return _("%(size)s MB", size=number(round(size / 1_000_000, 1)))


def percent(value) -> str:
    """45%, 45 %: a job's percentage as the reader writes it."""
    return format_percent(value / 100, locale=format_locale())


def _unit(item: Job, count: int) -> str:
    if item.progress_unit == "rows":
        return _(
            "%(done)s of %(total)s rows", done=number(count), total=number(item.progress_total)
        )
    return _("step %(done)s of %(total)s", done=number(count), total=number(item.progress_total))


def status(item: Job) -> dict:
    """The state, progress and time left of a job, in words and numbers (page and JSON)."""
    now = clock.now_utc()
    state = item.state
    parts = []
    if state is State.QUEUED:
        parts.append(_("Waiting for a worker to start it."))
        if item.attempts and item.error:
            parts.append(_("The last try failed: %(error)s", error=item.error))
        elif item.attempts:
            parts.append(_("The first try was interrupted; it will be tried again."))
    elif state is State.RUNNING:
        if item.percent is not None:
            parts.append(percent(item.percent))
        if item.progress_total and (item.progress_unit == "rows" or item.progress_total > 1):
            parts.append(_unit(item, item.progress_done))
        left = item.seconds_left(now)
        if left is not None:
            parts.append(
                _(
                    "about %(time)s left",
                    time=format_timedelta(
                        timedelta(seconds=max(left, 1)), threshold=1.1, locale=format_locale()
                    ),
                )
            )
        elif not parts:
            parts.append(_("Started; the time left is not known yet."))
    elif state is State.DONE:
        parts.append(item.outcome or _("Ready to download."))
    elif state is State.FAILED:
        parts.append(item.error)
    else:
        days = current_app.config["REPORT_RETENTION_DAYS"]
        parts.append(_("Prepared files are kept %(days)s days; this one was deleted.", days=days))
    return {
        "id": item.id,
        "state": state.value,
        "active": item.active,
        "percent": item.percent,
        "label": state_label(item),
        "text": " · ".join(parts) if state is State.RUNNING else " ".join(parts),
    }


@bp.app_template_global()
def job_words():
    """The helpers templates use to describe jobs."""
    return {"title": job_title, "state": state_label, "size": file_size, "percent": percent}


@bp.get("/responses/<int:response_id>/copy.pdf")
def response_copy(response_id):
    """The PDF copy of one response, as its respondent can download it."""
    from ..reports.pdf import contribution_pdf

    item = db.session.get(ResponseRow, response_id) or abort(404)
    return Response(
        contribution_pdf(item),
        mimetype="application/pdf",
        headers=attachment(f"response-{item.id}.pdf"),
    )
