"""Property-based tests: hostile values on every public form give a 4xx or a receipt, never a 500,
and the database holds only valid responses."""

import os
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from consultation.audit.models import AuditRecord
from consultation.consultations.models import QuestionRecord
from consultation.extensions import db
from consultation.questionnaires.forms import field_name
from consultation.questionnaires.options import country_codes
from consultation.responses.models import Answer, Response

from .answers import valid_form_data
from .conftest import form_tokens

SLUGS = ["cloud-ai-development-act", "apply-ai", "data-union-strategy"]
ACCEPTABLE = {303, 400, 403, 413, 422}
HOSTILE_TEXT = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\x1b[31m",
            "<script>alert(1)</script>",
            "=cmd|' /C calc'!A0",
            "' OR 1=1 --",
            "\ud7ff\ue000\U0010ffff",
            "x" * 100_000,
            "1e309",
            "-0",
            "NaN",
            "../../etc/passwd",
            "{{ 7*7 }}",
        ]
    ),
    st.integers().map(str),
    st.floats(allow_nan=True).map(str),
)
SETTINGS = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", 40)),
    derandomize=not os.environ.get("HYPOTHESIS_RANDOM"),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def option_keys(questionnaire):
    keys = set()
    for q in questionnaire:
        keys.update(getattr(q, "option_keys", []) or [])
        keys.update(getattr(q, "scale_keys", []) or [])
    return sorted(keys)


def assert_database_holds_only_valid_responses(consultation):
    questionnaire = consultation.questionnaire
    records = {r.id: r.key for r in db.session.scalars(select(QuestionRecord))}
    for response in db.session.scalars(select(Response)):
        assert response.country in country_codes()
        assert response.respondent_type in questionnaire.questions["respondent_type"].option_keys
        assert response.email and "@" in response.email
    for answer in db.session.scalars(select(Answer)):
        question = questionnaire.questions.get(records[answer.question_id])
        if question is None:  # another consultation's answer
            continue
        if question.kind in ("single_choice", "multiple_choice", "ranking"):
            assert answer.option_key in question.option_keys
        if question.kind == "matrix":
            assert answer.row_key in question.row_keys
            assert answer.option_key in question.scale_keys
        if answer.text_value is not None and question.kind in ("short_text", "long_text"):
            assert len(answer.text_value) <= question.max_length
            assert "\x00" not in answer.text_value


@given(data=st.data())
@SETTINGS
def test_hostile_values_on_the_questionnaires(client, consultations, data):
    slug = data.draw(st.sampled_from(SLUGS))
    consultation = consultations[slug]
    questionnaire = consultation.questionnaire
    names = [field_name(q) for q in questionnaire]
    names += [f"{field_name(q)}-{row}" for q in questionnaire for row in getattr(q, "row_keys", [])]
    names += ["action", "website", "form_served", "submission_token"]
    form = {**form_tokens(client, slug), **valid_form_data(questionnaire)}
    form.pop("q_position_paper")
    mutations = data.draw(
        st.dictionaries(
            st.one_of(st.sampled_from(names), st.text(string.ascii_letters + "_-", max_size=12)),
            st.one_of(
                HOSTILE_TEXT,
                st.just("save_draft"),
                st.sampled_from(option_keys(questionnaire)),
                st.lists(HOSTILE_TEXT, max_size=4),
            ),
            max_size=6,
        )
    )
    form.update(mutations)
    if data.draw(st.booleans()):
        form.pop("csrf_token", None)
    result = client.post(f"/consultations/{slug}/respond", data=form)
    assert result.status_code in ACCEPTABLE, result.status_code
    if result.status_code == 303:
        receipt = client.get(result.headers["Location"])
        assert receipt.status_code == 200
        assert "<script>alert(1)</script>" not in receipt.get_data(as_text=True)
    assert_database_holds_only_valid_responses(consultation)


@given(body=st.binary(max_size=400))
@SETTINGS
def test_raw_bytes_and_invalid_utf8(client, consultations, body):
    for content_type in ("application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        result = client.post(
            "/consultations/apply-ai/respond", data=body, content_type=content_type
        )
        assert result.status_code in ACCEPTABLE
    result = client.post(
        "/consultations/apply-ai/respond",
        data=b"q_first_name=%FF%FE%00&q_email=%C0%AE&csrf_token=%80",
        content_type="application/x-www-form-urlencoded",
    )
    assert result.status_code == 400


@given(email=HOSTILE_TEXT, password=HOSTILE_TEXT, csrf=st.booleans())
@SETTINGS
def test_hostile_sign_in(client, email, password, csrf):
    data = {"email": email, "password": password}
    if csrf:
        page = client.get("/admin/sign-in").get_data(as_text=True)
        data["csrf_token"] = page.split('name="csrf_token" type="hidden" value="')[-1].split('"')[0]
    result = client.post("/admin/sign-in", data=data)
    assert result.status_code in {400, 401, 429}


@given(data=st.dictionaries(st.text(max_size=20), HOSTILE_TEXT, max_size=8))
@SETTINGS
def test_hostile_download_of_typed_answers(client, consultations, data):
    result = client.post("/consultations/apply-ai/my-answers.txt", data=data)
    assert result.status_code in {200, 400}


# -- requests that once gave a 500 (issue 13, item 11) ----------------------------------

BIG = str(2**63)
#: (method, path, extra headers, body, content type): each must give a 400 or a 404.
HOSTILE_REQUESTS = {
    "empty host label": ("GET", "/", {"Host": "a..example"}, None, None),
    "empty host label, admin": ("GET", "/admin/", {"Host": "a..example"}, None, None),
    "empty host label, questionnaire": (
        "GET",
        "/consultations/apply-ai/respond",
        {"Host": ".example"},
        None,
        None,
    ),
    "host label over 63": ("GET", "/", {"Host": "x" * 64 + ".example"}, None, None),
    "host label over 63, unknown page": ("GET", "/nope", {"Host": "x" * 64}, None, None),
    "host label over 63, post": (
        "POST",
        "/consultations/apply-ai/respond",
        {"Host": "x" * 70 + ".example"},
        "q_first_name=Ada",
        "application/x-www-form-urlencoded",
    ),
    "2^63 response id": ("GET", f"/admin/responses/{BIG}", {}, None, None),
    "2^63 response copy": ("GET", f"/admin/responses/{BIG}/copy.pdf", {}, None, None),
    "2^63 upload id": ("GET", f"/admin/uploads/{BIG}", {}, None, None),
    "5000-digit id": ("GET", "/admin/responses/" + "9" * 5000, {}, None, None),
    "2^63 flag": ("POST", f"/admin/responses/{BIG}/flag", {}, None, None),
    "2^63 audit page": ("GET", f"/admin/audit?page={BIG}", {}, None, None),
    "2^63 list page": (
        "GET",
        f"/admin/consultations/apply-ai/responses?page={BIG}",
        {},
        None,
        None,
    ),
    "9999-12-31 until": (
        "GET",
        "/admin/consultations/apply-ai/responses?until=9999-12-31",
        {},
        None,
        None,
    ),
    "0001-01-01 since": (
        "GET",
        "/admin/consultations/apply-ai/responses?since=0001-01-01",
        {},
        None,
        None,
    ),
    "9999-12-31 since": (
        "GET",
        "/admin/consultations/apply-ai/responses?since=9999-12-31",
        {},
        None,
        None,
    ),
    "0001-01-01 until": (
        "GET",
        "/admin/consultations/apply-ai/responses?until=0001-01-01",
        {},
        None,
        None,
    ),
    "CR/LF in the language switch": ("GET", "/language/en?next=/%0D%0Ax", {}, None, None),
    "CR/LF in a list filter": (
        "GET",
        "/admin/consultations/apply-ai/responses?country=%0d%0aX",
        {},
        None,
        None,
    ),
    "NUL in the list search": (
        "GET",
        "/admin/consultations/apply-ai/responses?text=%00",
        {},
        None,
        None,
    ),
    "lone surrogate in JSON": (
        "POST",
        "/consultations/apply-ai/respond",
        {},
        '{"q_first_name":"\\ud800"}',
        "application/json",
    ),
    "JSON list": ("POST", "/consultations/apply-ai/respond", {}, "[1]", "application/json"),
    "JSON string": ("POST", "/consultations/apply-ai/respond", {}, '"x"', "application/json"),
    "JSON objects as values": (
        "POST",
        "/consultations/apply-ai/respond",
        {},
        '{"q_first_name": {"a": 1}, "q_email": 5}',
        "application/json",
    ),
}


@pytest.fixture
def staff_client(app, consultations):
    from .admin_helpers import signed_in_client

    return signed_in_client(app)


@pytest.mark.parametrize("case", HOSTILE_REQUESTS)
def test_hostile_requests_get_a_400_or_404_page(staff_client, case):
    method, path, headers, body, content_type = HOSTILE_REQUESTS[case]
    result = staff_client.open(
        path, method=method, headers=headers, data=body, content_type=content_type
    )
    assert result.status_code in (400, 404), result.status_code
    page = result.get_data(as_text=True)
    assert "Go to the home page" in page or 'class="error-message"' in page, page[:300]
    assert "\r" not in result.headers.get("Location", "")


@pytest.mark.parametrize("closing_date", ["9999-12-31", "0001-01-01"])
def test_extending_to_an_impossible_date_is_refused_in_words(staff_client, closing_date):
    from .admin_helpers import signed_in_csrf

    token = signed_in_csrf(staff_client)
    for confirm in ("", "yes"):
        result = staff_client.post(
            "/admin/consultations/apply-ai/extend",
            data={"csrf_token": token, "closing_date": closing_date, "confirm": confirm},
        )
        # Refused on the consultation's page itself, with the date as typed, in words.
        assert result.status_code == 400
        page = result.get_data(as_text=True)
        assert "Enter a date between 1 January 2000 and 31 December 2099." in page
    db.session.expire_all()
    assert (
        db.session.scalar(select(AuditRecord).where(AuditRecord.action.like("consultation.%")))
        is None
    )


def test_head_on_the_questionnaire_answers_like_get(client, consultations):
    got = client.get("/consultations/apply-ai/respond")
    head = client.head("/consultations/apply-ai/respond")
    assert head.status_code == got.status_code == 200
    assert head.headers["Content-Type"] == got.headers["Content-Type"]
    assert head.get_data() == b""
    for method in ("PUT", "DELETE", "PATCH"):
        assert client.open("/consultations/apply-ai/respond", method=method).status_code == 405


def test_head_on_a_draft_s_delete_page_deletes_nothing(client, consultations):
    from consultation.responses.models import Draft

    from .forms import private_link

    saved = client.post(
        "/consultations/apply-ai/respond",
        data={**form_tokens(client, "apply-ai"), "q_first_name": "Ada", "action": "save_draft"},
    )
    link = private_link(client.get(saved.headers["Location"]).get_data(as_text=True), "draft")
    assert client.head(link + "/delete").status_code == 200
    assert client.head(link).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 1
