"""File upload, such as a position paper: allowed formats, a size cap, content checked."""

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField

from ...i18n import number
from .base import AnswerError, DefinitionProblem, Question, StoredAnswer

DEFAULT_EXTENSIONS = ("pdf", "txt", "doc", "docx", "odt", "rtf")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "txt": "text/plain",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "rtf": "application/rtf",
}


def _zip_names(data: bytes):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive, set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None, set()


def _is_docx(data):
    _, names = _zip_names(data)
    return "[Content_Types].xml" in names and "word/document.xml" in names


def _is_odt(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.read("mimetype").strip() == CONTENT_TYPES["odt"].encode()
    except (zipfile.BadZipFile, KeyError, ValueError):
        return False


def _is_text(data):
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return all(ch.isprintable() or ch in "\n\r\t\f" for ch in text)


#: What the start (or structure) of each format must look like.
CONTENT_CHECKS = {
    "pdf": lambda data: data.startswith(b"%PDF-"),
    "doc": lambda data: data.startswith(OLE_MAGIC),
    "rtf": lambda data: data.startswith(b"{\\rtf"),
    "docx": _is_docx,
    "odt": _is_odt,
    "txt": _is_text,
}


@dataclass
class UploadedFile:
    """An accepted upload, held in memory until the response is stored."""

    filename: str
    extension: str
    content_type: str
    data: bytes
    #: Set when the file is already in the upload folder (kept from a draft or an earlier version).
    stored_name: str | None = None

    @property
    def size(self):
        return len(self.data)


def human_size(size: int, locale=None) -> str:
    """1 MB, 1.5 MB or 300 KB, with the decimal mark of ``locale``."""
    if size >= 1024 * 1024:
        return _("%(size)s MB", size=number(round(size / (1024 * 1024), 1), locale))
    return _("%(size)s KB", size=number(max(1, round(size / 1024)), locale))


class FileUploadQuestion(Question):
    kind = "file"
    type_name = _l("File upload")
    template = "questions/file.html"
    extra_keys = ("extensions", "max_size_kb")
    required_message = _l("Choose a file to upload.")

    @classmethod
    def normalise_extra(cls, spec):
        extensions = spec.get("extensions", list(DEFAULT_EXTENSIONS))
        if not isinstance(extensions, list) or not extensions:
            raise DefinitionProblem(_l("Choose at least one type of file."), "extensions")
        unknown = [ext for ext in extensions if ext not in CONTENT_CHECKS]
        if unknown:
            raise DefinitionProblem(
                _l(
                    "Files of type %(unknown)s cannot be checked: accept some of %(known)s.",
                    unknown=", ".join(map(str, unknown)),
                    known=", ".join(DEFAULT_EXTENSIONS),
                ),
                "extensions",
            )
        size = spec.get("max_size_kb", 1024)
        if not isinstance(size, int) or size < 1:
            raise DefinitionProblem(
                _l("The largest file must be a whole number of kilobytes, 1 or more."),
                "max_size_kb",
            )
        return {"extensions": extensions, "max_size_kb": size}

    def __init__(self, spec):
        super().__init__(spec)
        self.extensions = spec.get("extensions", list(DEFAULT_EXTENSIONS))
        self.max_size = spec.get("max_size_kb", 1024) * 1024

    def field(self):
        return FileField()

    def raw(self, field):
        storage = field.data
        if storage is None or isinstance(storage, str) or not getattr(storage, "filename", ""):
            return None
        return storage

    def clean_value(self, storage):
        filename = PurePath(storage.filename.replace("\\", "/")).name[:200]
        extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if extension not in self.extensions:
            raise AnswerError(
                _("The file must be one of: %(formats)s.", formats=self.allowed_text())
            )
        data = storage.stream.read(self.max_size + 1)
        if len(data) > self.max_size:
            raise AnswerError(
                _("The file must be smaller than %(size)s.", size=human_size(self.max_size))
            )
        if not data:
            raise AnswerError(_("The file is empty."))
        if not CONTENT_CHECKS[extension](data):
            raise AnswerError(
                _(
                    "The file is named .%(extension)s but its content is not a %(format)s "
                    "document. Check that you chose the right file.",
                    extension=extension,
                    format=extension.upper(),
                )
            )
        return UploadedFile(filename, extension, CONTENT_TYPES[extension], data)

    def allowed_text(self):
        return ", ".join(ext.upper() for ext in self.extensions)

    def limits_text(self, locale=None):
        return _(
            "%(formats)s; at most %(size)s.",
            formats=self.allowed_text(),
            size=human_size(self.max_size, locale),
        )

    def form_data(self, value):
        return None

    def attachments(self, value):
        return [value] if value else []

    def to_rows(self, value):
        return [StoredAnswer(text_value=value.filename, number_value=float(value.size))]

    def from_rows(self, rows):
        return rows[0].text_value if rows else None

    def display(self, value, locale=None):
        if not value:
            return []
        return [value.filename if isinstance(value, UploadedFile) else str(value)]
