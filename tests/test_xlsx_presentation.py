"""The XLSX export is a spreadsheet people can use: typed cells, a header they can read."""

import io
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook

from consultation.audit.operations import Actor
from consultation.extensions import db
from consultation.publishing.operations import approve_waiting
from consultation.reports import export, generate

from .reporting import SLUG, submit_known


@pytest.fixture
def workbook(client, consultations):
    consultation = consultations[SLUG]
    submit_known(client, consultation)
    buffer = io.BytesIO()
    export.write_xlsx(consultation, True, buffer)
    return consultation, buffer.getvalue()


def test_cells_are_typed_and_times_are_brussels_date_times(workbook):
    consultation, data = workbook
    sheet = load_workbook(io.BytesIO(data))["Responses"]
    keys = export.layout(consultation, True).headers
    column = {key: index + 1 for index, key in enumerate(keys)}
    received = sheet.cell(2, column["submitted_at"])
    # The frozen clock says 10:00 UTC on 26 May 2025: 12:00 in Brussels (summer time).
    assert received.is_date and received.value == datetime(2025, 5, 26, 12, 0)
    assert received.number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet.cell(1, column["submitted_at"]).value == "Received (Brussels time)"
    first_role = column[
        f"data_role:{consultation.questionnaire.questions['data_role'].option_keys[0]}"
    ]
    assert sheet.cell(2, first_role).value == 1 and sheet.cell(2, first_role).data_type == "n"
    assert sheet.cell(2, column["country"]).value == "Belgium"
    assert sheet.cell(2, column["country:code"]).value == "BE"
    assert sheet.cell(2, column["data_ease"]).value == "Fairly hard"


def test_header_row_is_bold_frozen_and_filtered_with_set_widths(workbook):
    consultation, data = workbook
    book = load_workbook(io.BytesIO(data))
    sheet = book["Responses"]
    labels = export.layout(consultation, True).labels
    assert [cell.value for cell in sheet[1]] == labels
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "B2"  # the header row and the reference stay in view
    last = sheet.cell(1, len(labels)).column_letter
    assert sheet.auto_filter.ref == f"A1:{last}5"  # the header and the four counted rows
    widths = [sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]]
    assert widths[0] == 22 and max(widths) == 50  # the reference; a long text answer
    assert not any(cell.font.b for cell in sheet[2])
    legend = book["Columns"]
    assert legend.freeze_panes == "B2" and legend.auto_filter.ref.startswith("A1:D")
    defined = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml").decode()
    assert "_xlnm._FilterDatabase" in defined and f"'Responses'!$A$1:${last}$5" in defined


def test_large_exports_stream_their_typed_rows(app, consultations):
    """Hundreds of generated responses: every row has a date-time, and the filter covers them."""
    consultation = consultations[SLUG]
    generate.generate_responses(consultation, 300, seed=3)
    approve_waiting(consultation, Actor("tests"))  # the public export holds moderated ones
    db.session.commit()
    buffer = io.BytesIO()
    seen = []
    export.write_xlsx(consultation, False, buffer, progress=seen.append)
    total = export.export_count(consultation, False)
    assert sum(seen) == total > 250
    sheet = load_workbook(io.BytesIO(buffer.getvalue()), read_only=True)["Responses"]
    times = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(times) == total and all(isinstance(value, datetime) for value in times)
