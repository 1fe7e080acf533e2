"""The questionnaire editor: sections and questions of an upcoming consultation added,
changed, moved and deleted, with every text in each language side by side. Routes on the
admin blueprint; admins only. Every save runs the loader's checks on the whole definition
and shows its message at the field concerned; nothing typed is lost."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..admin.forms import ConfirmForm
from ..audit.operations import Actor
from ..errors import OperationRefused
from ..extensions import db
from ..formatting import current_locale
from ..questionnaires.loader import QUESTIONNAIRE_LANGUAGES, QuestionnaireError
from ..questionnaires.types import QUESTION_TYPES
from . import editor_operations as ops
from .editor_forms import (
    left_out,
    load,
    question_form_class,
    section_form_class,
    type_changes,
    type_choices,
)
from .editor_options import DOWN, MORE_ROWS, SHOW_OPTIONS, UP
from .forms import language_name, offered_codes
from .operations import refusal_to_change
from .views import _consultation, _refused, admins_only, bp

#: Pressed to make the question another type: the form comes back as typed, nothing saved.
CHANGE_TYPE = "change_type"


def _editable(slug):
    item = _consultation(slug)
    return item, (_refused(item) if refusal_to_change(item) else None)


def _languages(item):
    """(codes shown, codes offered): those offered, and those asked for besides (``also``)
    to prepare a translation before the language is offered."""
    offered = item.questionnaire.languages(list(QUESTIONNAIRE_LANGUAGES))
    also = [code for code in request.values.getlist("also") if code in QUESTIONNAIRE_LANGUAGES]
    return offered_codes(offered + also), offered_codes(offered)


def _back(item, anchor=None):
    also = [code for code in request.values.getlist("also") if code in QUESTIONNAIRE_LANGUAGES]
    url = url_for(".questionnaire_editor", slug=item.slug, also=also)
    return redirect(f"{url}#{anchor}" if anchor else url)


@bp.get("/consultations/<slug>/editor")
@admins_only
def questionnaire_editor(slug):
    """The sections and questions, with buttons to edit, move and delete each."""
    item, refused = _editable(slug)
    if refused:
        return refused
    codes, offered = _languages(item)
    missing = ops.missing_translations(item, [c for c in codes if c not in offered])
    return render_template(
        "admin/authoring/editor.html",
        consultation=item,
        sections=item.definition["sections"],
        questionnaire=item.questionnaire,
        codes=codes,
        offered=offered,
        missing=missing,
        types=type_choices(),
        all_languages=[(c, language_name(c)) for c in QUESTIONNAIRE_LANGUAGES if c != "en"],
        language_name=language_name,
    )


def _question_form(item, kind, codes, offered, spec=None, section_key=None, old_key=None):
    """The question form as posted (or showing ``spec``). Its type is ``kind``, or one it can
    become (``type_changes``) when "Change the type" was pressed: then what was typed and
    still applies is kept, and ``left_out`` names what is not."""
    allowed = type_changes(kind)
    if request.method != "POST":
        form = load(question_form_class(kind, codes, offered), spec or ops.new_question(kind))
    else:
        shown = request.form.get("type")
        shown = shown if shown in allowed else kind  # the type the form was shown with
        form = question_form_class(shown, codes, offered)(request.form)
        wanted = request.form.get("new_type")
        if request.form.get("action") == CHANGE_TYPE and wanted in allowed and wanted != shown:
            new_class = question_form_class(wanted, codes, offered)
            left = left_out(form, new_class)
            form = load(new_class, {**ops.new_question(wanted), **form.typed()})
            form.left_out, form.changed_type = left, True
    sections = item.definition["sections"]
    locale = current_locale()
    form.offer_conditions(
        ops.condition_questions(sections, section_key, old_key, locale),
        lambda key: ops.condition_options(sections, key, locale),
    )
    return form


def _shown_again(*forms) -> bool:
    """Whether the forms are only shown again (a button that changes the form, not the
    questionnaire: more rows, a row moved, a condition's options, another type)."""
    if request.method != "POST":
        return True
    action = request.form.get("action")
    changed = [form.redisplay(action) for form in forms]
    return action == CHANGE_TYPE or any(changed)


def _page(template, status=200, **context):
    forms = [f for f in (context.get("section_form"), context.get("form")) if f is not None]
    problems = [problem for form in forms for problem in form.problems()]
    return render_template(
        template,
        problems=problems,
        more_rows=MORE_ROWS,
        show_options=SHOW_OPTIONS,
        change_type=CHANGE_TYPE,
        up=UP,
        down=DOWN,
        type_name=QUESTION_TYPES[context["kind"]].type_name if context.get("kind") else "",
        language_name=language_name,
        **context,
    ), status


def _place(error, form, section_form=None, old_key=None, has_types=False):
    """A loader message at its field: the section's form for a section's, else the question's;
    one about another question whose condition is on this one (``error.about``: its key
    before or after the change) at the field of this one that caused it."""
    if section_form is not None and error.section and not error.question:
        section_form.place(error)
    elif form is not None and (not error.question or error.question == form.key.data.strip()):
        form.place(error)
    elif form is not None and error.about and error.about in (form.key.data.strip(), old_key):
        form.place_consequence(error, has_types)
    else:
        (form or section_form).general.append(str(error))


def _kind(value):
    return value if value in QUESTION_TYPES else abort(404)


@bp.route("/consultations/<slug>/editor/sections/<section>/new", methods=["GET", "POST"])
@admins_only
def editor_add_question(slug, section):
    """A new question at the end of a section, of the type asked for."""
    item, refused = _editable(slug)
    if refused:
        return refused
    kind = _kind(request.values.get("type"))
    if ops.find_section(item.definition["sections"], section) is None:
        abort(404)
    codes, offered = _languages(item)
    form = _question_form(item, kind, codes, offered, section_key=section)
    context = dict(consultation=item, form=form, kind=kind, section=section, codes=codes)
    if _shown_again(form):
        return _page("admin/authoring/editor_question.html", **_typed(context, form))
    return _save_question(item, form, section, None, _typed(context, form))


@bp.route("/consultations/<slug>/editor/questions/<key>", methods=["GET", "POST"])
@admins_only
def editor_edit_question(slug, key):
    """Change a question: its texts, options, limits and condition."""
    item, refused = _editable(slug)
    if refused:
        return refused
    section, position = ops.find_question(item.definition["sections"], key)
    if section is None:
        abort(404)
    spec = section["questions"][position]
    kind = spec["type"]
    codes, offered = _languages(item)
    form = _question_form(item, kind, codes, offered, spec, section["key"], key)
    context = dict(
        consultation=item, form=form, kind=kind, section=section["key"], key=key, codes=codes
    )
    if _shown_again(form):
        return _page("admin/authoring/editor_question.html", **_typed(context, form))
    return _save_question(item, form, section["key"], key, _typed(context, form))


def _typed(context, form):
    """The page's context for the type the form now has (changed, or as it was)."""
    return {**context, "kind": form.kind, "types": type_choices(type_changes(context["kind"]))}


def _save_question(item, form, section, old_key, context):
    values = form.values()
    if values is None:
        return _page("admin/authoring/editor_question.html", status=400, **context)
    spec = {"key": values.pop("key", ""), "type": form.kind, **values}
    try:
        changed = ops.save_question(item, section, old_key, spec, Actor.of(current_user))
    except QuestionnaireError as error:
        db.session.rollback()
        _place(error, form, old_key=old_key, has_types=len(context["types"]) > 1)
        return _page("admin/authoring/editor_question.html", status=400, **context)
    except OperationRefused:
        db.session.rollback()
        return _refused(_consultation(item.slug))
    db.session.commit()
    flash(_("Done: the question was saved.") if changed else _("Nothing was changed."), "success")
    return _back(item, f"question-{spec['key']}")


@bp.route("/consultations/<slug>/editor/sections/new", methods=["GET", "POST"])
@admins_only
def editor_add_section(slug):
    """A new section at the end, with its first question (a section is never empty)."""
    item, refused = _editable(slug)
    if refused:
        return refused
    kind = _kind(request.values.get("type", "short_text"))
    codes, offered = _languages(item)
    section_class = section_form_class(codes, offered)
    if request.method == "POST":
        section_form = section_class(request.form, prefix="section-")
    else:
        section_form = section_class(prefix="section-")
    form = _question_form(item, kind, codes, offered, section_key=None)
    context = dict(consultation=item, form=form, section_form=section_form, kind=kind, codes=codes)
    if _shown_again(section_form, form):
        return _page("admin/authoring/editor_section.html", **context)
    data, values = section_form.values(), form.values()
    if data is None or values is None:
        return _page("admin/authoring/editor_section.html", status=400, **context)
    question = {"key": values.pop("key", ""), "type": form.kind, **values}
    data.setdefault("key", "")
    try:
        ops.save_section(item, None, data, Actor.of(current_user), first_question=question)
    except QuestionnaireError as error:
        db.session.rollback()
        _place(error, form, section_form)
        return _page("admin/authoring/editor_section.html", status=400, **context)
    db.session.commit()
    flash(_("Done: the section was added."), "success")
    return _back(item, f"section-{data['key']}")


@bp.route("/consultations/<slug>/editor/sections/<section>", methods=["GET", "POST"])
@admins_only
def editor_edit_section(slug, section):
    """Change a section's key, title and introduction."""
    item, refused = _editable(slug)
    if refused:
        return refused
    position = ops.find_section(item.definition["sections"], section)
    if position is None:
        abort(404)
    codes, offered = _languages(item)
    section_class = section_form_class(codes, offered)
    if request.method == "POST":
        section_form = section_class(request.form, prefix="section-")
    else:
        spec = item.definition["sections"][position]
        section_form = load(section_class, spec, prefix="section-")
    context = dict(
        consultation=item, form=None, section_form=section_form, section=section, codes=codes
    )
    if request.method == "GET":
        return _page("admin/authoring/editor_section.html", **context)
    data = section_form.values()
    if data is None:
        return _page("admin/authoring/editor_section.html", status=400, **context)
    data.setdefault("key", "")
    try:
        changed = ops.save_section(item, section, data, Actor.of(current_user))
    except QuestionnaireError as error:
        db.session.rollback()
        _place(error, None, section_form)
        return _page("admin/authoring/editor_section.html", status=400, **context)
    db.session.commit()
    flash(_("Done: the section was saved.") if changed else _("Nothing was changed."), "success")
    return _back(item, f"section-{data['key']}")


def _change(slug, operation, *args):
    """A move or delete: done, or the loader's reason shown on the editor's page."""
    item, refused = _editable(slug)
    if refused:
        return None, refused
    try:
        operation(item, *args, Actor.of(current_user))
    except (QuestionnaireError, OperationRefused) as error:
        db.session.rollback()
        flash(_("Not changed: %(problem)s", problem=str(error)), "error")
        return item, None
    db.session.commit()
    return item, None


def _direction():
    value = request.form.get("direction")
    return value if value in (ops.UP, ops.DOWN) else abort(400)


@bp.post("/consultations/<slug>/editor/questions/<key>/move")
@admins_only
def editor_move_question(slug, key):
    """One place up or down (a plain form button: no JavaScript needed)."""
    item, refused = _change(slug, ops.move_question, key, _direction())
    return refused or _back(item, f"question-{key}")


@bp.post("/consultations/<slug>/editor/sections/<section>/move")
@admins_only
def editor_move_section(slug, section):
    """A section one place up or down."""
    item, refused = _change(slug, ops.move_section, section, _direction())
    return refused or _back(item, f"section-{section}")


def _confirm_delete(slug, what, operation, key):
    form = ConfirmForm(request.form)
    if not form.confirmed:
        item, refused = _editable(slug)
        return refused or render_template(
            "admin/confirm.html",
            consultation=item,
            form=form,
            action=_l("Delete"),
            description=what,
            action_url=request.path,
            cancel_url=url_for(".questionnaire_editor", slug=slug),
            destructive=True,
        )
    item, refused = _change(slug, operation, key)
    return refused or _back(item)


@bp.post("/consultations/<slug>/editor/questions/<key>/delete")
@admins_only
def editor_delete_question(slug, key):
    """Delete a question (asked twice)."""
    what = _("The question %(key)s will be deleted from the questionnaire.", key=key)
    return _confirm_delete(slug, what, ops.delete_question, key)


@bp.post("/consultations/<slug>/editor/sections/<section>/delete")
@admins_only
def editor_delete_section(slug, section):
    """Delete a section and its questions (asked twice)."""
    what = _("The section %(key)s and its questions will be deleted.", key=section)
    return _confirm_delete(slug, what, ops.delete_section, section)
