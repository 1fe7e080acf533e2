"""The admin area's consultations: list, create, duplicate, edit while upcoming, archive,
import and export YAML. Routes on the admin blueprint; admins only, for reading too."""

from datetime import timedelta
from functools import wraps

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import clock
from ..admin.views import bp
from ..audit.operations import Actor
from ..consultations.queries import all_consultations, consultation_by_slug
from ..downloads import attachment
from ..errors import OperationRefused
from ..extensions import db
from ..formatting import current_locale
from ..questionnaires.loader import QuestionnaireError
from ..questionnaires.text import lookup
from ..questionnaires.yaml_io import read_upload, shown_name, to_yaml
from . import operations
from .forms import (
    ArchiveForm,
    ImportForm,
    RestoreForm,
    language_name,
    offered_codes,
    settings_form_class,
    text_field_name,
)
from .operations import TEXT_SETTINGS, SettingsProblem

#: Pressed to show the text fields of newly ticked languages (no JavaScript needed).
SHOW_LANGUAGES = "languages"


def admins_only(view):
    """Analysts and moderators may not even read these pages: they are for making changes."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return guarded


def _consultation(slug):
    return consultation_by_slug(slug) or abort(404)


def _title(consultation):
    return consultation.text("title", current_locale())


@bp.get("/manage/consultations")
@admins_only
def manage_consultations():
    """Every consultation with what an admin can do to it; archived ones apart."""
    items = all_consultations()
    return render_template(
        "admin/authoring/consultations.html",
        current=[c for c in items if c.archived_at is None],
        archived=[c for c in items if c.archived_at is not None],
    )


def _sources():
    return [(c.slug, c.text("title", current_locale())) for c in all_consultations()]


def _prefill(settings, codes) -> dict:
    """Form data from settings; a language offered takes the catalogue's translation of an
    English text that has no text of its own in that language."""
    data = {"contact": settings["contact"], "languages": settings["languages"]}
    data.update(opens=settings.get("opens"), closes=settings.get("closes"))
    if settings.get("slug"):
        data["slug"] = settings["slug"]
    for name in TEXT_SETTINGS:
        texts = settings.get(name) or {}
        english = texts.get("en", "")
        for code in codes:
            found = texts.get(code) or (lookup(english, code) if english else None)
            data[text_field_name(name, code)] = found or ""
    return data


def _settings_page(form, *, mode, consultation=None, source=None, status=200):
    problems = [
        (field.id, _("%(field)s: %(problem)s", field=_field_label(field), problem=error))
        for field in form
        if field.name != "csrf_token"
        for error in field.errors
    ]
    return render_template(
        "admin/authoring/settings.html",
        form=form,
        mode=mode,
        consultation=consultation,
        source=source,
        problems=problems,
        show_languages=SHOW_LANGUAGES,
        language_name=language_name,
    ), status


def _field_label(field) -> str:
    """A field as the error summary names it; a text's language is said after its label."""
    label = str(field.label.text).split(" (", 1)[0]
    setting, _sep, code = field.name.rpartition("_")
    if setting in TEXT_SETTINGS:
        return f"{label} – {language_name(code)}"
    return label


def _asked_codes(default):
    if request.method == "POST":
        return offered_codes(request.form.getlist("languages"))
    return offered_codes(default)


def _submitted(form) -> bool:
    """Whether the form was sent to be saved (not to show more languages) and is complete."""
    if request.method != "POST" or request.form.get("action") == SHOW_LANGUAGES:
        if request.method == "POST":
            form.csrf_token.validate(form)  # CSRF is checked on every POST all the same
            if form.csrf_token.errors:
                abort(400)
            _fill_from_catalogue(form)
        return False
    valid = form.validate_on_submit()
    return form.check_translations() and valid


def _fill_from_catalogue(form):
    """A language just shown starts with the catalogue's translation of each English text
    that has one, for the admin to check rather than type."""
    for name in TEXT_SETTINGS:
        english = (form[text_field_name(name, "en")].data or "").strip()
        for code in form.codes[1:] if english else ():
            field = form[text_field_name(name, code)]
            if not (field.data or "").strip():
                field.data = lookup(english, code) or ""


def _problem(form, error):
    """Show an operation's refusal at its field (the languages for the loader's messages)."""
    field = getattr(error, "field", None) or "languages"
    target = form[field] if field in form else form.languages
    target.errors = [*target.errors, str(error)]


@bp.route("/manage/consultations/new", methods=["GET", "POST"])
@admins_only
def create_consultation():
    """Create an upcoming consultation from the questionnaire of an existing one."""
    codes = _asked_codes(["en"])
    form_class = settings_form_class(codes, with_slug=True, sources=_sources())
    form = form_class() if request.method == "POST" else form_class(formdata=None)
    if _submitted(form):
        source = _consultation(form.source.data)
        return _create(form, source, mode="create")
    return _settings_page(form, mode="create", status=400 if form.errors else 200)


@bp.route("/consultations/<slug>/duplicate", methods=["GET", "POST"])
@admins_only
def duplicate_consultation(slug):
    """A new consultation started from a copy of this one: its settings and questionnaire,
    with a new web address and upcoming dates; no responses are copied."""
    source = _consultation(slug)
    settings = operations.settings_of(source)
    codes = _asked_codes(settings["languages"])
    form_class = settings_form_class(codes, with_slug=True)
    if request.method == "POST":
        form = form_class()
    else:
        length = settings["closes"] - settings["opens"]
        opens = clock.today_brussels() + timedelta(days=7)
        form = form_class(
            formdata=None,
            data=_prefill(
                {**settings, "slug": f"{slug}-copy", "opens": opens, "closes": opens + length},
                codes,
            ),
        )
    if _submitted(form):
        return _create(form, source, mode="duplicate")
    status = 400 if form.errors else 200
    return _settings_page(form, mode="duplicate", source=source, status=status)


def _create(form, source, mode):
    try:
        created = operations.create_consultation(form.settings(), source, Actor.of(current_user))
    except (SettingsProblem, QuestionnaireError) as error:
        db.session.rollback()
        _problem(form, error)
        return _settings_page(form, mode=mode, source=source, status=400)
    db.session.commit()
    flash(_("Done: “%(title)s” was created; it is upcoming.", title=_title(created)), "success")
    return redirect(url_for(".consultation", slug=created.slug))


def _refused(consultation):
    return render_template(
        "admin/authoring/refused.html",
        consultation=consultation,
        message=operations.refusal_to_change(consultation),
    ), 409


@bp.route("/consultations/<slug>/settings", methods=["GET", "POST"])
@admins_only
def edit_consultation(slug):
    """Change the settings of an upcoming consultation; refused once it has opened."""
    item = _consultation(slug)
    if operations.refusal_to_change(item):
        return _refused(item)
    settings = operations.settings_of(item)
    codes = _asked_codes(settings["languages"])
    form_class = settings_form_class(codes, with_slug=False)
    if request.method == "POST":
        form = form_class()
    else:
        form = form_class(formdata=None, data=_prefill(settings, codes))
    if not _submitted(form):
        return _settings_page(
            form, mode="edit", consultation=item, status=400 if form.errors else 200
        )
    try:
        changed = operations.save_settings(item, form.settings(), Actor.of(current_user))
    except (SettingsProblem, QuestionnaireError) as error:
        db.session.rollback()
        _problem(form, error)
        return _settings_page(form, mode="edit", consultation=item, status=400)
    except OperationRefused:
        db.session.rollback()
        return _refused(_consultation(slug))
    db.session.commit()
    if changed:
        flash(_("Done: the settings of “%(title)s” were saved.", title=_title(item)), "success")
    else:
        flash(_("Nothing was changed."), "success")
    return redirect(url_for(".consultation", slug=slug))


def _read_upload(form):
    """The uploaded file's definition and shown name. The request itself is bounded by
    ``MAX_CONTENT_LENGTH``; the file's own, smaller limit is checked by ``read_upload``."""
    upload = form.file.data
    raw = upload.stream.read()
    limit = current_app.config["QUESTIONNAIRE_MAX_BYTES"]
    return read_upload(raw, upload.filename, limit), shown_name(upload.filename)


def _import_page(form, consultation=None, status=200, error=None):
    return render_template(
        "admin/authoring/import.html",
        form=form,
        consultation=consultation,
        max_kb=current_app.config["QUESTIONNAIRE_MAX_BYTES"] // 1024,
        change_problems=getattr(error, "problems", ()),  # an incompatible change, one by one
        versionable=getattr(error, "versionable", False),
    ), status


@bp.route("/manage/consultations/import", methods=["GET", "POST"])
@admins_only
def import_consultation():
    """A new consultation from a YAML file, checked as the loader checks shipped files;
    nothing is saved when anything is wrong."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _import_page(form, status=400 if form.errors else 200)
    try:
        definition, name = _read_upload(form)
        created = operations.create_from_file(definition, name, Actor.of(current_user))
    except (QuestionnaireError, SettingsProblem) as error:
        db.session.rollback()
        form.file.errors = [*form.file.errors, str(error)]
        return _import_page(form, status=400)
    db.session.commit()
    flash(_("Done: “%(title)s” was imported.", title=_title(created)), "success")
    return redirect(url_for(".consultation", slug=created.slug))


@bp.route("/consultations/<slug>/import", methods=["GET", "POST"])
@admins_only
def import_questionnaire(slug):
    """Replace a consultation's definition by a YAML file of the same slug (once it has
    opened, by a compatible one only); archived ones are refused."""
    item = _consultation(slug)
    if operations.refusal_to_replace(item):
        return _refused(item)
    form = ImportForm()
    if not form.validate_on_submit():
        return _import_page(form, item, status=400 if form.errors else 200)
    try:
        definition, name = _read_upload(form)
        changed = operations.replace_from_file(
            item, definition, name, Actor.of(current_user), new_version=form.new_version.data
        )
    except (QuestionnaireError, SettingsProblem) as error:
        db.session.rollback()
        form.file.errors = [*form.file.errors, str(error)]
        return _import_page(form, item, status=400, error=error)
    except OperationRefused:
        db.session.rollback()
        return _refused(_consultation(slug))
    db.session.commit()
    if changed:
        flash(
            _("Done: the questionnaire of “%(title)s” was replaced.", title=_title(item)), "success"
        )
    else:
        flash(_("Nothing was changed."), "success")
    return redirect(url_for(".consultation", slug=slug))


@bp.get("/consultations/<slug>/export.yaml")
@admins_only
def export_questionnaire(slug):
    """The current definition as a YAML file that imports (or loads) back the same."""
    item = _consultation(slug)
    return Response(
        to_yaml(item.definition),
        mimetype="application/yaml",
        headers=attachment(f"{item.slug}.yaml"),
    )


def _confirmed_change(slug, form_class, operation, action, description, done):
    item = _consultation(slug)
    form = form_class()
    back = url_for(".manage_consultations")
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(back)
    if not form.confirmed:
        return render_template(
            "admin/confirm.html",
            consultation=item,
            form=form,
            action=action,
            description=description(item),
            action_url=request.path,
            cancel_url=back,
            destructive=False,
        )
    try:
        operation(item, Actor.of(current_user), form.reason.data)
    except OperationRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(back)
    db.session.commit()
    flash(done(item), "success")
    return redirect(back)


@bp.post("/consultations/<slug>/archive")
@admins_only
def archive_consultation(slug):
    """Archive an upcoming or closed consultation (asked twice); it can be restored."""
    return _confirmed_change(
        slug,
        ArchiveForm,
        operations.archive_consultation,
        _l("Archive"),
        lambda item: _(
            "“%(title)s” will be hidden from the public lists and can no longer be changed "
            "or opened. Its responses, reports and public pages are kept; you can restore it.",
            title=_title(item),
        ),
        lambda item: _("Done: “%(title)s” was archived.", title=_title(item)),
    )


@bp.post("/consultations/<slug>/restore")
@admins_only
def restore_consultation(slug):
    """Bring an archived consultation back (asked twice), in the state its dates give."""
    return _confirmed_change(
        slug,
        RestoreForm,
        operations.restore_consultation,
        _l("Restore"),
        lambda item: _(
            "“%(title)s” will be listed again, in the state its dates give.",
            title=_title(item),
        ),
        lambda item: _("Done: “%(title)s” was restored.", title=_title(item)),
    )
