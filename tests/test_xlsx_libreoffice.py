"""The XLSX export opens in LibreOffice and holds what the CSV export holds, cell for cell.

The XLSX's header row shows the questions where the CSV has their keys, and its
times are date-times (Brussels time, as the header says) where the CSV writes
them with their offset; everything else is the same text or the same number.
"""

import csv
import io
import shutil
import subprocess
from datetime import datetime

import pytest

from consultation.audit.operations import Actor
from consultation.extensions import db
from consultation.publishing.operations import approve_waiting
from consultation.reports import export, generate

from .reporting import SLUG, submit_known

LIBREOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def same(shown: str, written: str) -> bool:
    """The same cell: the same text, or the same number (a spreadsheet shows 0.0 as 0)."""
    if shown == written:
        return True
    try:
        return float(shown) == float(written)
    except ValueError:
        return False


@pytest.mark.skipif(
    not LIBREOFFICE, reason="LibreOffice is not installed (apt-get install libreoffice-calc-nogui)"
)
@pytest.mark.parametrize("personal", [True, False])
def test_xlsx_opened_by_libreoffice_equals_the_csv(client, consultations, tmp_path, personal):
    consultation = consultations[SLUG]
    submit_known(client, consultation)  # accents, markup, a formula, line breaks
    generate.generate_responses(consultation, 60, seed=9)
    approve_waiting(consultation, Actor("tests"))  # the public variant holds moderated ones
    db.session.commit()
    workbook = tmp_path / "export.xlsx"
    with workbook.open("wb") as out:
        export.write_xlsx(consultation, personal, out)

    # UTF-8 and comma-separated; a LibreOffice profile of its own, for parallel runs.
    converted = subprocess.run(
        [
            LIBREOFFICE,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",
            "--outdir",
            str(tmp_path),
            str(workbook),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert converted.returncode == 0, converted.stderr
    opened = (tmp_path / "export.csv").read_text(encoding="utf-8")
    expected = "".join(export.iter_csv(consultation, personal)).removeprefix("\ufeff")

    rows = list(csv.reader(io.StringIO(opened)))
    wanted = list(csv.reader(io.StringIO(expected)))
    assert len(rows) == len(wanted) == 1 + export.export_count(consultation)
    assert rows[0] == export.layout(consultation, personal).labels
    stamp = wanted[0].index("submitted_at")
    for want in wanted[1:]:
        # As LibreOffice shows the date-time cell: its number format, in Brussels time.
        want[stamp] = datetime.fromisoformat(want[stamp]).strftime("%Y-%m-%d %H:%M:%S")
    for got, want in zip(rows[1:], wanted[1:], strict=True):
        differ = [
            (i, g, w) for i, (g, w) in enumerate(zip(got, want, strict=True)) if not same(g, w)
        ]
        assert not differ, differ
    cells = {cell for row in rows for cell in row}
    assert "Acme Data" in cells
    assert ("Lovelace" in cells) is personal  # a company's contact person: never published
