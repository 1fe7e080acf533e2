"""When a submission cannot be taken now (database down, 503; too many requests, 429), a page
that keeps the person's answers.

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
from ..questionnaires.forms import build_form, field_name
from ..questionnaires.loader import QuestionnaireError, definitions_dir, parse_file
from ..questionnaires.text import tr
from ..reports.pdf_bounds import short_file_name
from .queries import response_by_edit_token
from .typed import answers_text, typed_answers

DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeout)


#: Questionnaires read from their files, by (slug, modification time): parsing the YAML
#: takes some 100 ms, too much for a page shown to every form refused in a busy minute.
_FROM_FILE: dict = {}


def _questionnaire_from_file(slug):
    path = definitions_dir() / f"{slug}.yaml"
    try:
        key = (slug, path.stat().st_mtime_ns)
    except OSError:
        return None, None
    if key not in _FROM_FILE:
        try:
            definition = parse_file(path)
        except QuestionnaireError:
            return None, None
        if len(_FROM_FILE) >= 32:
            _FROM_FILE.clear()
        _FROM_FILE[key] = (definition["title"], Questionnaire(definition))
    title, questionnaire = _FROM_FILE[key]
    return tr(title, current_locale()), questionnaire


def _posted_questionnaire() -> str | None:
    """The slug of the questionnaire this request posted, if it posted one."""
    if request.method != "POST":
        return None
    if request.endpoint == "responses.respond":
        return (request.view_args or {}).get("slug", "")
    if request.endpoint == "responses.edit":
        try:
            response = response_by_edit_token((request.view_args or {}).get("token", ""))
        except DATABASE_DOWN:
            return None  # the database is down: no way to tell which questionnaire it was
        return response.consultation.slug if response else None
    if request.endpoint == "drafts.resume":
        from .drafts import draft_by_token

        try:
            draft = draft_by_token((request.view_args or {}).get("token", ""))
        except DATABASE_DOWN:
            return None
        return draft.consultation.slug if draft else None
    return None


def chosen_again(questionnaire) -> list[dict]:
    """The file questions for which this request carried a file: the page cannot keep it (it
    may be a flood, or the database may be down), so it asks for it again, by name."""
    wanted = []
    for question in questionnaire:
        if question.kind != "file":
            continue
        storage = request.files.get(field_name(question))
        if storage is not None and storage.filename:
            wanted.append(
                {
                    "name": field_name(question),
                    "label": question.label(current_locale()),
                    "filename": short_file_name(storage.filename),
                    "accept": ",".join(f".{ext}" for ext in question.extensions),
                }
            )
    return wanted


def database_unavailable(error):
    """503, with the answers of a submission kept and downloadable."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection may be gone; nothing more to undo
        pass
    from ..api.http import ApiError, error_response, is_api_request

    if is_api_request():
        return (
            error_response(ApiError(503, "The database does not answer just now.")),
            503,
            {"Retry-After": "30"},
        )
    return answers_kept("errors/unavailable.html", 503, retry_after=30)


def too_many_requests(error):
    """429 from the rate limits: say so plainly, and keep a submission's answers."""
    from ..api.http import error_response, is_api_request

    if is_api_request():
        return error_response(error)
    retry = getattr(getattr(error, "limit", None), "limit", None)
    seconds = retry.get_expiry() if retry is not None else 60
    return answers_kept("errors/too_many.html", 429, retry_after=seconds)


#: Form fields never resent as they were: the bot checks get fresh ones.
NOT_RESENT = {"website", "form_served"}


def answers_kept(template, status, retry_after, **context):
    """Render ``template`` with the answers of a refused submission, ready to resend."""
    typed, download, title, files_again = [], None, None, []
    slug = _posted_questionnaire()
    if slug:
        title, questionnaire = _questionnaire_from_file(slug)
        if questionnaire is not None:
            form = build_form(questionnaire, meta={"csrf": False})
            files_again = chosen_again(questionnaire)
            typed = typed_answers(questionnaire, form, current_locale())
            text = answers_text(title, questionnaire, form, current_locale())
            download = "data:text/plain;charset=utf-8," + quote(text)
    body = render_template(
        template,
        title=title,
        typed=typed,
        download=download,
        resend=[(k, v) for k, v in request.form.items(multi=True) if k not in NOT_RESENT]
        if typed
        else [],
        retry_url=request.path,
        retry_after=retry_after,
        files_again=files_again,
        **context,
    )
    return body, status, {"Retry-After": str(retry_after), "Cache-Control": "no-store"}


def init_app(app):
    for error in DATABASE_DOWN:
        app.register_error_handler(error, database_unavailable)
    app.register_error_handler(429, too_many_requests)
