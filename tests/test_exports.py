"""Spreadsheet exports: column order, content, the public variant, formula safety, XLSX."""

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from consultation.extensions import db
from consultation.reports import export

from .reporting import FORMULA, SCRIPT, SLUG, submit_known


@pytest.fixture
def known(client, consultations):
    consultation = consultations[SLUG]
    return consultation, submit_known(client, consultation)


def read_csv(consultation, personal):
    text = "".join(export.iter_csv(consultation, personal))
    assert text.startswith("\ufeff")  # so spreadsheets read UTF-8 accents correctly
    return list(csv.reader(io.StringIO(text[1:])))


def test_columns_follow_the_questionnaire(known):
    consultation, _ = known
    header = read_csv(consultation, True)[0]
    questionnaire = consultation.questionnaire
    assert header[:6] == [
        "reference",
        "submitted_at",
        "language",
        "respondent_type",
        "respondent_type:other:text",
        "first_name",
    ]
    expected = []
    for q in questionnaire:
        if q.kind in ("multiple_choice", "ranking"):
            expected += [f"{q.key}:{key}" for key in q.option_keys]
        elif q.kind == "matrix":
            expected += [f"{q.key}:{key}" for key in q.row_keys]
        elif q.kind == "country":
            expected += [q.key, f"{q.key}:code"]  # the name, then the ISO code
        else:
            expected.append(q.key)
        if q.other_key:  # what was written for "Other", next to the question's own columns
            expected.append(f"{q.key}:{q.other_key}:text")
    expected.append("questionnaire_version")  # the version each contribution answered, last
    assert header[2:] == expected


def test_personal_export_has_one_row_per_counted_response(known):
    consultation, responses = known
    rows = read_csv(consultation, True)
    header, body = rows[0], rows[1:]
    assert len(body) == 4  # the spam is left out
    first = dict(zip(header, body[0], strict=True))
    assert first["reference"] == responses[0].reference
    assert first["email"] == "ada@example.org"
    assert first["respondent_type"] == "Company or business"
    assert (first["country"], first["country:code"]) == ("Belgium", "BE")
    assert first["submitted_at"] == "2025-05-26T12:00:00+02:00"  # Brussels time, and says so
    assert first["data_ease"] == "Fairly hard"
    questionnaire = consultation.questionnaire
    roles = questionnaire.questions["data_role"].option_keys
    assert [first[f"data_role:{key}"] for key in roles] == ["1", "1"] + ["0"] * (len(roles) - 2)
    agreement = questionnaire.questions["measures_agreement"]
    assert first[f"measures_agreement:{agreement.row_keys[0]}"] == "Strongly agree"
    ranking = questionnaire.questions["goals_ranking"].option_keys
    assert [first[f"goals_ranking:{key}"] for key in ranking] == ["1", "2", "3"]
    assert first["final_comments"] == "Protect our data!"
    assert first["position_paper"] == "position.pdf"
    assert first["access_obstacles:price"] in ("0", "1")  # shown when access is hard
    second = dict(zip(header, body[1], strict=True))
    assert (second["country"], second["country:code"]) == ("France", "FR")
    assert second["organisation_size"] == ""  # a citizen: the question did not apply
    assert second["access_obstacles:price"] in ("0", "1")


def test_public_export_honours_publication_choices(known):
    consultation, responses = known
    rows = read_csv(consultation, False)
    header, body = rows[0], rows[1:]
    text = "\n".join(",".join(row) for row in rows)
    assert "reference" not in header and "email" not in header
    assert "follow_up_email" not in header
    assert "@" not in text
    for response in responses:
        assert response.reference not in text
    by_name = [dict(zip(header, row, strict=True)) for row in body]
    # A company's contact person is not published, even when the company chose "public".
    assert (by_name[0]["first_name"], by_name[0]["surname"]) == ("", "")
    assert by_name[0]["organisation_name"] == "Acme Data"
    assert (by_name[1]["first_name"], by_name[1]["surname"]) == ("", "")  # anonymous citizen
    assert by_name[2]["organisation_name"] == "Open Rights Watch"  # anonymous organisation
    for secret in ("Ada", "Lovelace", "Hortense", "Hiddenname", "Zebulon", "Bruno", "Bauer"):
        assert secret not in text


def test_typed_text_is_inert_in_spreadsheets(known):
    consultation, _ = known
    rows = read_csv(consultation, True)
    second = dict(zip(rows[0], rows[2], strict=True))
    assert second["data_use_case"] == "'" + FORMULA
    assert second["final_comments"].startswith(SCRIPT)
    assert export.safe("+1") == "'+1" and export.safe("-x") == "'-x" and export.safe("@a") == "'@a"
    assert export.safe(-5) == -5 and export.safe("plain") == "plain"


def same(value):
    """A cell as text, with numbers compared as numbers (CSV has 0.0 where XLSX has 0), and a
    date-time as the CSV writes it (the XLSX cell is Brussels time, as its header says)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    try:
        return float(value)
    except ValueError:
        return str(value)


def csv_time_as_brussels_wall_clock(text):
    """2025-05-26T12:00:00+02:00 -> 2025-05-26T12:00:00, the time a spreadsheet cell holds."""
    return datetime.fromisoformat(text).replace(tzinfo=None).isoformat()


@pytest.mark.parametrize("personal", [True, False])
def test_xlsx_has_the_same_rows_as_the_csv(known, personal):
    consultation, _ = known
    buffer = io.BytesIO()
    export.write_xlsx(consultation, personal, buffer)
    workbook = load_workbook(io.BytesIO(buffer.getvalue()), read_only=True)
    sheet = workbook["Responses"]
    csv_rows = read_csv(consultation, personal)
    width = len(csv_rows[0])  # a row read back ends at its last filled cell
    xlsx_rows = [[same(v) for v in row] + [""] * (width - len(row)) for row in sheet.values]
    plan = export.layout(consultation, personal)
    assert xlsx_rows[0] == plan.labels  # people read the questions, not the keys
    stamp = csv_rows[0].index("submitted_at")
    for row in csv_rows[1:]:
        row[stamp] = csv_time_as_brussels_wall_clock(row[stamp])
    assert xlsx_rows[1:] == [[same(v) for v in row] for row in csv_rows[1:]]
    legend = list(workbook["Columns"].values)
    assert legend[0] == ("Column", "Key", "Question", "Meaning")
    assert [row[1] for row in legend[1:]] == csv_rows[0]  # the keys, in the CSV's order
    assert [row[2] for row in legend[1:]] == plan.labels
    assert legend[1][0] == "A" and all(row[3] for row in legend[1:])


def test_erased_personal_data_exports_as_blank(known):
    consultation, responses = known
    first = responses[0]
    first.first_name = first.surname = first.email = None
    db.session.commit()
    rows = read_csv(consultation, True)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["first_name"], row["surname"], row["email"]) == ("", "", "")
    assert export.export_count(consultation) == 4


def test_xlsx_refuses_more_rows_than_a_sheet_holds(known, client, app, tmp_path, monkeypatch):
    """Rather than a file silently cut at the sheet's last row: a clear refusal, and the CSV."""
    from .admin_helpers import make_user, sign_in, signed_in_csrf
    from .jobs_helpers import prepared

    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 3)  # 4 counted responses
    make_user("analyst@example.org", "analyst")
    sign_in(client, "analyst@example.org")
    url = f"/admin/consultations/{SLUG}/reports/export"
    refused = client.post(
        url, data={"csrf_token": signed_in_csrf(client), "format": "xlsx", "variant": "personal"}
    )
    assert refused.status_code == 302 and refused.location.endswith(f"/admin/consultations/{SLUG}")
    page = client.get(refused.location).get_data(as_text=True)
    assert "This export has 4 rows, more than a spreadsheet holds (3)" in page
    assert "Download the CSV file instead" in page
    assert prepared(app, client, url, format="csv", variant="personal").status_code == 200

    target = tmp_path / "out.xlsx"
    result = app.test_cli_runner().invoke(
        args=["reports", "export", SLUG, "--format", "xlsx", "-o", str(target)]
    )
    assert result.exit_code != 0 and "more than a spreadsheet holds" in result.output
    assert not target.exists()

    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 4)  # exactly full: written
    assert prepared(app, client, url, format="xlsx", variant="personal").status_code == 200


def test_download_names_use_brussels_time_like_the_interface(known, client, app):
    from .admin_helpers import make_user, sign_in
    from .jobs_helpers import prepared

    make_user("analyst@example.org", "analyst")
    sign_in(client, "analyst@example.org")
    base = f"/admin/consultations/{SLUG}/reports"
    # The frozen clock says 10:00 UTC on 26 May 2025: 12:00 in Brussels.
    for url, data, name in (
        (f"{base}/export", {"format": "csv", "variant": "personal"}, "personal-20250526-1200.csv"),
        (f"{base}/export", {"format": "xlsx", "variant": "public"}, "public-20250526-1200.xlsx"),
        (f"{base}/summary", {}, "summary-20250526-1200.pdf"),
    ):
        download = prepared(app, client, url, **data)
        assert f"{SLUG}-{name}" in download.headers["Content-Disposition"]
    assert export.file_stamp(datetime(2025, 12, 31, 23, 30, tzinfo=UTC)) == "20260101-0030"
