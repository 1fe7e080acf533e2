"""The small XLSX writer: what spreadsheet programs read back is what was written."""

import io
import math

from openpyxl import load_workbook

from consultation.reports import xlsx


def test_column_letters_go_on_past_z():
    letters = xlsx.column_letters(800)
    assert letters[:3] == ["A", "B", "C"] and letters[25:28] == ["Z", "AA", "AB"]
    assert letters[51:53] == ["AZ", "BA"] and letters[701:703] == ["ZZ", "AAA"]


def test_values_come_back_as_written():
    wide = [f"col{i}" for i in range(130)]  # past the 64 letters made at first
    rows = [
        ["text", "number", "float", "empty", "none", "markup", "control", "long", "infinite"],
        [
            "Zoë & <b>co</b>",
            42,
            0.1,
            "",
            None,
            '=HYPERLINK("x")',
            "a\x00b\x1fc",
            "x" * 40_000,
            math.inf,
        ],
        ["  spaced  ", -7, 1e-300, "line\nbreak", None, "'=1+1", "tab\there", "é" * 3, None],
        wide,
    ]
    seen = []
    buffer = io.BytesIO()
    xlsx.write_workbook(
        buffer, [("Data", iter(rows)), ("Legend", [["a", "b"]])], progress=seen.append
    )
    assert sum(seen) == len(rows) - 1  # rows below the header

    book = load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == ["Data", "Legend"]
    sheet = book["Data"]
    got = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert got[0][:9] == rows[0]
    first = got[1]
    assert first[:3] == ["Zoë & <b>co</b>", 42, 0.1]
    assert first[3] is None and first[4] is None  # empty cells stay empty
    assert first[5] == '=HYPERLINK("x")' and sheet["F2"].data_type == "s"  # text, not a formula
    assert first[6] == "abc"  # characters XML cannot hold are dropped
    assert first[7] == "x" * xlsx.MAX_CELL_CHARS
    assert first[8] == "inf"  # not a number a spreadsheet can hold: kept as text
    assert got[2][:8] == [
        "  spaced  ",
        -7,
        1e-300,
        "line\nbreak",
        None,
        "'=1+1",
        "tab\there",
        "ééé",
    ]
    assert got[3] == wide
    assert [list(r) for r in book["Legend"].iter_rows(values_only=True)] == [["a", "b"]]


def test_a_large_sheet_may_use_the_64_bit_zip_format():
    buffer = io.BytesIO()
    xlsx.write_workbook(buffer, [("Data", [["a"], [1]])], large=True)
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    assert [list(r) for r in book["Data"].iter_rows(values_only=True)] == [["a"], [1]]
