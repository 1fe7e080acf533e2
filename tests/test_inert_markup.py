"""Script and markup typed into every text field stay inert on every page, PDF and export."""

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from consultation.extensions import db
from consultation.responses.models import Response

from .admin_helpers import make_user, sign_in
from .answers import valid_form_data
from .conftest import form_tokens
from .jobs_helpers import prepared
from .reporting import approve, pdf_text

SLUG = "apply-ai"
PAYLOAD = '<script>alert("x")</script><b>bold</b><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil.example","click")'


def submit_hostile_text(client, consultation):
    questionnaire = consultation.questionnaire
    data = {**form_tokens(client, SLUG), **valid_form_data(questionnaire)}
    text_fields = []
    for q in questionnaire:
        if q.kind in ("short_text", "long_text") and not getattr(q, "pattern", None):
            value = PAYLOAD if q.kind == "long_text" else PAYLOAD[: q.max_length]
            data[f"q_{q.key}"] = value
            text_fields.append(q.key)
    data["q_final_comments"] = FORMULA + "\n" + PAYLOAD
    data["q_publication"] = "public"
    result = client.post(f"/consultations/{SLUG}/respond", data=data)
    assert result.status_code == 303, result.get_data(as_text=True)[:1000]
    assert {"first_name", "surname", "organisation_name", "final_comments"} <= set(text_fields)
    return result.headers["Location"]


def assert_inert_html(page):
    assert "<script>alert" not in page
    assert "<b>bold</b>" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(" in page


def test_markup_is_inert_everywhere(app, client, consultations):
    consultation = consultations[SLUG]
    receipt_url = submit_hostile_text(client, consultation)
    assert_inert_html(client.get(receipt_url).get_data(as_text=True))

    make_user("admin@example.org", "admin")
    admin = app.test_client()
    sign_in(admin, "admin@example.org")
    response = db.session.scalars(select(Response)).one()
    approve([response])  # moderated as it stands: the public outputs show it too
    assert_inert_html(admin.get(f"/admin/responses/{response.id}").get_data(as_text=True))
    listing = admin.get(f"/admin/consultations/{SLUG}/responses").get_data(as_text=True)
    assert_inert_html(listing)

    reports = f"/admin/consultations/{SLUG}/reports"
    for pdf in (
        client.get(f"{receipt_url}/copy.pdf").data,
        prepared(app, admin, reports + "/summary").data,
    ):
        assert pdf.startswith(b"%PDF")
        assert b"/JavaScript" not in pdf and b"/JS " not in pdf  # no active content
        assert '<script>alert("x")</script>' in pdf_text(pdf).replace("\n", "")  # shown as text

    exported = prepared(app, admin, reports + "/export", format="csv", variant="personal")
    exported = exported.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert any(PAYLOAD in cell for cell in cells)
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert any(cell.startswith("'" + FORMULA) for cell in cells)

    xlsx = prepared(app, admin, reports + "/export", format="xlsx", variant="personal")
    workbook = load_workbook(io.BytesIO(xlsx.data))
    values = [cell for row in workbook.active.iter_rows(min_row=2) for cell in row]
    for cell in values:
        assert cell.data_type != "f", cell.value  # never a formula
    assert any(PAYLOAD in str(cell.value) for cell in values)
