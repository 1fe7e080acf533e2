"""Files already kept for a draft or a response, carried over when the form is sent again.

Browsers never send a chosen file a second time, so a file question left empty on a
resumed draft or an edited contribution keeps the file attached before, unless the
person ticks "Remove".
"""

from pathlib import Path

from ..questionnaires.forms import field_for
from ..questionnaires.types.file_upload import UploadedFile


def remove_name(field) -> str:
    """The name of the tick box that asks to remove the file attached to ``field``."""
    return f"{field.name}-remove"


def removal_requested(form, question, formdata) -> bool:
    return bool(formdata.get(remove_name(field_for(form, question))))


def load_kept(upload_folder, *, stored_name, filename, content_type) -> UploadedFile | None:
    """A file of the upload folder as an accepted answer, or ``None`` if it is gone."""
    path = Path(upload_folder) / stored_name
    if not path.is_file():
        return None
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return UploadedFile(filename, extension, content_type, path.read_bytes(), stored_name)


def keep_attached(questionnaire, form, formdata, values: dict, errors: dict, attached: dict):
    """Answer visible file questions left empty with the file attached before.

    ``attached`` maps question keys to ``UploadedFile``; ``values`` and ``errors`` are
    the result of ``validate_answers`` and are completed in place.
    """
    for question in questionnaire:
        if question.kind != "file" or question.key in values or question.key not in attached:
            continue
        if not question.visible(values) or removal_requested(form, question, formdata):
            continue
        if errors.get(question.key) not in (None, question.required_message):
            continue  # a new file was chosen and refused: say so rather than keep the old one
        values[question.key] = attached[question.key]
        errors.pop(question.key, None)
        field_for(form, question).errors = []
