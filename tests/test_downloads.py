"""Every file the site sends is offered under a safe name (RFC 6266), whatever the name holds."""

import pytest
from sqlalchemy import select
from werkzeug.http import parse_options_header

from consultation.downloads import attachment
from consultation.extensions import db
from consultation.responses.models import Response

from .admin_helpers import signed_in_client
from .answers import valid_form_data
from .conftest import form_tokens

HOSTILE_NAMES = [
    'summary-"; filename=evil.exe-x.pdf',
    "line\r\nSet-Cookie: x=1.pdf",
    "evil\u202efdp.exe",
    "../../etc/passwd",
    "C:\\Windows\\win.ini",
    "Стратегия.pdf",
    "Prise de position — Comité.pdf",
    '"',
    "",
    "x" * 400 + ".pdf",
]


def disposition(headers):
    values = headers.getlist("Content-Disposition")
    assert len(values) == 1, values
    value = values[0]
    assert value.isascii() and not any(ch in value for ch in "\r\n\x00")
    kind, params = parse_options_header(value)
    assert kind == "attachment"
    return value, params


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_any_name_gives_one_well_formed_header(name):
    value, params = disposition(_Headers(attachment(name)))
    # exactly the two parameters: an ASCII fallback and the exact name
    assert value.count("filename=") == 1 and value.count("filename*=UTF-8''") == 1
    fallback = value.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback and all(ch.isalnum() or ch in "._()+ -" for ch in fallback)
    shown = params["filename"]
    assert not any(ch in shown for ch in '/\\"<>:|?*\r\n\u202e')
    assert 0 < len(shown) <= 150


def test_the_exact_name_survives_when_it_is_harmless():
    _, params = disposition(_Headers(attachment("Prise de position — Comité.pdf")))
    assert params["filename"] == "Prise de position — Comité.pdf"


class _Headers(dict):
    def getlist(self, key):
        return [self[key]] if key in self else []


@pytest.fixture
def staff(app, consultations):
    return signed_in_client(app)


def test_a_filter_value_cannot_break_a_report_s_file_name(app, staff):
    from .jobs_helpers import prepared

    result = prepared(
        app,
        staff,
        "/admin/consultations/apply-ai/reports/summary",
        respondent_type='"; filename=evil.exe',
    )
    assert result.status_code == 200
    value, params = disposition(result.headers)
    assert 'filename="evil.exe' not in value and "filename=evil.exe" not in value
    # An unknown filter value is not a filter: the report is of everyone, and named so.
    assert params["filename"].startswith("apply-ai-summary-2") and params["filename"].endswith(
        ".pdf"
    )


def test_a_respondent_s_file_name_cannot_break_its_download(staff, client, consultations):
    data = {
        **form_tokens(client, "apply-ai"),
        **valid_form_data(consultations["apply-ai"].questionnaire),
    }
    assert client.post("/consultations/apply-ai/respond", data=data).status_code == 303
    upload = db.session.scalars(select(Response)).one().uploads[0]
    upload.original_name = 'paper"\r\n; filename=evil.exe\u202efdp.pdf'
    db.session.commit()
    result = staff.get(f"/admin/uploads/{upload.id}")
    assert result.status_code == 200
    value, params = disposition(result.headers)
    assert params["filename"] == "paper_ ; filename=evil.exe fdp.pdf"
