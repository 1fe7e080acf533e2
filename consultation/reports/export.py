"""Spreadsheets of the responses: CSV and XLSX, streamed in constant memory.

One row per counted response (flagged ones are left out), columns in the order
of the questionnaire: a multiple-choice question has one column per option (1
chosen, 0 not chosen, blank not answered), a matrix one column per statement,
a ranking one column per option holding its rank, a country its name and, in
the next column, its ISO code.

Times are Brussels time and say so: the CSV writes them in ISO 8601 with their
offset from UTC (2025-06-04T23:59:59+02:00), the XLSX as date-times under a
header that names the time zone.

The personal variant holds names, e-mail addresses and the contribution
reference. The public variant is built from the allow-list of ``publication``:
each row gets only the fields and answers published for its respondent's kind
and publication choice. It holds the contributions that may be published
(``publishing``: moderated, not erased, a publishing choice), each free text as
published: the words moderators removed read "[removed]", a withheld text is
blank.

Cells that start like a formula (= + - @) get a leading apostrophe, so a
spreadsheet shows what was typed instead of running it.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from flask_babel import gettext
from sqlalchemy import String, case, cast, func, or_, select
from sqlalchemy import text as sql_text

from .. import clock
from ..consultations.models import VERSION_MARK
from ..consultations.queries import profile_questions_asked, retired_questions
from ..errors import OperationRefused
from ..extensions import db
from ..questionnaires.options import country_codes, country_name
from ..responses.models import PUBLISHABLE_SQL, Answer, Response
from . import publication, xlsx

CHUNK = 2000
#: Separators of the packed option tokens (see ``_answer_queries``).
UNIT, RECORD = "\x1f", "\x1e"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset(FORMULA_STARTS)
#: The columns of the response row an export reads.
RESPONSE_FIELDS = (
    "id",
    "reference",
    "submitted_at",
    "publication",
    "language",
    "respondent_type",
    "country",
    "organisation_size",
    "first_name",
    "surname",
    "email",
    "organisation_name",
    "outcome_updates",
    "questionnaire_version",
)
PUBLICATION = RESPONSE_FIELDS.index("publication")
RESPONDENT_TYPE = RESPONSE_FIELDS.index("respondent_type")
#: Kinds whose answer is something the person typed (or a file name), kept as text.
TYPED_KINDS = {"short_text", "long_text", "email", "file"}
#: How a cell of the response row is written (see ``_start_row``).
AS_TEXT, AS_LABEL, AS_TIME = "text", "label", "time"
#: Column widths, in characters, by what a column holds.
WIDTHS = {
    "reference": 22,
    "contribution": 12,
    "submitted_at": 20,
    "code": 8,
    "country": 22,
    "single_choice": 26,
    "multiple_choice": 14,
    "matrix": 20,
    "ranking": 12,
    "number": 12,
    "short_text": 24,
    "long_text": 50,
    "email": 28,
    "file": 24,
    "consent": 10,
    "questionnaire_version": 10,
}
#: What a column's cells mean, by what it holds (the "Columns" sheet of the XLSX).
MEANINGS = {
    "reference": "The contribution's reference, as the respondent received it.",
    "contribution": "A number that identifies the contribution in this file.",
    "submitted_at": "Date and time the contribution was received, Brussels time.",
    "code": "The country's ISO 3166-1 code (two letters).",
    "country": "The country's name.",
    "single_choice": "The option chosen; blank: not answered.",
    "multiple_choice": "1: this option was chosen; 0: not chosen; blank: question not answered.",
    "matrix": "The point of the scale chosen for this statement; blank: not answered.",
    "ranking": "The place given to this option (1: first); blank: not ranked.",
    "number": "A number; blank: not answered.",
    "short_text": "As the respondent typed it.",
    "long_text": "As the respondent typed it.",
    "email": "An e-mail address (never published).",
    "file": "The name of the uploaded file.",
    "consent": "yes: the box was ticked.",
    "questionnaire_version": "The questionnaire version the contribution answered (1, 2...).",
}
#: Widths of the "Columns" sheet of the XLSX.
LEGEND_WIDTHS = (8, 30, 60, 60)
FORMULA_NOTE = " A leading apostrophe keeps text that starts like a formula from being run."


def safe(value):
    """``value`` made inert for spreadsheets: text that looks like a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass
class Fill:
    """Which cells one audience's rows get, and from what (see ``Layout.fills``)."""

    #: (position, index in RESPONSE_FIELDS, how: AS_TEXT/AS_LABEL/AS_TIME, labels or None).
    profile: list = field(default_factory=list)
    #: Packed option token -> (column, cell, also): ``also`` is None or (start, end, cells)
    #: written over columns start..end first if ``start`` is still empty (zeros, a code).
    cells: dict = field(default_factory=dict)
    #: question_id -> (column, whole number?) for texts and numbers (texts: None).
    values: dict = field(default_factory=dict)


@dataclass
class Layout:
    """The columns of an export and where each answer goes."""

    personal: bool
    #: Whether times are date-times (XLSX) rather than text with their offset (CSV).
    typed: bool = False
    headers: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    meanings: list = field(default_factory=list)
    widths: list = field(default_factory=list)
    #: What fills a row, by audience (``publication.audience``); the personal export has one
    #: audience, None: everything. A row of the public export gets only what its audience's
    #: fill holds, so what is published is what the allow-list names.
    fills: dict = field(default_factory=dict)

    def add(self, header, label, what, meaning=None):
        self.headers.append(header)
        self.labels.append(label)
        self.meanings.append(meaning or MEANINGS[what])
        self.widths.append(WIDTHS[what])
        return len(self.headers) - 1

    def audiences(self, who):
        """The fills a column published for ``who`` goes into (all of them when personal)."""
        return [fill for where, fill in self.fills.items() if where is None or where in who]


def _token(question_id, key, value):
    """The packed form of one option row, as ``_answer_queries`` builds it in SQL."""
    return f"{question_id}{UNIT}{key}{UNIT}{value}"


@cache
def _country_names() -> dict:
    """Code -> English name of every country a country question offers."""
    return {code: country_name(code) for code in country_codes()}


def _cells(question, question_id, first) -> dict:
    """Every option row ``question`` can store, mapped to the cell it fills."""
    kind, cells = question.kind, {}
    if kind == "multiple_choice":
        size = len(question.option_keys)
        zeros = (first, first + size, (0,) * size)
        for i, key in enumerate(question.option_keys):
            cells[_token(question_id, key, key)] = (first + i, 1, zeros)
    elif kind == "matrix":
        for i, row in enumerate(question.row_keys):
            for point in question.scale_keys:
                cells[_token(question_id, row, point)] = (
                    first + i,
                    question.scale_label(point),
                    None,
                )
    elif kind == "ranking":
        for i, key in enumerate(question.option_keys):
            for rank in range(1, len(question.option_keys) + 1):
                cells[_token(question_id, key, rank)] = (first + i, rank, None)
    elif kind == "single_choice":
        for key in question.option_keys:
            cells[_token(question_id, key, key)] = (first, question.option_label(key), None)
    elif kind == "country":
        for code, name in _country_names().items():
            cells[_token(question_id, code, code)] = (first, name, (first + 1, first + 2, (code,)))
    elif kind == "consent":
        cells[_token(question_id, "yes", "yes")] = (first, "yes", None)
    return cells


def _profile_column(result, question, label, who, earlier=()):
    """The column(s) of a question that fills a column of the response row; ``earlier``:
    (version, question) of the versions that filled it, whose labels name the options a
    new version no longer has."""
    index = RESPONSE_FIELDS.index(question.profile)
    if question.kind == "country":
        name = result.add(question.key, label, "country")
        code = result.add(f"{question.key}:code", f"{label} (ISO code)", "code")
        for fill in result.audiences(who):
            fill.profile.append((name, index, AS_LABEL, _country_names()))
            fill.profile.append((code, index, AS_TEXT, None))
        return
    if question.kind == "single_choice":
        how, labels = AS_LABEL, {}
        for _number, asked in reversed(earlier):  # the oldest first: newer labels win
            if asked.kind == question.kind:
                labels.update((key, asked.option_label(key)) for key in asked.option_keys)
        labels.update((key, question.option_label(key)) for key in question.option_keys)
    else:
        how, labels = AS_TEXT, None
    what = question.kind if question.kind in WIDTHS else "short_text"
    position = result.add(question.key, label, what)
    for fill in result.audiences(who):
        fill.profile.append((position, index, how, labels))


def _answer_columns(result, question, label, who, question_id):
    """The column(s) of a question answered in answer rows, and the cells they take."""
    kind = question.kind
    first = len(result.headers)
    if kind in ("multiple_choice", "ranking"):
        for key in question.option_keys:
            result.add(f"{question.key}:{key}", f"{label} – {question.option_label(key)}", kind)
    elif kind == "matrix":
        for key in question.row_keys:
            result.add(f"{question.key}:{key}", f"{label} – {question.row_label(key)}", kind)
    elif kind == "country":
        result.add(question.key, label, "country")
        result.add(f"{question.key}:code", f"{label} (ISO code)", "code")
    elif kind == "number":
        unit = question.unit_text() if question.unit else ""
        meaning = f"A number, in {unit}; blank: not answered." if unit else None
        result.add(question.key, label, kind, meaning)
    elif kind in ("short_text", "long_text"):
        result.add(question.key, label, kind, MEANINGS[kind] + FORMULA_NOTE)
    else:
        result.add(question.key, label, kind if kind in WIDTHS else "short_text")
    cells = _cells(question, question_id, first)
    for fill in result.audiences(who):
        fill.cells.update(cells)
        if kind == "number":
            fill.values[question_id] = (first, question.integer)
        elif kind in TYPED_KINDS:
            fill.values[question_id] = (first, None)


def layout(consultation, personal: bool, typed: bool = False) -> Layout:
    """The columns of the export, following the questionnaire.

    The public variant has a column only where some audience's allow-list
    publishes it, and each audience's fill only what its allow-list names.
    """
    result = Layout(personal=personal, typed=typed)
    audiences = [None] if personal else sorted(publication.EVERYONE)
    result.fills = {where: Fill() for where in audiences}
    if personal:
        first = ("reference", "Contribution reference", "reference", "reference")
    else:
        first = ("contribution", "Contribution number", "contribution", "id")
    stamp = ("submitted_at", "Received (Brussels time)", "submitted_at", "submitted_at")
    for header, label, what, name, how in (*first, AS_TEXT), (*stamp, AS_TIME):
        position = result.add(header, label, what)
        for fill in result.audiences(publication.field_audiences(name)):
            fill.profile.append((position, RESPONSE_FIELDS.index(name), how, None))
    ids = {record.key: record.id for record in consultation.questions if record.active}
    asked = profile_questions_asked(consultation)
    for question in consultation.questionnaire:
        who = publication.answer_audiences(question)
        if not personal and not who:
            continue
        label = question.label()
        if question.profile:
            _profile_column(result, question, label, who, asked.get(question.profile, ()))
        elif question.key in ids:
            _answer_columns(result, question, label, who, ids[question.key])
        _add_other(result, question, who, ids)
    _retired_columns(result, consultation, personal)
    _earlier_profile_columns(result, consultation.questionnaire, asked, personal)
    version = "questionnaire_version"
    position = result.add(version, "Questionnaire version", version)
    for fill in result.audiences(publication.EVERYONE):
        fill.profile.append((position, RESPONSE_FIELDS.index(version), AS_TEXT, None))
    return result


def _retired_columns(result, consultation, personal) -> None:
    """Columns for the questions an earlier questionnaire version asked and a later one
    replaced (``QuestionRecord.retired_from``): their answers stay, under their own
    question, its label marked with the version. A profile question's answer is on the
    response row (``_earlier_profile_columns``): only its "Other" text is on its own."""
    for record, question, number, _first in retired_questions(consultation):
        who = publication.answer_audiences(question)
        if not personal and not who:
            continue
        label = _versioned(question.label(), number)
        start = len(result.headers)
        if not question.profile:
            _answer_columns(result, question, label, who, record.id)
        _add_other(result, question, who, {question.key: record.id})
        for index in range(start, len(result.headers)):
            result.headers[index] = result.headers[index].replace(question.key, record.key, 1)
            if not result.labels[index].startswith(label):
                result.labels[index] = result.labels[index].replace(question.label(), label, 1)


def _earlier_profile_columns(result, questionnaire, asked, personal) -> None:
    """Columns of the response row that an earlier questionnaire version filled and the
    current one does not (its question removed, or moved to another column): the answers
    given then stay exported, under the question as the last version to ask it asked it."""
    current = questionnaire.profile_questions()
    for column, earlier in asked.items():
        if column in current:
            continue
        number, question = earlier[0]
        who = publication.answer_audiences(question)
        if not personal and not who:
            continue
        start = len(result.headers)
        _profile_column(result, question, _versioned(question.label(), number), who, earlier)
        for index in range(start, len(result.headers)):
            versioned = f"{question.key}{VERSION_MARK}{number}"
            result.headers[index] = result.headers[index].replace(question.key, versioned, 1)


def _versioned(label, number) -> str:
    return f"{label} (questionnaire version {number})"


def _add_other(result, question, who, ids) -> None:
    """A column for what people wrote for the question's "Other" option, if it has one.

    The text is on that option's answer row, so it is read with the other texts, and
    published to whom the question's answers are.
    """
    column = question.other_column()
    if column and question.key in ids:
        position = result.add(*column, "short_text")
        for fill in result.audiences(who):
            fill.values[ids[question.key]] = (position, None)


def export_count(consultation, personal: bool = True) -> int:
    """How many rows an export of ``consultation`` has (its counted responses; the public
    export: those that may be published)."""
    query = select(func.count()).where(
        Response.consultation_id == consultation.id, Response.flag.is_(None)
    )
    if not personal:
        query = query.where(sql_text(PUBLISHABLE_SQL))
    return db.session.scalar(query)


def _brussels(moment, offsets={}):  # noqa: B006 (a deliberate cache)
    """``moment`` as Brussels wall-clock time (naive, to the second) and its offset's text.

    The offset is looked up once per hour of the moments exported.
    """
    hour = moment.replace(minute=0, second=0, microsecond=0)
    found = offsets.get(hour)
    if found is None:
        offset = clock.to_brussels(hour).utcoffset()
        minutes = int(offset.total_seconds()) // 60
        sign = "+" if minutes >= 0 else "-"
        found = offsets[hour] = (offset, f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}")
    offset, text = found
    return moment.replace(tzinfo=None, microsecond=0) + offset, text


def brussels_iso(moment) -> str:
    """``moment`` in ISO 8601, Brussels time with its offset: 2025-06-04T23:59:59+02:00."""
    local, offset = _brussels(moment)
    return local.isoformat() + offset


def brussels_wall_clock(moment) -> datetime:
    """``moment`` as a naive Brussels date-time, to the second (what a spreadsheet cell holds)."""
    return _brussels(moment)[0]


def file_stamp(moment=None) -> str:
    """The date and time in a download's file name, Brussels time as the interface shows it."""
    return clock.to_brussels(moment or clock.now_utc()).strftime("%Y%m%d-%H%M")


def _start_row(plan, response, width):
    """A new row with the cells that come from the response row itself, and its fill.

    The public export picks the fill of the response's audience: only the
    columns the allow-list publishes for it are read at all.
    """
    if plan.personal:
        fill = plan.fills[None]
    else:
        fill = plan.fills[publication.audience(response[RESPONDENT_TYPE], response[PUBLICATION])]
    row = [None] * width
    as_time = brussels_wall_clock if plan.typed else brussels_iso
    for position, index, how, labels in fill.profile:
        value = response[index]
        if value is None:
            continue
        if how is AS_LABEL:
            value = labels.get(value, value)
        elif how is AS_TIME:
            value = as_time(value)
        elif value.__class__ is str and value[:1] in FORMULA_FIRST:
            value = "'" + value
        row[position] = value
    return row, fill


def _answer_queries(first_id, last_id, public=False):
    """Two reads of a chunk's answers: options packed into one string per response, and values.

    Packing the many option rows of a response into one string in SQL
    (``question|key|value`` tokens) spares the export a Python round per row,
    which is what keeps it fast at scale. Keys come from the questionnaire, never
    from what a person typed, and the separators are control characters, which
    keys do not hold.
    """
    answers = Answer.__table__
    chunk = answers.c.response_id.between(first_id, last_id)
    token = (
        cast(answers.c.question_id, String)
        + UNIT
        + func.coalesce(answers.c.row_key, answers.c.option_key, "")
        + UNIT
        + func.coalesce(cast(answers.c.rank, String), answers.c.option_key, "")
    )
    options = (
        select(answers.c.response_id, func.aggregate_strings(token, RECORD))
        .where(chunk, answers.c.option_key.is_not(None))
        .group_by(answers.c.response_id)
    )
    values = select(
        answers.c.response_id, answers.c.question_id, answers.c.text_value, answers.c.number_value
    ).where(chunk, or_(answers.c.text_value.is_not(None), answers.c.number_value.is_not(None)))
    if public:
        # A text as published: its redactions applied, blank when withheld (publishing).
        from ..publishing.models import ItemReview

        reviews = ItemReview.__table__
        shown = case(
            (reviews.c.state == "withheld", None),
            else_=func.coalesce(reviews.c.public_text, answers.c.text_value),
        )
        values = (
            select(answers.c.response_id, answers.c.question_id, shown, answers.c.number_value)
            .select_from(answers.outerjoin(reviews, reviews.c.answer_id == answers.c.id))
            .where(
                chunk, or_(answers.c.text_value.is_not(None), answers.c.number_value.is_not(None))
            )
        )
    return options, values


def iter_rows(consultation, personal: bool, plan=None):
    """The header, then one list of cells per counted response."""
    chunks = iter_chunks(consultation, personal, plan)
    yield next(chunks)
    for chunk in chunks:
        yield from chunk


def response_chunks(
    consultation,
    size=CHUNK,
    *,
    counted_only=True,
    first_id=None,
    last_id=None,
    publishable_only=False,
):
    """The response rows (``RESPONSE_FIELDS``) of ``consultation`` by id, ``size`` at a time
    (``publishable_only``: those the public export holds)."""
    table = Response.__table__
    columns = [table.c[name] for name in RESPONSE_FIELDS]
    connection = db.session.connection()
    where = [table.c.consultation_id == consultation.id]
    if counted_only:
        where.append(table.c.flag.is_(None))
    if publishable_only:
        where.append(sql_text(PUBLISHABLE_SQL))
    if last_id is not None:
        where.append(table.c.id <= last_id)
    last = (first_id - 1) if first_id is not None else 0
    while True:
        responses = connection.execute(
            select(*columns).where(*where, table.c.id > last).order_by(table.c.id).limit(size)
        ).all()
        if not responses:
            return
        last = responses[-1].id
        yield responses


def read_answers(responses, public=False) -> tuple[list, list]:
    """The packed options and the values of ``responses`` (rows from ``response_chunks``);
    ``public``: free texts as published."""
    connection = db.session.connection()
    options, values = _answer_queries(responses[0].id, responses[-1].id, public)
    return connection.execute(options).fetchall(), connection.execute(values).fetchall()


def build_rows(plan: Layout, responses, answers=None) -> dict:
    """Response id -> list of cells, for ``responses`` (rows from ``response_chunks``).

    ``answers``: what ``read_answers`` gave for them, when already read.
    """
    width = len(plan.headers)
    rows, fills = {}, {}
    for response in responses:
        rows[response.id], fills[response.id] = _start_row(plan, response, width)
    options, values = answers or read_answers(responses, public=not plan.personal)
    for response_id, packed in options:
        row = rows.get(response_id)
        if row is None:
            continue
        cell_for = fills[response_id].cells.get
        for token in packed.split(RECORD):
            cell = cell_for(token)  # None: not published, or no longer in the questionnaire
            if cell is not None:
                position, value, also = cell
                if also is not None and row[also[0]] is None:
                    row[also[0] : also[1]] = also[2]
                row[position] = value
    for response_id, question_id, text, number in values:
        row = rows.get(response_id)
        if row is None:
            continue
        target = fills[response_id].values.get(question_id)
        if target is None:
            continue
        position, whole = target
        if whole is None:
            row[position] = safe(text)
        elif number is not None:
            row[position] = int(number) if whole else number
    return rows


def iter_chunks(consultation, personal: bool, plan=None):
    """The header, then lists of rows, one list per chunk of responses read together."""
    plan = plan or layout(consultation, personal)
    yield list(plan.headers)
    for responses in response_chunks(consultation, publishable_only=not personal):
        yield list(build_rows(plan, responses).values())


class LineWriter:
    """CSV lines, one string per row, exactly as ``csv.writer`` writes them."""

    def __init__(self):
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer)

    def line(self, row) -> str:
        self.buffer.seek(0)
        self.buffer.truncate()
        self.writer.writerow(row)
        return self.buffer.getvalue()


def iter_csv(consultation, personal: bool, progress=None):
    """The export as CSV text chunks (UTF-8 with a byte-order mark), for streaming.

    Each response's line is read ready-made from ``export_lines`` (written when the
    response was stored, see ``ready_lines``); a line that is missing or was made
    for an earlier layout of the questionnaire is built from the answers here, the
    same way, so the file is the same either way.
    """
    from ..themes.export import code_columns  # the codes' columns, added as lines go out
    from .ready_lines import LINE_CHUNK, ready_chunks

    writer = LineWriter()
    plan = layout(consultation, personal)
    codes = code_columns(consultation, personal)
    yield "\ufeff" + writer.line(plan.headers + (codes.headers if codes else []))
    for responses, lines in ready_chunks(consultation, personal, LINE_CHUNK):
        missing = [response for response, line in zip(responses, lines, strict=True) if not line]
        if missing:
            built = build_rows(plan, missing)
            lines = [
                line or writer.line(built[response.id])
                for response, line in zip(responses, lines, strict=True)
            ]
        if codes:
            lines = codes.lines(responses, lines)
        yield "".join(lines)
        if progress:
            progress(len(lines))


#: Rows a spreadsheet holds below its header row (Excel and LibreOffice: 1,048,576 in all).
XLSX_MAX_ROWS = 1_048_575


def check_xlsx_size(consultation) -> None:
    """Refuse (``OperationRefused``) an XLSX export with more rows than a sheet holds, rather
    than write a file that silently lacks the rest."""
    total = export_count(consultation)
    if total > XLSX_MAX_ROWS:
        raise OperationRefused(
            gettext(
                "This export has %(count)s rows, more than a spreadsheet holds (%(limit)s). "
                "Download the CSV file instead: it has no such limit.",
                count=f"{total:,}",
                limit=f"{XLSX_MAX_ROWS:,}",
            )
        )


def _xlsx_rows(consultation, plan, codes=None):
    """The rows of the XLSX: the question labels as the header, then the typed cells (and
    those of the codes, ``themes.export``)."""
    yield plan.labels + (codes.labels if codes else [])
    for responses in response_chunks(consultation, publishable_only=not plan.personal):
        rows = build_rows(plan, responses)
        if codes is None:
            yield from rows.values()
            continue
        extra = codes.cells(responses)
        for response_id, row in rows.items():
            yield row + extra[response_id]


def write_xlsx(consultation, personal: bool, fileobj, progress=None) -> None:
    """Write the export as an XLSX workbook to ``fileobj``, row by row in constant memory.

    The header row shows the questions; a second sheet, "Columns", maps each
    column to its key, its question and what its cells mean. Refuses
    (``check_xlsx_size``) when the rows would not fit in one sheet.
    """
    from ..themes.export import code_columns

    check_xlsx_size(consultation)
    plan = layout(consultation, personal, typed=True)
    codes = code_columns(consultation, personal)
    headers, labels, meanings, widths = plan.headers, plan.labels, plan.meanings, plan.widths
    if codes:
        headers, labels = headers + codes.headers, labels + codes.labels
        meanings, widths = meanings + codes.meanings, widths + codes.widths
    letters = xlsx.column_letters(len(headers))
    legend = [
        ["Column", "Key", "Question", "Meaning"],
        *zip(letters, headers, labels, meanings, strict=True),
    ]
    wide = export_count(consultation) * len(headers) * 64 > xlsx.ZIP64_FROM
    xlsx.write_workbook(
        fileobj,
        [
            xlsx.Sheet("Responses", _xlsx_rows(consultation, plan, codes), widths, header=True),
            xlsx.Sheet("Columns", legend, LEGEND_WIDTHS, header=True),
        ],
        large=wide,
        progress=progress,
    )
