"""Files chosen in a questionnaire that came back unsent, kept a day for that form.

A browser never sends a chosen file a second time: when the rest of the form has
errors, its token expired, or the page changes language, the file would be lost
with the page. It is kept in the upload folder instead, recorded against the
form's submission token (only its hash), and the page says "Attached: name. It is
kept". When that form comes back without a new file, the kept file answers the
question; the contribution or draft then stores its own copy and the kept one
goes. Files of forms never sent are deleted a day later (``purge_kept_files``,
``flask uploads purge``).

The submission token is the form's secret (192 random bits, in that page only), so
nobody without the page can see, replace or attach a file kept for it. Writes
flush; the request commits.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select

from .. import clock
from ..extensions import db
from ..questionnaires.forms import field_for
from ..questionnaires.types import AnswerError
from ..questionnaires.types.file_upload import UploadedFile
from .attachments import keep_attached, load_kept, removal_requested
from .models import KeptFile
from .operations import new_submission_token, write_file


def _form_hash(submission_token: str) -> str:
    return hashlib.sha256(submission_token[:64].encode()).hexdigest()


def _lifetime() -> timedelta:
    return timedelta(hours=current_app.config["KEPT_FILE_HOURS"])


def _rows(consultation, submission_token) -> list[KeptFile]:
    if not submission_token:
        return []
    return db.session.scalars(
        select(KeptFile).where(
            KeptFile.consultation_id == consultation.id,
            KeptFile.form_hash == _form_hash(submission_token),
        )
    ).all()


def _fresh(row: KeptFile) -> bool:
    return clock.now_utc() - row.created_at < _lifetime()


def _drop(rows, upload_folder) -> None:
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    for row in rows:
        (Path(upload_folder) / row.stored_name).unlink(missing_ok=True)


# -- when a form comes back ---------------------------------------------------------------
@dataclass
class FormFiles:
    """What is kept for a form that came back, read before anything is written."""

    #: Usable kept files as answers by key: copies in memory, which whatever takes them
    #: stores under a name of its own.
    files: dict = field(default_factory=dict)
    #: Names of files kept longer than their time, by key, so that the page can say so.
    lost: dict = field(default_factory=dict)
    #: Rows to delete (removed by the person, or lost) when the form is kept again.
    dropped: list = field(default_factory=list)
    #: The files that answered a question, by key (``take_kept_files``).
    taken: dict = field(default_factory=dict)
    #: Whether anything at all was kept for the form (else there is nothing to release).
    held: bool = False


def kept_for_form(consultation, form, formdata, upload_folder) -> FormFiles:
    """The files kept for this form, except those the person asked to remove.

    It writes nothing, so that storing a contribution stays the first write of its
    transaction; ``keep_files`` or ``release_kept_files`` delete what goes.
    """
    questionnaire = consultation.questionnaire
    found = FormFiles()
    rows = _rows(consultation, form.submission_token.data)
    found.held = bool(rows)
    for row in rows:
        question = questionnaire.questions.get(row.question_key)
        if question is None or removal_requested(form, question, formdata):
            found.dropped.append(row)
            continue
        upload = _fresh(row) and load_kept(
            upload_folder,
            stored_name=row.stored_name,
            filename=row.filename,
            content_type=row.content_type,
        )
        if upload:
            found.files[row.question_key] = UploadedFile(
                upload.filename, upload.extension, upload.content_type, upload.data
            )
        else:
            found.lost[row.question_key] = row.filename
            found.dropped.append(row)
    return found


def lost_message(name) -> str:
    """Why a file chosen earlier is not attached any more."""
    return _(
        "The file “%(name)s” you chose is no longer kept: we keep a chosen file for "
        "%(hours)s hours. Choose it again.",
        name=name,
        hours=current_app.config["KEPT_FILE_HOURS"],
    )


def take_kept_files(consultation, form, formdata, values, errors, upload_folder) -> FormFiles:
    """Answer file questions left empty with the files kept for this form.

    Like ``attachments.keep_attached`` (which it uses), ``values`` and ``errors`` are
    the result of ``validate_answers``, completed in place; a file no longer kept is
    an error of its question, not a silent gap.
    """
    questionnaire = consultation.questionnaire
    found = kept_for_form(consultation, form, formdata, upload_folder)
    for key, name in found.lost.items():
        question = questionnaire.questions[key]
        unanswered = errors.get(key) in (None, question.required_message)
        if key not in values and unanswered and question.visible(values):
            errors[key] = lost_message(name)
            field_for(form, question).errors = [errors[key]]
    keep_attached(questionnaire, form, formdata, values, errors, found.files)
    found.taken = {key: file for key, file in found.files.items() if values.get(key) is file}
    return found


def chosen_files(questionnaire, form) -> dict:
    """The acceptable files chosen in this request, when the form is not validated."""
    chosen = {}
    for question in questionnaire:
        if question.kind != "file":
            continue
        storage = question.raw(field_for(form, question))
        if storage is None:
            continue
        try:
            chosen[question.key] = question.clean_value(storage)
        except AnswerError:
            continue  # a refused file is said so when the form is validated
    return chosen


def keep_files(consultation, form, values, upload_folder, *, found=None) -> dict[str, str]:
    """Keep the files newly chosen in ``values`` for this form; return every kept name by key.

    ``found``: what ``take_kept_files`` found for the form (what it dropped goes now).
    A file chosen again for a question replaces the one kept before. The form gets a
    submission token if it had none, so that what is kept belongs to it alone.
    """
    if not form.submission_token.data:
        form.submission_token.data = new_submission_token()
    token = form.submission_token.data
    found = found or FormFiles()
    _drop(found.dropped, upload_folder)
    rows = {row.question_key: row for row in _rows(consultation, token)}
    for question in consultation.questionnaire:
        upload = values.get(question.key)
        if question.kind != "file" or not isinstance(upload, UploadedFile):
            continue
        if upload.stored_name or found.taken.get(question.key) is upload:
            continue  # already kept: for this form, a draft or the contribution
        if question.key in rows:
            _drop([rows.pop(question.key)], upload_folder)
        row = KeptFile(
            consultation_id=consultation.id,
            form_hash=_form_hash(token),
            question_key=question.key,
            filename=upload.filename,
            content_type=upload.content_type,
            size=upload.size,
            stored_name=write_file(upload_folder, upload.data),
            created_at=clock.now_utc(),
        )
        db.session.add(row)
        rows[question.key] = row
    db.session.flush()
    return {key: row.filename for key, row in rows.items() if _fresh(row)}


def release_kept_files(consultation, submission_token, upload_folder) -> None:
    """Forget the files kept for a form that was just sent or saved: they have their copies."""
    _drop(_rows(consultation, submission_token), upload_folder)


# -- housekeeping -------------------------------------------------------------------------
def purge_kept_files(upload_folder, hours: float) -> int:
    """Delete the files kept longer than ``hours`` for forms never sent; say how many."""
    cutoff = clock.now_utc() - timedelta(hours=hours)
    names = db.session.scalars(
        select(KeptFile.stored_name).where(KeptFile.created_at < cutoff)
    ).all()
    db.session.execute(delete(KeptFile).where(KeptFile.created_at < cutoff))
    db.session.flush()
    for name in names:
        (Path(upload_folder) / name).unlink(missing_ok=True)
    return len(names)
