"""Spreadsheets of the responses: CSV and XLSX, streamed in constant memory.

One row per counted response (flagged ones are left out), columns in the order
of the questionnaire: a multiple-choice question has one column per option (1
chosen, 0 not chosen, blank not answered), a matrix one column per statement,
a ranking one column per option holding its rank.

The personal variant holds names, e-mail addresses and the contribution
reference. The public variant honours each publication choice: no e-mail
address ever, no reference, and a person's name only if they chose to be
published; an organisation's name stays, never the name of who answered for it.

Cells that start like a formula (= + - @) get a leading apostrophe, so a
spreadsheet shows what was typed instead of running it.
"""

import csv
import io
from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy import String, cast, func, or_, select

from .. import clock
from ..errors import OperationRefused
from ..extensions import db
from ..questionnaires.options import country_codes
from ..responses.models import Answer, Response
from . import xlsx

CHUNK = 2000
#: Separators of the packed option tokens (see ``_answer_queries``).
UNIT, RECORD = "\x1f", "\x1e"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset(FORMULA_STARTS)
NAME_FIELDS = ("first_name", "surname")
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
)
PUBLICATION = RESPONSE_FIELDS.index("publication")
#: Characters XML 1.0 cannot hold; ``clean_text`` refuses them at submission already.
#: Kinds whose answer is something the person typed (or a file name), kept as text.
TYPED_KINDS = {"short_text", "long_text", "email", "file"}


def safe(value):
    """``value`` made inert for spreadsheets: text that looks like a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass
class Layout:
    """The columns of an export and where each answer goes."""

    headers: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    #: Packed option token -> (column, cell, columns to fill with 0 first or None).
    cells: dict = field(default_factory=dict)
    #: question_id -> (column, whole number?) for texts and numbers (whole number: None).
    values: dict = field(default_factory=dict)
    #: (position, index in RESPONSE_FIELDS, field, labels or None): cells from the response row.
    profile: list = field(default_factory=list)

    def add(self, header, label):
        self.headers.append(header)
        self.labels.append(label)
        return len(self.headers) - 1

    def add_profile(self, header, label, name, labels=None):
        position = self.add(header, label)
        self.profile.append((position, RESPONSE_FIELDS.index(name), name, labels))


def _token(question_id, key, value):
    """The packed form of one option row, as ``_answer_queries`` builds it in SQL."""
    return f"{question_id}{UNIT}{key}{UNIT}{value}"


def _cells(question, question_id, first) -> dict:
    """Every option row ``question`` can store, mapped to the cell it fills."""
    kind, cells = question.kind, {}
    if kind == "multiple_choice":
        zeros = (first, first + len(question.option_keys))
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
        for code in country_codes():
            cells[_token(question_id, code, code)] = (first, code, None)
    elif kind == "consent":
        cells[_token(question_id, "yes", "yes")] = (first, "yes", None)
    return cells


def layout(consultation, personal: bool) -> Layout:
    """The columns of the export, following the questionnaire."""
    result = Layout()
    if personal:
        result.add_profile("reference", "Contribution reference", "reference")
    else:
        result.add_profile("contribution", "Contribution number", "id")
    result.add_profile("submitted_at", "Received (Brussels time)", "submitted_at")
    ids = {record.key: record.id for record in consultation.questions if record.active}
    for question in consultation.questionnaire:
        label = question.label()
        if question.kind == "email" and not personal:
            continue
        if question.profile:
            labels = None
            if question.kind == "single_choice":
                labels = {key: question.option_label(key) for key in question.option_keys}
            result.add_profile(question.key, label, question.profile, labels)
            _add_other(result, question, ids)
            continue
        if question.key not in ids:
            continue
        if question.kind in ("multiple_choice", "ranking"):
            first = len(result.headers)
            for key in question.option_keys:
                result.add(f"{question.key}:{key}", f"{label} – {question.option_label(key)}")
        elif question.kind == "matrix":
            first = len(result.headers)
            for key in question.row_keys:
                result.add(f"{question.key}:{key}", f"{label} – {question.row_label(key)}")
        else:
            first = result.add(question.key, label)
        question_id = ids[question.key]
        result.cells.update(_cells(question, question_id, first))
        if question.kind == "number":
            result.values[question_id] = (first, question.integer)
        elif question.kind in TYPED_KINDS:
            result.values[question_id] = (first, None)
        _add_other(result, question, ids)
    return result


def _add_other(plan, question, ids) -> None:
    """A column for what people wrote for the question's "Other" option, if it has one.

    The text is on that option's answer row, so it is read with the other texts.
    """
    column = question.other_column()
    if column and question.key in ids:
        plan.values[ids[question.key]] = (plan.add(*column), None)


def export_count(consultation) -> int:
    """How many rows an export of ``consultation`` has (its counted responses)."""
    query = select(func.count()).where(
        Response.consultation_id == consultation.id, Response.flag.is_(None)
    )
    return db.session.scalar(query)


def _brussels_text(moment, offsets={}) -> str:  # noqa: B006 (a deliberate cache)
    """``moment`` as Brussels wall-clock text; the offset is looked up once per hour."""
    hour = moment.replace(minute=0, second=0, microsecond=0)
    offset = offsets.get(hour)
    if offset is None:
        offset = offsets[hour] = clock.to_brussels(hour).utcoffset()
    return str(moment.replace(tzinfo=None) + offset)[:19]


def _start_row(plan, response, width, personal):
    """A new row with the cells that come from the response row itself."""
    row = [None] * width
    public_names = personal or response[PUBLICATION] == "public"
    for position, index, name, labels in plan.profile:
        value = response[index]
        if value is None or (not public_names and name in NAME_FIELDS):
            continue
        if labels is not None:
            value = labels.get(value, value)
        elif name == "submitted_at":
            value = _brussels_text(value)
        elif value.__class__ is str and value[:1] in FORMULA_FIRST:
            value = "'" + value
        row[position] = value
    return row


def _answer_queries(first_id, last_id):
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
    return options, values


def iter_rows(consultation, personal: bool):
    """The header, then one list of cells per counted response."""
    chunks = iter_chunks(consultation, personal)
    yield next(chunks)
    for chunk in chunks:
        yield from chunk


def response_chunks(consultation, size=CHUNK, *, counted_only=True, first_id=None, last_id=None):
    """The response rows (``RESPONSE_FIELDS``) of ``consultation`` by id, ``size`` at a time."""
    table = Response.__table__
    columns = [table.c[name] for name in RESPONSE_FIELDS]
    connection = db.session.connection()
    where = [table.c.consultation_id == consultation.id]
    if counted_only:
        where.append(table.c.flag.is_(None))
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


def read_answers(responses) -> tuple[list, list]:
    """The packed options and the values of ``responses`` (rows from ``response_chunks``)."""
    connection = db.session.connection()
    options, values = _answer_queries(responses[0].id, responses[-1].id)
    return connection.execute(options).fetchall(), connection.execute(values).fetchall()


def build_rows(plan: Layout, responses, personal: bool, answers=None) -> dict:
    """Response id -> list of cells, for ``responses`` (rows from ``response_chunks``).

    ``answers``: what ``read_answers`` gave for them, when already read.
    """
    width, cells, typed = len(plan.headers), plan.cells, plan.values
    rows = {response.id: _start_row(plan, response, width, personal) for response in responses}
    options, values = answers or read_answers(responses)
    cell_for = cells.get
    for response_id, packed in options:
        row = rows.get(response_id)
        if row is None:
            continue
        for token in packed.split(RECORD):
            cell = cell_for(token)  # None: an option no longer in the questionnaire
            if cell is not None:
                position, value, zeros = cell
                if zeros is not None and row[zeros[0]] is None:
                    row[zeros[0] : zeros[1]] = [0] * (zeros[1] - zeros[0])
                row[position] = value
    for response_id, question_id, text, number in values:
        row = rows.get(response_id)
        target = typed.get(question_id)
        if row is None or target is None:
            continue
        position, whole = target
        if whole is None:
            row[position] = safe(text)
        elif number is not None:
            row[position] = int(number) if whole else number
    return rows


def iter_chunks(consultation, personal: bool):
    """The header, then lists of rows, one list per chunk of responses read together."""
    plan = layout(consultation, personal)
    yield list(plan.headers)
    for responses in response_chunks(consultation):
        yield list(build_rows(plan, responses, personal).values())


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
    from .ready_lines import LINE_CHUNK, ready_chunks

    writer = LineWriter()
    plan = layout(consultation, personal)
    yield "\ufeff" + writer.line(plan.headers)
    for responses, lines in ready_chunks(consultation, personal, LINE_CHUNK):
        missing = [response for response, line in zip(responses, lines, strict=True) if not line]
        if missing:
            built = build_rows(plan, missing, personal)
            lines = [
                line or writer.line(built[response.id])
                for response, line in zip(responses, lines, strict=True)
            ]
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


def write_xlsx(consultation, personal: bool, fileobj, progress=None) -> None:
    """Write the export as an XLSX workbook to ``fileobj``, row by row in constant memory.

    A second sheet says which question each column holds. Refuses
    (``check_xlsx_size``) when the rows would not fit in one sheet.
    """
    check_xlsx_size(consultation)
    plan = layout(consultation, personal)
    legend = [["column", "question"], *zip(plan.headers, plan.labels, strict=True)]
    wide = export_count(consultation) * len(plan.headers) * 64 > xlsx.ZIP64_FROM
    xlsx.write_workbook(
        fileobj,
        [("Responses", iter_rows(consultation, personal)), ("Columns", legend)],
        large=wide,
        progress=progress,
    )
