"""What the public may read of a consultation's contributions: the list, its counts, one page.

Every public output (the pages of ``publishing.views``, the open-data API, bulk files)
reads contributions through this module, which applies the rules of ``rules``:

* nothing is public before the consultation's setting allows it (``rules.is_visible_now``:
  "after_closing" once closed, "when_moderated" once cleared, "never" never);
* a contribution is public only when moderated (``responses.moderation = 'approved'``),
  not flagged as spam or duplicate, not erased, and its respondent chose "public" or
  "anonymous" (any other choice, or none, is never published);
* of a public contribution, only what ``reports.publication`` allows for its kind of
  respondent and choice is shown (a citizen's name only if "public", an organisation's
  name and size, never an e-mail), free texts with their redactions replaced by
  "[removed]", withheld parts left out, and only approved files.

Lists are keyset-paginated, newest first, by ``(submitted_at, id)``: a cursor is an
opaque string (``encode_cursor``), and a page reads only the rows it shows from the
partial indexes of the public list, however deep it is.
"""

import base64
import binascii
from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import exists, func, literal_column, select, tuple_

from .. import clock
from ..campaigns.queries import public_campaigns
from ..extensions import db
from ..reports import publication
from ..responses.models import Answer, Response, Upload
from ..responses.queries import ANSWER_COLUMNS
from . import facets, rules
from .models import APPROVED, ItemReview, Redaction
from .texts import REMOVED_MARK, WITHHELD_MARK, redacted, segments

#: The most rows one page of the list may hold.
MAX_LIMIT = 100
#: Characters of a contribution's first free text shown in the list.
EXCERPT_LENGTH = 240


class InvalidCursor(ValueError):
    """A pagination cursor that this module did not make (or that was changed)."""


@dataclass(frozen=True)
class Filters:
    """The public list's filters; ``None`` means "any".

    ``has_attachment``: ``True`` for contributions with an approved file, ``False`` for
    those without. Values are compared as stored (respondent type and size keys, ISO
    country codes, ISO 639-1 language codes).
    """

    respondent_type: str | None = None
    country: str | None = None
    language: str | None = None
    organisation_size: str | None = None
    has_attachment: bool | None = None

    #: The filters' names, as the query string and the API name them.
    NAMES = ("respondent_type", "country", "language", "organisation_size", "has_attachment")

    @classmethod
    def from_args(cls, args) -> "Filters":
        """Filters from a query string (``request.args``): blanks are "any"; ``has_attachment``
        is "yes"/"true"/"1" or "no"/"false"/"0"; anything else is ignored."""
        values = {}
        for name in cls.NAMES[:-1]:
            value = (args.get(name) or "").strip()
            values[name] = value[:64] or None
        flag = (args.get("has_attachment") or "").strip().lower()
        values["has_attachment"] = (
            True
            if flag in ("yes", "true", "1")
            else False
            if flag in ("no", "false", "0")
            else None
        )
        return cls(**values)

    def as_args(self) -> dict:
        """The filters set, as query-string arguments (the inverse of ``from_args``)."""
        args = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value is not None:
                args[item.name] = ("yes" if value else "no") if isinstance(value, bool) else value
        return args

    def without(self, name) -> "Filters":
        return Filters(**{**{f.name: getattr(self, f.name) for f in fields(self)}, name: None})


#: The column each filter reads (``has_attachment`` reads ``has_public_file``).
FILTER_COLUMNS = {
    "respondent_type": Response.respondent_type,
    "country": Response.country,
    "language": Response.language,
    "organisation_size": Response.organisation_size,
    "has_attachment": Response.has_public_file,
}


@dataclass
class Listed:
    """One contribution in the public list: what may be shown of its respondent, and the
    start of its first published free text (``excerpt``, "[removed]" where words were)."""

    public_id: str
    submitted_at: datetime
    respondent_type: str | None
    country: str | None
    language: str | None
    organisation_size: str | None
    organisation_name: str | None
    first_name: str | None
    surname: str | None
    has_attachment: bool
    publication: str | None
    excerpt: str | None = None
    #: The campaigns it is part of (``campaigns.queries.public_campaigns``).
    campaigns: tuple = ()

    @property
    def submitted_on(self):
        """The day it was sent, in Brussels (what the pages show as its date)."""
        return clock.to_brussels(self.submitted_at).date()

    @property
    def name(self) -> str | None:
        """How the contribution is signed, when it may be: a person or an organisation."""
        if self.organisation_name:
            return self.organisation_name
        person = " ".join(part for part in (self.first_name, self.surname) if part)
        return person or None


@dataclass
class Page:
    """A page of the list: its rows and the cursor of the next page (``None`` at the end)."""

    rows: list[Listed]
    next_cursor: str | None


def encode_cursor(submitted_at: datetime, response_id: int) -> str:
    """The cursor that continues a list after the row (``submitted_at``, id)."""
    raw = f"{submitted_at.isoformat()}|{response_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The (submitted_at, id) a cursor stands for; ``InvalidCursor`` if it is not one."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, number = raw.partition("|")
        found = datetime.fromisoformat(moment), int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursor(cursor) from None
    if found[0].tzinfo is None:
        raise InvalidCursor(cursor)
    return found


# -- the rules, as queries ------------------------------------------------------------


def is_published(response, now=None) -> bool:
    """Whether ``response`` may be read by the public at ``now`` (default: the clock)."""
    return rules.is_visible_now(response.consultation, now) and rules.row_publishable(response)


def published_select(consultation, filters: Filters | None = None, search: str | None = None):
    """A SELECT of the consultation's public ``Response`` rows with ``filters`` and ``search``
    applied, unordered; empty when the setting allows nothing now. For bulk reads (the
    open-data files): select only columns ``reports.publication`` allows for each row."""
    query = select(Response).where(Response.consultation_id == consultation.id)
    if not rules.is_visible_now(consultation):
        return query.where(literal_column("1") == 0)
    query = query.where(rules.publishable())
    for name, value in _set_filters(filters):
        query = query.where(FILTER_COLUMNS[name] == value)
    if search and search.strip():
        query = query.where(_matches(search.strip()[:200]))
    return query


def _set_filters(filters):
    if filters is None:
        return []
    return [
        (name, getattr(filters, name))
        for name in Filters.NAMES
        if getattr(filters, name) is not None
    ]


def _matches(search: str):
    """SQL: the response has a published free text matching ``search`` (its redactions out).

    PostgreSQL: full-text search ("simple" configuration, so any language, every word
    of the search); SQLite: the words as typed, in any case of ASCII letters.
    """
    reviews = exists().where(
        ItemReview.response_id == Response.id,
        ItemReview.state == APPROVED,
        ItemReview.public_text.is_not(None),
    )
    if db.engine.dialect.name == "postgresql":
        vector = func.to_tsvector(literal_column("'simple'"), ItemReview.public_text)
        query = func.plainto_tsquery(literal_column("'simple'"), search)
        return reviews.where(vector.op("@@")(query))
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return reviews.where(ItemReview.public_text.ilike(f"%{escaped}%", escape="\\"))


LISTED_COLUMNS = (
    Response.id,
    Response.public_id,
    Response.submitted_at,
    Response.respondent_type,
    Response.country,
    Response.language,
    Response.organisation_size,
    Response.organisation_name,
    Response.first_name,
    Response.surname,
    Response.has_public_file,
    Response.publication,
)


def published_contributions(consultation, filters=None, search=None, after=None, limit=50) -> Page:
    """One page of the consultation's public contributions, newest first.

    ``filters``: a ``Filters``; ``search``: words to find in the published free texts;
    ``after``: the ``next_cursor`` of the previous page (``InvalidCursor`` if it is not
    one); ``limit``: rows per page (1 to ``MAX_LIMIT``). Each row carries only what the
    allow-list publishes for it (the others are ``None``).
    """
    limit = max(1, min(int(limit), MAX_LIMIT))
    inner = published_select(consultation, filters, search).with_only_columns(*LISTED_COLUMNS)
    if after:
        moment, last_id = decode_cursor(after)
        inner = inner.where(tuple_(Response.submitted_at, Response.id) < tuple_(moment, last_id))
    inner = inner.order_by(Response.submitted_at.desc(), Response.id.desc()).limit(limit + 1)
    found = db.session.execute(inner).all()
    more = len(found) > limit
    found = found[:limit]
    excerpts = _excerpts([row.id for row in found])
    campaigns = public_campaigns(consultation, [row.id for row in found])
    rows = []
    for row in found:
        shown = publication.published_profile(row)
        rows.append(
            Listed(
                public_id=row.public_id,
                submitted_at=row.submitted_at,
                respondent_type=row.respondent_type,
                country=row.country,
                language=row.language,
                organisation_size=shown.get("organisation_size"),
                organisation_name=shown.get("organisation_name"),
                first_name=shown.get("first_name"),
                surname=shown.get("surname"),
                has_attachment=bool(row.has_public_file),
                publication=row.publication,
                excerpt=excerpts.get(row.id),
                campaigns=tuple(campaigns.get(row.id, ())),
            )
        )
    cursor = encode_cursor(found[-1].submitted_at, found[-1].id) if more and found else None
    return Page(rows, cursor)


def _excerpts(response_ids) -> dict[int, str]:
    """The first published free text of each response, cut to ``EXCERPT_LENGTH``."""
    if not response_ids:
        return {}
    query = (
        select(ItemReview.response_id, ItemReview.public_text)
        .where(
            ItemReview.response_id.in_(response_ids),
            ItemReview.state == APPROVED,
            ItemReview.public_text.is_not(None),
        )
        .order_by(ItemReview.answer_id)
    )
    found = {}
    for response_id, text in db.session.execute(query):
        if response_id not in found and text.strip():
            text = " ".join(text.split())
            found[response_id] = (
                text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1].rstrip() + "…"
            )
    return found


def filter_counts(consultation, filters=None, search=None) -> dict[str, dict]:
    """How many public contributions each filter value would give, with the other filters
    (and ``search``) as they are: {filter name: {value: count}}, plus {"total": {None: n}}
    for the filters as set. ``has_attachment`` is counted as {True: n, False: m}.

    From one count per combination of the filter columns (``facets``): without a search,
    as a worker counted it in the last minutes, or kept a minute in the process.
    """
    columns = [FILTER_COLUMNS[name] for name in Filters.NAMES]
    if not rules.is_visible_now(consultation):
        rows = []  # what the setting allows now is decided here, never from a kept count
    elif search and search.strip():
        rows = facets.cube(consultation, published_select, columns, search)
    else:
        rows = facets.cached_cube(consultation, published_select, columns)
    return facets.counts(rows, Filters.NAMES, filters or Filters())


def refresh_filter_counts() -> int:
    """The workers' minutely count of every public consultation's filter counts, kept for
    the requests (``facets.refresh_stored``); flushes, the task commits."""
    columns = [FILTER_COLUMNS[name] for name in Filters.NAMES]
    return facets.refresh_stored(rules.is_visible_now, published_select, columns)


def published_by_public_id(consultation, public_id: str):
    """The public contribution of ``consultation`` with this public ID, or ``None`` (also
    when it exists but may not be shown: the public cannot tell the two apart)."""
    if not public_id or len(public_id) > 16:
        return None
    response = db.session.scalar(
        select(Response).where(
            Response.consultation_id == consultation.id, Response.public_id == public_id
        )
    )
    return response if response is not None and is_published(response) else None


# -- one contribution -----------------------------------------------------------------


@dataclass
class PublishedAnswer:
    """A published answer: its question and its lines, each a list of (text, mark) pieces
    where mark is ``None``, "removed" (words replaced by "[removed]") or "withheld"
    (the whole text left out). ``text`` is the same as plain text ("[removed]" in place)."""

    key: str
    label: str
    section: str
    lines: list[list[tuple[str, str | None]]]
    text: str
    #: Whether it is a free text a moderator cleared (the bulk text files take these).
    free_text: bool = False


@dataclass
class PublishedFile:
    """An approved file: its id (for ``views.attachment``), name, type and size in bytes."""

    id: int
    name: str
    content_type: str
    size: int
    question: str


@dataclass
class PublishedContribution:
    """Exactly what may be shown of one contribution (``published_view``).

    Profile values are keys and codes (``respondent_type``, ``country``, ``language``,
    ``organisation_size``) with their labels in the asked language; names are ``None``
    unless the allow-list publishes them for this respondent; ``register_number`` is the
    transparency register number an organisation gave.
    """

    public_id: str
    submitted_at: datetime
    publication: str
    respondent_type: str | None
    respondent_type_label: str | None
    country: str | None
    country_label: str | None
    language: str | None
    language_label: str | None
    organisation_size: str | None
    organisation_size_label: str | None
    organisation_name: str | None
    first_name: str | None
    surname: str | None
    register_number: str | None
    answers: list[PublishedAnswer] = field(default_factory=list)
    attachments: list[PublishedFile] = field(default_factory=list)
    #: Whether some words were removed from its answers.
    redacted: bool = False

    @property
    def submitted_on(self):
        """The day it was sent, in Brussels (what the pages show as its date)."""
        return clock.to_brussels(self.submitted_at).date()


#: Question types never shown as answers: e-mail (never published), consent (a formality)
#: and files (shown as attachments, when approved).
NOT_SHOWN_KINDS = ("email", "consent", "file")
REGISTER_KEY = "transparency_register"


def published_view(response, locale=None) -> PublishedContribution | None:
    """What may be shown of ``response`` in ``locale``, or ``None`` if it is not public now.

    Answers follow the questionnaire's order; free texts carry their redactions as
    marks; a withheld text is a single "withheld" mark; a text nobody cleared is never
    shown. Profile questions are not answers: they are the fields of the result.
    """
    if not is_published(response):
        return None
    consultation = response.consultation
    questionnaire = consultation.questionnaire
    where = publication.audience(response.respondent_type, response.publication)
    shown = publication.published_profile(response)
    keys = {record.id: record.key for record in consultation.questions}
    texts, _files = rules.reviewed_questions(consultation)
    reviewed_ids = {record_id for record_id, _q in texts}
    rows = defaultdict(list)
    redacted_any = False
    decisions, spans = _decisions(response)
    for answer in db.session.execute(
        select(Answer.id, *ANSWER_COLUMNS)
        .where(Answer.response_id == response.id)
        .order_by(Answer.id)
    ):
        key = keys.get(answer.question_id)
        if key is None:
            continue
        if answer.question_id in reviewed_ids and answer.text_value:
            state = decisions.get(answer.id)
            if state != APPROVED:
                answer = _with_text(answer, WITHHELD_MARK)
            else:
                redacted_any = redacted_any or bool(spans.get(answer.id))
                answer = _with_text(
                    answer, redacted(answer.text_value, spans.get(answer.id, []), REMOVED_MARK)
                )
        rows[key].append(answer)

    def profile_label(name):
        question = questionnaire.profile_questions().get(name)
        value = getattr(response, name)
        if question is None or value is None:
            return None
        lines = question.display(question.from_profile(value, rows.get(question.key, [])), locale)
        return "; ".join(text for line in lines for text, _m in segments(line)) or None

    answers = []
    register = None
    for question in questionnaire:
        if question.profile or question.kind in NOT_SHOWN_KINDS or question.key not in rows:
            continue
        if where not in publication.answer_audiences(question):
            continue
        value = question.from_rows(rows[question.key])
        lines = [segments(line) for line in question.display(value, locale)]
        if not lines:
            continue
        if question.key == REGISTER_KEY:  # shown with the respondent, not among the answers
            register = "".join(text for text, _m in lines[0])
            continue
        plain = "\n".join("".join(text for text, _m in line) for line in lines)
        answers.append(
            PublishedAnswer(
                key=question.key,
                label=question.label(locale),
                section=question.section.heading(locale) if question.section else "",
                lines=lines,
                text=plain,
                free_text=rules.is_text_reviewed(question),
            )
        )
    return PublishedContribution(
        public_id=response.public_id,
        submitted_at=response.submitted_at,
        publication=response.publication,
        respondent_type=response.respondent_type,
        respondent_type_label=profile_label("respondent_type"),
        country=response.country,
        country_label=profile_label("country"),
        language=response.language,
        language_label=profile_label("language"),
        organisation_size=shown.get("organisation_size"),
        organisation_size_label=profile_label("organisation_size")
        if shown.get("organisation_size")
        else None,
        organisation_name=shown.get("organisation_name"),
        first_name=shown.get("first_name"),
        surname=shown.get("surname"),
        register_number=register,
        answers=answers,
        attachments=published_files(response),
        redacted=redacted_any,
    )


def _decisions(response):
    """{answer id: state} of the response's reviewed answers, and {answer id: [spans]}."""
    decisions = dict(
        db.session.execute(
            select(ItemReview.answer_id, ItemReview.state).where(
                ItemReview.response_id == response.id, ItemReview.answer_id.is_not(None)
            )
        ).all()
    )
    spans = defaultdict(list)
    for answer_id, start, end in db.session.execute(
        select(Redaction.answer_id, Redaction.span_start, Redaction.span_end).where(
            Redaction.response_id == response.id
        )
    ):
        spans[answer_id].append((start, end))
    return decisions, spans


def _with_text(row, text):
    """An answer row with its text replaced (result rows are read-only)."""
    return SimpleNamespace(**{**row._asdict(), "text_value": text})


def published_files(response) -> list[PublishedFile]:
    """The approved files of a public contribution, if its respondent's choice publishes
    files (the allow-list: a file's name often carries its author's)."""
    if not is_published(response):
        return []
    where = publication.audience(response.respondent_type, response.publication)
    _texts, files = rules.reviewed_questions(response.consultation)
    allowed = {rid: q for rid, q in files if where in publication.answer_audiences(q)}
    if not allowed:
        return []
    query = (
        select(Upload)
        .join(ItemReview, ItemReview.upload_id == Upload.id)
        .where(
            Upload.response_id == response.id,
            Upload.question_id.in_(list(allowed)),
            ItemReview.state == APPROVED,
        )
        .order_by(Upload.id)
    )
    return [
        PublishedFile(
            id=upload.id,
            name=upload.original_name,
            content_type=upload.content_type,
            size=upload.size,
            question=allowed[upload.question_id].label(),
        )
        for upload in db.session.scalars(query)
    ]


def published_file(response, upload_id: int):
    """The ``Upload`` row of an approved file of a public contribution, or ``None``."""
    if not any(item.id == upload_id for item in published_files(response)):
        return None
    return db.session.get(Upload, upload_id)


def published_texts(consultation, question_key: str):
    """(public ID, published text) of every public contribution's answer to a free-text
    question, oldest first: for the bulk text files ("[removed]" where words were)."""
    record_id = next((r.id for r in consultation.questions if r.key == question_key), None)
    if record_id is None:
        return
    inner = (
        published_select(consultation)
        .with_only_columns(Response.public_id, ItemReview.public_text)
        .join(ItemReview, ItemReview.response_id == Response.id)
        .join(Answer, Answer.id == ItemReview.answer_id)
        .where(
            Answer.question_id == record_id,
            ItemReview.state == APPROVED,
            ItemReview.public_text.is_not(None),
        )
        .order_by(Response.submitted_at, Response.id, Answer.id)
    )
    yield from db.session.execute(inner.execution_options(yield_per=1000))
