"""A small XLSX writer for exports: sheets of plain text and numbers, streamed into the zip.

xlsxwriter checks, formats and writes each cell through several Python calls, which
held exports to about 1,500 rows a second (a minute for 100,000 responses, past a web
server's usual time limit). An export needs none of that: rows of text, numbers and
empty cells, no formulas, no styles. So each row becomes its XML in one pass and goes
straight into the zip entry of its sheet: memory stays flat at any size.

What is written is the smallest package spreadsheet programs expect (content types,
relationships, workbook, a default style, one part per sheet), with text as inline
strings. ``tests/test_xlsx_libreoffice.py`` opens it with LibreOffice and compares
every cell with the CSV export; openpyxl reads it in ``tests/test_exports.py``.
"""

import math
import re
import zipfile

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


def _cell(reference: str, value) -> str:
    """One cell's XML: a number, an inline string, or nothing for an empty cell."""
    if value is None or value == "":
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        number = repr(value) if isinstance(value, float) else str(value)
        return f'<c r="{reference}"><v>{number}</v></c>'
    text = ILLEGAL.sub("", str(value))[:MAX_CELL_CHARS].translate(_ESCAPES)
    return f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


class _Columns:
    """Column letters, grown as wide rows come."""

    def __init__(self):
        self.letters = column_letters(64)

    def __getitem__(self, count):
        if count > len(self.letters):
            self.letters = column_letters(count)
        return self.letters


def _sheet_xml(rows, progress=None):
    """The XML of a sheet holding ``rows``, in pieces; ``progress(n)``: n more rows below the
    first (the header) are written."""
    columns = _Columns()
    yield f'{HEAD}<worksheet xmlns="{MAIN}"><sheetData>'
    pieces, number, reported = [], 0, 0
    for number, row in enumerate(rows, 1):  # noqa: B007 (number is used after the loop)
        letters = columns[len(row)]
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
    yield "</sheetData></worksheet>"


def write_workbook(fileobj, sheets, *, large=False, progress=None) -> None:
    """Write ``sheets`` ([(name, rows)], rows being sequences of values) as XLSX to ``fileobj``.

    ``large``: the sheet XML may pass 4 GB (the zip entry then uses the 64-bit format).
    ``progress(n)`` is called as rows of the first sheet are written.
    """
    names = [name for name, _ in sheets]
    with zipfile.ZipFile(fileobj, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        package.writestr("[Content_Types].xml", _content_types(len(names)))
        package.writestr("_rels/.rels", _package_relationships())
        package.writestr("xl/workbook.xml", _workbook(names))
        package.writestr("xl/_rels/workbook.xml.rels", _workbook_relationships(len(names)))
        package.writestr("xl/styles.xml", _styles())
        for index, (_, rows) in enumerate(sheets, 1):
            entry = package.open(f"xl/worksheets/sheet{index}.xml", "w", force_zip64=large)
            with entry:
                counted = progress if index == 1 else None
                for piece in _sheet_xml(rows, counted):
                    entry.write(piece.encode("utf-8"))


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


def _workbook(names) -> str:
    sheets = "".join(
        f'<sheet name="{name.translate(_ESCAPES)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(names, 1)
    )
    return (
        f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
        f"<sheets>{sheets}</sheets></workbook>"
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
    """One font, the two fills every file has, no borders, the Normal style."""
    return (
        f'{HEAD}<styleSheet xmlns="{MAIN}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
        "</borders>"
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>"
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        "</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )
