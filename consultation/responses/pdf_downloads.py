"""A respondent's PDFs (a draft, the copy of a contribution): bounded, time-limited, cached.

Each is rendered in a child process within ``PDF_RENDER_SECONDS``
(``reports.pdf_limits``); when it cannot be made now, the person gets a page that says
so and offers the same content as a text file. The copy of a contribution is kept until
the contribution changes (``reports.pdf_cache``), so downloading it again costs nothing.
"""

from flask import Response, render_template, request, url_for
from flask_babel import gettext as _

from ..downloads import attachment
from ..extensions import db
from ..formatting import brussels_datetime, current_locale
from ..reports.pdf_bounds import bounded_typed, short_file_name
from ..reports.pdf_cache import cached_contribution_pdf
from ..reports.pdf_limits import PdfUnavailable, render_in_child
from .drafts import draft_file_names, draft_form
from .models import Draft
from .models import Response as Contribution
from .pages import private
from .queries import response_values
from .typed import typed_answers

#: Seconds a person is asked to wait before trying a PDF again.
RETRY_AFTER = 60


def draft_pdf_download(draft: Draft, token: str):
    """The draft as a PDF to keep, or a page offering its text file when it cannot be made."""
    try:
        pdf = render_in_child(_draft_document, draft.id, current_locale())
    except PdfUnavailable as unavailable:
        return _unavailable(unavailable, url_for("drafts.download", token=token))
    name = f"{draft.consultation.slug}-my-draft.pdf"
    return _attachment(pdf, "application/pdf", name)


def contribution_copy_download(response: Contribution):
    """The copy of a contribution as a PDF (``?format=text``: as a text file), or a page
    offering the text file when the PDF cannot be made."""
    if request.args.get("format") == "text":
        text = contribution_text(response, current_locale())
        return _attachment(text, "text/plain", f"contribution-{response.reference}.txt")
    try:
        pdf = cached_contribution_pdf(response, current_locale(), render_contribution)
    except PdfUnavailable as unavailable:
        db.session.rollback()
        text_url = url_for(request.endpoint, **(request.view_args or {}), format="text")
        return _unavailable(unavailable, text_url)
    db.session.commit()  # the PDF just made is kept for the next download
    return _attachment(pdf, "application/pdf", f"contribution-{response.reference}.pdf")


def contribution_text(response: Contribution, locale=None) -> str:
    """The copy of a contribution as plain text: reference, date and every answer."""
    consultation = response.consultation
    values = response_values(response)
    out = [
        consultation.text("title", locale),
        _("Copy of a contribution"),
        "",
        f"{_('Contribution reference')}: {response.reference}",
        f"{_('Received')}: "
        + _("%(datetime)s Brussels time", datetime=brussels_datetime(response.submitted_at)),
        "",
    ]
    for question in consultation.questionnaire:
        if question.key in values:
            out.append(question.label(locale))
            out.extend(f"  {line}" for line in question.display(values[question.key], locale))
            out.append("")
    return "\n".join(out)


# -- what the child process renders ----------------------------------------------------------
def _draft_document(draft_id: int, locale: str) -> bytes:
    from ..reports.pdf import draft_pdf  # WeasyPrint loads only when a PDF is asked for

    draft = db.session.get(Draft, draft_id)
    files = {key: short_file_name(name) for key, name in draft_file_names(draft).items()}
    typed = typed_answers(draft.consultation.questionnaire, draft_form(draft), locale, files)
    return draft_pdf(draft, bounded_typed(typed))


def _contribution_document(response_id: int) -> bytes:
    from ..reports.pdf import contribution_pdf

    return contribution_pdf(db.session.get(Contribution, response_id))


def render_contribution(response: Contribution) -> bytes:
    return render_in_child(_contribution_document, response.id)


# -- answers ---------------------------------------------------------------------------------
def _attachment(body, mimetype: str, filename: str):
    return private(Response(body, mimetype=mimetype, headers=attachment(filename)))


def _unavailable(unavailable: PdfUnavailable, text_url: str):
    """503: the PDF could not be made now; the text file instead, or try again later."""
    page = render_template(
        "public/pdf_unavailable.html",
        reason=unavailable.reason,
        text_url=text_url,
        retry_url=request.full_path.rstrip("?"),
        retry_after=RETRY_AFTER,
    )
    response = private(page, 500 if unavailable.reason == "failed" else 503)
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response
