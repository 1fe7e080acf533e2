"""PDFs: a Jinja template plus CSS, rendered by WeasyPrint through one function.

The URL fetcher reads the application's own static files and nothing else, so
nothing a respondent typed can make the renderer fetch a file or a web address.
"""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlparse

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..formatting import current_locale
from ..i18n import offered_languages
from ..responses.queries import replaced_answers, response_values
from .summary import build_summary


class FetchRefused(ValueError):
    """The PDF asked for something outside the application's static files."""


def _static_root() -> Path:
    return Path(current_app.static_folder).resolve()


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves files of one folder and refuses everything else."""

    def __init__(self, root: Path):
        super().__init__(allowed_protocols={"file"})
        self.root = root

    def fetch(self, url, headers=None):
        """The file at ``url`` if it lies inside the folder; ``FetchRefused`` otherwise."""
        parsed = urlparse(url)
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            raise FetchRefused(f"refused to fetch {url!r}")
        path = Path(unquote(parsed.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise FetchRefused(f"refused to fetch {url!r}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), path.read_bytes(), headers={"Content-Type": content_type}
        )


def page_numbers_css() -> str:
    """The CSS ``content`` of the page numbers ("Page 1 of 3") in the current language."""
    text = gettext("Page %(page)s of %(pages)s", page="\x00", pages="\x01")
    quoted = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    counters = quoted.replace("\x00", '" counter(page) "').replace("\x01", '" counter(pages) "')
    return f'"{counters}"'


#: Tagged PDF for accessibility (PDF/UA-1): a structure tree with headings, tables and
#: figures, the document's language and its title shown as the window's title.
PDF_VARIANT = "pdf/ua-1"


def render_pdf(template: str, **context) -> bytes:
    """Render ``template`` (HTML with a ``<title>`` and ``<html lang>``) as a tagged PDF.

    The one way the application makes a PDF: static files only, tagged for
    assistive technology, titled and in its language.
    """
    html = render_template(template, page_numbers=page_numbers_css(), **context)
    root = _static_root()
    document = HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=StaticOnlyFetcher(root))
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def summary_pdf(consultation, respondent_type=None, country=None, locale=None) -> bytes:
    """The factual summary report of ``consultation`` as a PDF, optionally filtered, written
    in ``locale`` (en, fr or de; by default the reader's language): frame texts, questions,
    options, units, dates and numbers."""
    locale = locale if locale in offered_languages() else current_locale()
    with force_locale(locale):
        summary = build_summary(consultation, respondent_type, country, locale=locale)
        return render_pdf("reports/summary.html", summary=summary, c=consultation, locale=locale)


def contribution_pdf(response) -> bytes:
    """The copy of one contribution: reference, consultation, date and every answer."""
    consultation = response.consultation
    return render_pdf(
        "reports/contribution.html",
        response=response,
        consultation=consultation,
        questionnaire=consultation.questionnaire,
        values=response_values(response),
        replaced=replaced_answers(response),
        locale=current_locale(),
    )


def draft_pdf(draft, typed) -> bytes:
    """What a person wrote in a draft (``typed``: label and lines per answer), as a PDF."""
    return render_pdf(
        "reports/draft.html",
        draft=draft,
        consultation=draft.consultation,
        typed=typed,
        locale=current_locale(),
    )
