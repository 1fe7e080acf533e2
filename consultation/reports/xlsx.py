"""A small XLSX writer for exports: sheets of text, numbers and dates, streamed into the zip.

xlsxwriter checks, formats and writes each cell through several Python calls, which
held exports to about 1,500 rows a second (a minute for 100,000 responses, past a web
server's usual time limit). An export needs little of that: rows of text, numbers,
date-times and empty cells, no formulas, and three styles (plain, a bold header, a
date-time). So each row becomes its XML in one pass and goes straight into the zip
entry of its sheet: memory stays flat at any size.

What is written is the small package spreadsheet programs expect (content types,
relationships, workbook, styles, one part per sheet), with text as inline strings.
A sheet with a header row gets it bold, frozen and with an autofilter; its column
widths are given up front (the rows are not known yet when they are written).
``tests/test_xlsx_libreoffice.py`` opens it with LibreOffice and compares every
cell with the CSV export; openpyxl reads it in ``tests/test_exports.py``.
"""

import math
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
DOCUMENT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
#: A cell holds at most this many characters (longer text is cut, as Excel would).
MAX_CELL_CHARS = 32_767
#: Characters XML 1.0 does not allow, dropped from text.
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
#: Rows gathered before they are written to the zip.
BATCH = 500
#: Above this much sheet XML a zip entry needs the 64-bit format.
ZIP64_FROM = 3 * 2**30
#: Style indexes (``cellXfs`` of ``_styles``): the header row, date-times.
HEADER_STYLE, DATETIME_STYLE = 1, 2
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
#: Day 0 of spreadsheet date numbers (1900 date system, as Excel counts since 1 March 1900).
EPOCH = datetime(1899, 12, 30)
#: Height of a header row, in points: room for three lines of a wrapped question.
HEADER_HEIGHT = 45


@dataclass
class Sheet:
    """A sheet to write: its name, its rows, its column widths (characters), and whether its
    first row is a header (bold, frozen, with an autofilter)."""

    name: str
    rows: object
    widths: tuple | list = ()
    header: bool = False


def column_letters(count: int) -> list[str]:
    """A, B, ..., Z, AA, AB, ... for the first ``count`` columns."""
    letters = []
    for index in range(1, count + 1):
        name = ""
        while index:
            index, rest = divmod(index - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def date_number(value: datetime) -> float:
    """A (naive, local) date-time as the number a spreadsheet stores for it."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return (value - EPOCH).total_seconds() / 86400


def _cell(reference: str, value, style: str = "") -> str:
    """One cell's XML: a number, a date-time, an inline string, or nothing for an empty cell.

    ``style``: the cell's ``s`` attribute for text and numbers (the header row's).
    """
    if value is None or value == "":
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        number = repr(value) if isinstance(value, float) else str(value)
        return f'<c r="{reference}"{style}><v>{number}</v></c>'
    if isinstance(value, date):
        return f'<c r="{reference}" s="{DATETIME_STYLE}"><v>{date_number(value)!r}</v></c>'
    text = ILLEGAL.sub("", str(value))[:MAX_CELL_CHARS].translate(_ESCAPES)
    return (
        f'<c r="{reference}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    )


class _Columns:
    """Column letters, grown as wide rows come."""

    def __init__(self):
        self.letters = column_letters(64)

    def __getitem__(self, count):
        if count > len(self.letters):
            self.letters = column_letters(count)
        return self.letters


def _columns_xml(widths) -> str:
    if not widths:
        return ""
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>'
        for i, width in enumerate(widths, 1)
    )
    return f"<cols>{cols}</cols>"


def _view_xml(header: bool) -> str:
    """The header row (and the first column, which names the row) stay in view."""
    if not header:
        return ""
    return (
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane xSplit="1" ySplit="1" topLeftCell="B2" activePane="bottomRight" state="frozen"/>'
        '<selection pane="topRight"/><selection pane="bottomLeft"/>'
        '<selection pane="bottomRight" activeCell="B2" sqref="B2"/>'
        "</sheetView></sheetViews>"
    )


def _sheet_xml(sheet: Sheet, extent: list, progress=None):
    """The XML of ``sheet``, in pieces; ``progress(n)``: n more rows below the first (the
    header) are written. ``extent`` receives (rows, widest row) once all are written."""
    columns = _Columns()
    yield (
        f'{HEAD}<worksheet xmlns="{MAIN}">{_view_xml(sheet.header)}'
        f"{_columns_xml(sheet.widths)}<sheetData>"
    )
    pieces, number, reported, widest = [], 0, 0, 0
    for number, row in enumerate(sheet.rows, 1):  # noqa: B007 (number is used after the loop)
        letters = columns[len(row)]
        widest = max(widest, len(row))
        if number == 1 and sheet.header:
            cells = "".join(
                _cell(f"{letter}1", value, f' s="{HEADER_STYLE}"')
                for letter, value in zip(letters, row, strict=False)
            )
            pieces.append(f'<row r="1" ht="{HEADER_HEIGHT}" customHeight="1">{cells}</row>')
            continue
        cells = "".join(
            _cell(f"{letter}{number}", value) for letter, value in zip(letters, row, strict=False)
        )
        pieces.append(f'<row r="{number}">{cells}</row>')
        if len(pieces) == BATCH:
            yield "".join(pieces)
            pieces.clear()
            if progress:
                progress(number - 1 - reported)
                reported = number - 1
    yield "".join(pieces)
    if progress and number - 1 > reported:
        progress(number - 1 - reported)
    yield "</sheetData>"
    if sheet.header and number and widest:
        yield f'<autoFilter ref="{filter_range(number, widest)}"/>'
    yield "</worksheet>"
    extent.extend((number, widest))


def filter_range(rows: int, width: int, absolute=False) -> str:
    """The cells an autofilter covers: A1 to the last cell of the last row."""
    last = column_letters(width)[-1]
    if absolute:
        return f"$A$1:${last}${rows}"
    return f"A1:{last}{rows}"


def write_workbook(fileobj, sheets, *, large=False, progress=None) -> None:
    """Write ``sheets`` as XLSX to ``fileobj``: ``Sheet`` objects, or (name, rows) pairs.

    ``large``: the sheet XML may pass 4 GB (the zip entry then uses the 64-bit format).
    ``progress(n)`` is called as rows of the first sheet are written.
    """
    sheets = [sheet if isinstance(sheet, Sheet) else Sheet(*sheet) for sheet in sheets]
    names = [sheet.name for sheet in sheets]
    extents = []
    with zipfile.ZipFile(fileobj, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        package.writestr("[Content_Types].xml", _content_types(len(names)))
        package.writestr("_rels/.rels", _package_relationships())
        package.writestr("xl/_rels/workbook.xml.rels", _workbook_relationships(len(names)))
        package.writestr("xl/styles.xml", _styles())
        for index, sheet in enumerate(sheets, 1):
            extent = []
            entry = package.open(f"xl/worksheets/sheet{index}.xml", "w", force_zip64=large)
            with entry:
                counted = progress if index == 1 else None
                for piece in _sheet_xml(sheet, extent, counted):
                    entry.write(piece.encode("utf-8"))
            extents.append(extent if sheet.header else None)
        # Written last: the autofilters' defined names need the sheets' sizes.
        package.writestr("xl/workbook.xml", _workbook(names, extents))


def _content_types(count: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{DOCUMENT}.worksheet+xml"/>'
        for i in range(1, count + 1)
    )
    return (
        f'{HEAD}<Types xmlns="{PACKAGE}/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{DOCUMENT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{DOCUMENT}.styles+xml"/>'
        f"{sheets}</Types>"
    )


def _package_relationships() -> str:
    return (
        f'{HEAD}<Relationships xmlns="{PACKAGE}/relationships">'
        f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    )


def _quoted_sheet(name: str) -> str:
    """A sheet's name as a formula refers to it ('It''s' for It's), escaped for XML."""
    return ("'" + name.replace("'", "''") + "'").translate(_ESCAPES)


def _workbook(names, extents) -> str:
    sheets = "".join(
        f'<sheet name="{name.translate(_ESCAPES)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(names, 1)
    )
    # Excel keeps each autofilter's range as this hidden name as well as on the sheet.
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{_quoted_sheet(name)}!{filter_range(*extent, absolute=True)}</definedName>"
        for i, (name, extent) in enumerate(zip(names, extents, strict=True))
        if extent and extent[0] and extent[1]
    )
    defined = f"<definedNames>{filters}</definedNames>" if filters else ""
    return (
        f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
        f"<sheets>{sheets}</sheets>{defined}</workbook>"
    )


def _workbook_relationships(count: int) -> str:
    sheets = "".join(
        f'<Relationship Id="rId{i}" Type="{RELATIONSHIPS}/worksheet" '
        f'Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, count + 1)
    )
    return (
        f'{HEAD}<Relationships xmlns="{PACKAGE}/relationships">{sheets}'
        f'<Relationship Id="rId{count + 1}" Type="{RELATIONSHIPS}/styles" '
        'Target="styles.xml"/></Relationships>'
    )


def _styles() -> str:
    """Two fonts (plain, bold), the two fills every file has, no borders; three cell formats:
    plain, the header (bold, wrapped, at the top) and date-times."""
    return (
        f'{HEAD}<styleSheet xmlns="{MAIN}">'
        f'<numFmts count="1"><numFmt numFmtId="164" formatCode="{DATETIME_FORMAT}"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
        "</borders>"
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>"
        '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" '
        'applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )
