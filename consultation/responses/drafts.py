"""Drafts: answers saved to finish later, behind a private link. Writes flush; callers commit.

A draft keeps the form exactly as typed, valid or not (a number written as "about
forty", a text over its limit), so that nothing a person typed is lost; it is only
checked when it is sent. Files are checked when saved and kept in the upload folder.
How much it keeps is bounded (``draft_cap``): a draft too large is refused with a
message at each question concerned, never cut short.
"""

import hashlib
import math
from datetime import timedelta
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from .. import clock
from ..consultations.models import Consultation, State
from ..extensions import db
from ..formatting import current_locale, long_date, number
from ..questionnaires.forms import SEND_COPY, build_form, field_for
from ..questionnaires.types import AnswerError
from ..questionnaires.types.fields import form_names
from .attachments import load_kept, removal_requested
from .models import Draft
from .operations import ConsultationNotOpen, submit_response, write_file
from .tokens import hash_token, new_private_token
from .typed import typed_answers, typed_answers_text


# -- reads -------------------------------------------------------------------------------
def draft_by_token(token: str) -> Draft | None:
    """The draft whose private link carries ``token``."""
    return db.session.scalar(select(Draft).where(Draft.token_hash == hash_token(token)))


def draft_form(draft: Draft):
    """The questionnaire form filled with the draft, as the person left it."""
    pairs = [
        (name, value) for name, texts in draft.data.get("fields", {}).items() for value in texts
    ]
    return build_form(draft.consultation.questionnaire, formdata=MultiDict(pairs))


def draft_file_names(draft: Draft) -> dict[str, str]:
    """The names of the files attached to the draft, keyed by question."""
    return {key: kept["filename"] for key, kept in draft.data.get("files", {}).items()}


def draft_attachments(draft: Draft, upload_folder) -> dict:
    """The draft's files as answers, keyed by question, to send them with the draft."""
    attached = {}
    for key, kept in draft.data.get("files", {}).items():
        upload = load_kept(
            upload_folder,
            stored_name=kept["stored_name"],
            filename=kept["filename"],
            content_type=kept["content_type"],
        )
        if upload is not None:
            attached[key] = upload
    return attached


def draft_typed(draft: Draft, locale=None) -> list[tuple[str, list[str]]]:
    """(question, lines) of everything in the draft, valid or not, files included."""
    return typed_answers(
        draft.consultation.questionnaire, draft_form(draft), locale, files=draft_file_names(draft)
    )


def draft_text(draft: Draft, locale=None) -> str:
    """The draft as a plain text file to keep."""
    return typed_answers_text(
        draft.consultation, draft_form(draft), locale, files=draft_file_names(draft)
    )


def purge_date(consultation: Consultation, retention_days: int):
    """When the drafts of ``consultation`` will be deleted."""
    return consultation.ended_at + timedelta(days=retention_days)


def kept_until(consultation: Consultation, retention_days: int):
    """The last Brussels day on which the drafts of ``consultation`` can still be read."""
    return clock.closing_date(purge_date(consultation, retention_days))


# -- how much a draft keeps --------------------------------------------------------------
#: Room above a question's own length limit, so that a text being edited down is still kept.
DRAFT_MARGIN_SHARE = 0.10
DRAFT_MARGIN_MIN = 200
#: Characters kept for one value of a question without a length limit (a number, a choice).
DRAFT_HARD_CAP = 1000
#: Values kept under one form name (a multiple choice sends one per option chosen).
DRAFT_MAX_VALUES = 100


class DraftTooLarge(Exception):
    """Some answers are too large to keep in a draft; ``problems``: message by question key."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(", ".join(problems))
        self.problems = problems


def draft_cap(question) -> int:
    """The most characters a draft keeps for one value of ``question``."""
    limit = getattr(question, "max_length", None)
    if not limit:
        return DRAFT_HARD_CAP
    return limit + max(DRAFT_MARGIN_MIN, math.ceil(limit * DRAFT_MARGIN_SHARE))


def _too_large(question, texts: list[str]) -> str | None:
    """Why ``texts`` (one question's values as typed) cannot be kept, or ``None``."""
    if len(texts) > DRAFT_MAX_VALUES:
        return _("This answer has too many parts to be saved. Check it, then save again.")
    # Counted as the question counts: a browser sends each line break as two characters.
    used = max(len(text.replace("\r\n", "\n")) for text in texts)
    if used <= draft_cap(question):
        return None
    limit = getattr(question, "max_length", None)
    if limit:
        return _(
            "This answer is too long to be saved: it has %(used)s characters. Shorten it to at "
            "most %(max)s characters, then save again.",
            used=number(used),
            max=number(limit),
        )
    return _(
        "This answer is too long to be saved: it has %(used)s characters, and at most %(max)s "
        "can be kept. Shorten it, then save again.",
        used=number(used),
        max=number(DRAFT_HARD_CAP),
    )


# -- writes ------------------------------------------------------------------------------
def typed_fields(questionnaire, form, formdata) -> dict[str, list[str]]:
    """What was typed for the questionnaire's questions, by form name; other names are ignored.

    Refuses with ``DraftTooLarge`` (a message at each question concerned) when an answer
    is larger than a draft keeps; the field then shows the message.
    """
    fields, problems = {}, {}
    for question in questionnaire:
        field = field_for(form, question)
        if question.kind == "file":
            continue
        for name in form_names(field):
            texts = [text for text in formdata.getlist(name) if text != ""]
            if not texts:
                continue
            problem = _too_large(question, texts)
            if problem:
                problems.setdefault(question.key, problem)
                field.errors = [problems[question.key]]
            fields[name] = texts
    if formdata.get(SEND_COPY):  # "Send me a copy by e-mail", ticked again on resuming
        fields[SEND_COPY] = ["y"]
    if problems:
        raise DraftTooLarge(problems)
    return fields


def save_draft(
    consultation, form, formdata, *, draft=None, language=None, upload_folder: str, kept=None
) -> tuple[Draft, str | None, dict]:
    """Store the form as typed in a new draft, or in ``draft``, without checking it.

    ``kept``: files kept for this form (``kept_files``), by question, taken when no
    new file is chosen. Returns the draft, the token of its private link (new drafts
    only: it is not kept) and, by question, why a chosen file could not be kept.
    Refuses with ``DraftTooLarge`` when an answer is larger than a draft keeps,
    writing nothing.
    """
    state = consultation.state_at(clock.now_utc())
    if state is not State.OPEN:
        raise ConsultationNotOpen(consultation, state)
    questionnaire = consultation.questionnaire
    fields = typed_fields(questionnaire, form, formdata)  # before any file is written
    files = dict(draft.data.get("files", {})) if draft else {}
    dropped, problems = [], {}
    for question in questionnaire:
        if question.kind != "file":
            continue
        storage = question.raw(field_for(form, question))
        if storage is None and question.key in (kept or {}):
            upload = kept[question.key]
        elif storage is None:
            if removal_requested(form, question, formdata) and question.key in files:
                dropped.append(files.pop(question.key)["stored_name"])
            continue
        else:
            try:
                upload = question.clean_value(storage)
            except AnswerError as error:
                problems[question.key] = f"{storage.filename}: {error}"
                continue
        if question.key in files:
            dropped.append(files[question.key]["stored_name"])
        files[question.key] = {
            "filename": upload.filename,
            "content_type": upload.content_type,
            "size": upload.size,
            "sha256": hashlib.sha256(upload.data).hexdigest(),
            "stored_name": write_file(upload_folder, upload.data),
        }
    data = {"fields": fields, "files": files}
    now = clock.now_utc()
    token = None
    if draft is None:
        token = new_private_token()
        draft = Draft(
            consultation_id=consultation.id,
            token_hash=hash_token(token),
            created_at=now,
        )
        db.session.add(draft)
    draft.data = data
    draft.updated_at = now
    draft.language = language
    db.session.flush()
    _remove_files(upload_folder, dropped)
    return draft, token, problems


def submit_draft(draft: Draft, values: dict, *, submission_token, language, upload_folder):
    """Send a draft as a contribution (checked ``values``) and delete the draft.

    Refuses with ``ConsultationNotOpen`` after the deadline, keeping the draft.
    """
    response, created = submit_response(
        draft.consultation,
        values,
        submission_token=submission_token,
        language=language,
        upload_folder=upload_folder,
    )
    delete_draft(draft, upload_folder, keep={upload.stored_name for upload in response.uploads})
    return response, created


def delete_draft(draft: Draft, upload_folder, *, keep=frozenset()) -> None:
    """Delete a draft and its files (except those in ``keep``, now a response's)."""
    names = [kept["stored_name"] for kept in draft.data.get("files", {}).values()]
    db.session.delete(draft)
    db.session.flush()
    _remove_files(upload_folder, [name for name in names if name not in keep])


def purge_drafts(retention_days: int, upload_folder) -> int:
    """Delete the drafts of consultations closed more than ``retention_days`` ago; say how many."""
    cutoff = clock.now_utc() - timedelta(days=retention_days)
    drafts = db.session.scalars(
        select(Draft)
        .join(Consultation, Draft.consultation_id == Consultation.id)
        .where(Consultation.ended_expression() <= cutoff)
    ).all()
    for draft in drafts:
        delete_draft(draft, upload_folder)
    return len(drafts)


def _remove_files(upload_folder, names):
    for name in names:
        (Path(upload_folder) / name).unlink(missing_ok=True)


# -- e-mail ------------------------------------------------------------------------------
def draft_link_message(consultation, link: str, retention_days: int) -> tuple[str, str]:
    """Subject and body of the e-mail that carries a draft's private link.

    Written in the language of the page the person asked for it from.
    """
    title = consultation.text("title", current_locale())
    subject = _("Your saved draft: %(title)s", title=title)
    body = "\n".join(
        [
            _(
                "You saved a draft of your contribution to the consultation “%(title)s”.",
                title=title,
            ),
            "",
            _("To continue it, on this or another device, open this private link:"),
            link,
            "",
            _(
                "You can send your contribution until %(date)s, midnight Brussels time.",
                date=long_date(consultation.closing_date),
            ),
            _("Anyone with this link can read and change your draft: do not share it."),
            _(
                "After the deadline you can still read and download what you wrote until "
                "%(date)s, midnight Brussels time; then the draft is deleted.",
                date=long_date(kept_until(consultation, retention_days)),
            ),
            "",
            _("If you did not save this draft, you can ignore this message."),
        ]
    )
    return subject, body
