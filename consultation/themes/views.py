"""Themes and coding in the administration area, on the admin blueprint (its access rules).

Both roles may find, rename, merge and split themes and code answers: that is
the analysts' work. Every change is an operation, audited; views stay thin.
"""

from math import ceil

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from ..admin.views import _actor, _consultation, _page, bp, open_to_analysts
from ..errors import OperationRefused
from ..extensions import db
from ..formatting import current_locale
from ..jobs import operations as job_operations
from ..jobs.queue import current_queue
from ..responses.models import Response
from . import jobs, operations, queries
from .models import Code, Theme
from .summary import attribution_for

PER_PAGE = 50
QUOTES = 3

bp.add_app_template_global(queries.response_coding, "response_coding")


def _question(consultation, key):
    return queries.question_by_key(consultation, key) or abort(404)


def _done(message=None):
    db.session.commit()
    flash(message or _("Done."), "success")


def _refused(refusal):
    db.session.rollback()
    flash(str(refusal), "error")


@bp.get("/consultations/<slug>/themes")
def themes_index(slug):
    """The free-text questions of a consultation, with their themes and codes counted."""
    item = _consultation(slug)
    rows = [
        {
            "question": question,
            "answers": queries.counted_answers(record.id),
            "themes": len(queries.themes(record.id)),
            "codes": len(queries.codebook(record.id)),
            "coded": queries.coded_answers(record.id),
        }
        for question, record in queries.free_text_questions(item)
    ]
    return render_template("admin/themes/index.html", consultation=item, rows=rows)


@bp.get("/consultations/<slug>/questions/<key>/themes")
def question_themes(slug, key):
    """A question's themes: top terms, counts and quotes; forms to rename, merge and split."""
    item = _consultation(slug)
    question, record = _question(item, key)
    who = attribution_for(item, current_locale())
    found = queries.themes(record.id)
    for row in found:
        row.quotes = quotes_of(row.theme, question, who)
    codes = queries.codebook(record.id)
    return render_template(
        "admin/themes/question.html",
        consultation=item,
        question=question,
        record=record,
        themes=found,
        answers=queries.counted_answers(record.id),
        found_at=queries.themes_found_at(record.id),
        job=jobs.latest_job(item, key),
        queue_up=current_queue().reachable(),
        codes=codes,
        code_counts=queries.code_counts(record.id),
    )


def quotes_of(theme, question, who):
    from .quotes import theme_quotes

    return theme_quotes(theme, question, QUOTES, who)


@bp.post("/consultations/<slug>/questions/<key>/themes/find")
@open_to_analysts
def find_themes(slug, key):
    """Start finding the question's themes afresh (a job), then show its progress there."""
    item = _consultation(slug)
    _question(item, key)
    back = url_for(".question_themes", slug=slug, key=key)
    if not current_queue().reachable():
        from ..admin.reports import queue_down_message

        flash(queue_down_message(), "error")
        return redirect(back)
    _job, joined = job_operations.request_job(
        "themes",
        {"consultation_id": item.id, "question": key},
        _actor(),
        item,
        locale=current_locale(),
    )
    db.session.commit()
    flash(
        _("The themes are being found already: this page shows how far.")
        if joined
        else _("The themes are being found. This page shows how far; it takes a minute or so."),
        "success",
    )
    return redirect(back, 303)


def _theme(theme_id) -> Theme:
    return queries.theme_by_id(theme_id) or abort(404)


def _theme_page(theme):
    record = theme.question
    return (
        url_for(".question_themes", slug=record.consultation.slug, key=record.key)
        + f"#theme-{theme.id}"
    )


@bp.post("/themes/<int:theme_id>/rename")
@open_to_analysts
def rename_theme(theme_id):
    """Give a theme a name."""
    theme = _theme(theme_id)
    back = _theme_page(theme)
    try:
        operations.rename_theme(theme, request.form.get("label", ""), _actor())
    except OperationRefused as refusal:
        _refused(refusal)
        return redirect(back)
    _done()
    return redirect(back)


@bp.post("/themes/<int:theme_id>/split")
@open_to_analysts
def split_theme(theme_id):
    """Split a theme in two, found within its own answers."""
    theme = _theme(theme_id)
    record = theme.question
    back = url_for(".question_themes", slug=record.consultation.slug, key=record.key)
    try:
        parts = operations.split_theme(theme, _actor())
    except OperationRefused as refusal:
        _refused(refusal)
        return redirect(back)
    _done(_("The theme was split in two."))
    return redirect(back + f"#theme-{parts[0].id}")


@bp.post("/consultations/<slug>/questions/<key>/themes/merge")
@open_to_analysts
def merge_themes(slug, key):
    """Merge the themes ticked into one."""
    item = _consultation(slug)
    _question_def, record = _question(item, key)
    back = url_for(".question_themes", slug=slug, key=key)
    ids = [int(v) for v in request.form.getlist("theme") if v.isdigit()]
    chosen = list(
        db.session.scalars(select(Theme).where(Theme.id.in_(ids), Theme.question_id == record.id))
    )
    try:
        kept = operations.merge_themes(chosen, _actor(), request.form.get("label"))
    except OperationRefused as refusal:
        _refused(refusal)
        return redirect(back + "#merge")
    _done(_("The themes were merged."))
    return redirect(back + f"#theme-{kept.id}")


# -- coding ---------------------------------------------------------------------------


def _coding_args():
    """The coding page's filters, as given in the address or a form: theme, uncoded, page."""
    source = request.values
    theme = source.get("theme", "")
    args = {}
    if theme.isdigit():
        args["theme"] = int(theme)
    if source.get("uncoded"):
        args["uncoded"] = 1
    page = source.get("page", "")
    if page.isdigit() and int(page) > 1:
        args["page"] = int(page)
    return args


@bp.get("/consultations/<slug>/questions/<key>/coding")
def coding(slug, key):
    """A question's codebook, and its answers with the codes to tick (no script needed)."""
    item = _consultation(slug)
    question, record = _question(item, key)
    args = _coding_args()
    page = _page()
    query = queries.coding_page_query(record.id, args.get("theme"), bool(args.get("uncoded")))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, ceil(total / PER_PAGE))
    rows = db.session.execute(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    themes = queries.themes(record.id)
    return render_template(
        "admin/themes/coding.html",
        consultation=item,
        question=question,
        record=record,
        rows=rows,
        ticked=queries.codes_of([row.id for row in rows], record.id),
        codes=queries.codebook(record.id),
        code_counts=queries.code_counts(record.id),
        themes=themes,
        theme_names={row.theme.id: row.theme.name for row in themes},
        args=args,
        page=page,
        pages=pages,
        total=total,
    )


def _coding_back(slug, key, args=None):
    return url_for(".coding", slug=slug, key=key, **(args if args is not None else _coding_args()))


@bp.post("/consultations/<slug>/questions/<key>/coding")
@open_to_analysts
def save_coding(slug, key):
    """Save the codes ticked on the answers of one page of the coding page."""
    item = _consultation(slug)
    _question_def, record = _question(item, key)
    shown = [int(v) for v in request.form.getlist("shown") if v.isdigit()]
    found = db.session.scalars(
        select(Response).where(Response.id.in_(shown), Response.consultation_id == item.id)
    )
    place = {response_id: index for index, response_id in enumerate(shown)}
    responses = sorted(found, key=lambda response: place[response.id])  # as on the page
    changed = 0
    try:
        for response in responses:
            wanted = [v for v in request.form.getlist(f"code-{response.id}") if v.isdigit()]
            changed += operations.set_codes(response, record, wanted, _actor())
    except OperationRefused as refusal:
        _refused(refusal)
        return redirect(_coding_back(slug, key))
    db.session.commit()
    flash(
        ngettext(
            "Codes saved: %(num)s answer changed.", "Codes saved: %(num)s answers changed.", changed
        )
        if changed
        else _("Nothing changed."),
        "success",
    )
    return redirect(_coding_back(slug, key))


@bp.post("/responses/<int:response_id>/codes/<key>")
@open_to_analysts
def code_response(response_id, key):
    """Save the codes ticked on one answer, from the response's page."""
    response = db.session.get(Response, response_id) or abort(404)
    _question_def, record = _question(response.consultation, key)
    back = url_for(".response", response_id=response_id) + f"#codes-{key}"
    try:
        changed = operations.set_codes(
            response, record, [v for v in request.form.getlist("code") if v.isdigit()], _actor()
        )
    except OperationRefused as refusal:
        _refused(refusal)
        return redirect(back)
    db.session.commit()
    flash(_("Codes saved.") if changed else _("Nothing changed."), "success")
    return redirect(back)


@bp.post("/consultations/<slug>/questions/<key>/codes")
@open_to_analysts
def create_code(slug, key):
    """Add a code to the question's codebook."""
    item = _consultation(slug)
    _question_def, record = _question(item, key)
    try:
        operations.create_code(record, request.form.get("label", ""), _actor())
    except OperationRefused as refusal:
        _refused(refusal)
        return redirect(_coding_back(slug, key) + "#codebook")
    _done()
    return redirect(_coding_back(slug, key) + "#codebook")


def _code(code_id) -> Code:
    return db.session.get(Code, code_id) or abort(404)


@bp.post("/codes/<int:code_id>/rename")
@open_to_analysts
def rename_code(code_id):
    """Rename a code of a codebook."""
    code = _code(code_id)
    record = code.question
    back = _coding_back(record.consultation.slug, record.key, {}) + "#codebook"
    try:
        operations.rename_code(code, request.form.get("label", ""), _actor())
    except OperationRefused as refusal:
        _refused(refusal)
        return redirect(back)
    _done()
    return redirect(back)


@bp.post("/codes/<int:code_id>/delete")
@open_to_analysts
def delete_code(code_id):
    """Delete a code and its ticks, once confirmed."""
    code = _code(code_id)
    record = code.question
    back = _coding_back(record.consultation.slug, record.key, {}) + "#codebook"
    if request.form.get("confirm") != "yes":
        ticked = queries.code_counts(record.id).get(code.id, 0)
        return render_template(
            "admin/themes/delete_code.html",
            consultation=record.consultation,
            code=code,
            ticked=ticked,
            cancel_url=back,
        )
    label = code.label
    operations.delete_code(code, _actor())
    _done(_("The code “%(label)s” was deleted.", label=label))
    return redirect(back)
