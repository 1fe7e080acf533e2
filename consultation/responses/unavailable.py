"""When the database fails during a submission: a 503 page that keeps the person's answers.

The database cannot tell us the questionnaire then, so it is read from the shipped
YAML file. The page lists the answers, offers them as a download (a data: link, no
request needed) and a button that sends the same form again: the submission token
makes that retry safe, it can never store the contribution twice.
"""

from urllib.parse import quote

from flask import render_template, request
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ..extensions import db
from ..formatting import current_locale
from ..questionnaires.definition import Questionnaire
from ..questionnaires.forms import build_form
from ..questionnaires.loader import QuestionnaireError, definitions_dir, parse_file
from ..questionnaires.text import tr
from .typed import answers_text, typed_answers

DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeout)


def _questionnaire_from_file(slug):
    path = definitions_dir() / f"{slug}.yaml"
    if not path.is_file():
        return None, None
    try:
        definition = parse_file(path)
    except QuestionnaireError:
        return None, None
    return tr(definition["title"], current_locale()), Questionnaire(definition)


def database_unavailable(error):
    """503, with the answers of a submission kept and downloadable."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection may be gone; nothing more to undo
        pass
    typed, download, title = [], None, None
    if request.method == "POST" and request.endpoint == "responses.respond":
        slug = (request.view_args or {}).get("slug", "")
        title, questionnaire = _questionnaire_from_file(slug)
        if questionnaire is not None:
            form = build_form(questionnaire, meta={"csrf": False})
            typed = typed_answers(questionnaire, form, current_locale())
            text = answers_text(title, questionnaire, form, current_locale())
            download = "data:text/plain;charset=utf-8," + quote(text)
    body = render_template(
        "errors/unavailable.html",
        title=title,
        typed=typed,
        download=download,
        resend=request.form.items(multi=True) if typed else [],
        retry_url=request.path,
    )
    return body, 503, {"Retry-After": "30", "Cache-Control": "no-store"}


def init_app(app):
    for error in DATABASE_DOWN:
        app.register_error_handler(error, database_unavailable)
