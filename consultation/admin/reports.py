"""Reports and exports from the administration area (both roles may read them)."""

import tempfile

from flask import (
    Response,
    abort,
    flash,
    redirect,
    request,
    send_file,
    stream_with_context,
    url_for,
)

from ..consultations.models import Consultation
from ..downloads import attachment
from ..errors import OperationRefused
from ..extensions import db
from ..i18n import current_locale
from ..reports.export import file_stamp
from ..responses.models import Response as ResponseRow
from .views import _consultation, bp


def _stamp():
    return file_stamp()


def _variant():
    """Personal data (names, e-mail) by default; ``?public=1`` honours publication choices."""
    return request.args.get("public") != "1"


@bp.get("/consultations/<slug>/report.pdf")
def summary_report(slug):
    """The factual summary report, optionally for one respondent type or country."""
    from ..reports.pdf import summary_pdf  # WeasyPrint loads only when a PDF is asked for

    item = _consultation(slug)
    respondent_type = request.args.get("respondent_type") or None
    country = request.args.get("country") or None
    pdf = summary_pdf(
        item, respondent_type=respondent_type, country=country, locale=current_locale()
    )
    suffix = "".join(f"-{part}" for part in (respondent_type, country) if part)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers=attachment(f"{slug}-summary{suffix}-{_stamp()}.pdf"),
    )


@bp.get("/consultations/<slug>/export.csv")
def export_csv(slug):
    """One row per response as CSV, streamed: memory stays flat at any size."""
    from ..reports.export import iter_csv

    consultation_id = _consultation(slug).id
    personal = _variant()
    name = f"{slug}-{'personal' if personal else 'public'}-{_stamp()}.csv"

    def chunks():
        # Streaming outlives the view's session: read the consultation again in the stream.
        yield from iter_csv(db.session.get(Consultation, consultation_id), personal)

    return Response(
        stream_with_context(chunks()),
        mimetype="text/csv",
        headers=attachment(name),
    )


@bp.get("/consultations/<slug>/export.xlsx")
def export_xlsx(slug):
    """One row per response as a spreadsheet, written row by row to a temporary file."""
    from ..reports.export import write_xlsx

    item = _consultation(slug)
    personal = _variant()
    spool = tempfile.TemporaryFile()
    try:
        write_xlsx(item, personal, spool)
    except OperationRefused as refusal:
        spool.close()
        flash(str(refusal), "error")
        return redirect(url_for("admin.consultation", slug=slug))
    spool.seek(0)
    return send_file(
        spool,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"{slug}-{'personal' if personal else 'public'}-{_stamp()}.xlsx",
    )


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
