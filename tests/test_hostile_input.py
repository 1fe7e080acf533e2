"""Property-based tests: hostile values on every public form give a 4xx or a receipt, never a 500,
and the database holds only valid responses."""

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from consultation.consultations.models import QuestionRecord
from consultation.extensions import db
from consultation.questionnaires.forms import field_name
from consultation.questionnaires.options import country_codes
from consultation.responses.models import Answer, Response

from .answers import valid_form_data
from .conftest import form_tokens

SLUGS = ["cloud-ai-development-act", "apply-ai", "data-union-strategy"]
ACCEPTABLE = {303, 400, 403, 413}
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
    max_examples=40,
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
    form = {**form_tokens(client, slug), **valid_form_data(questionnaire)}
    form.pop("q_position_paper")
    mutations = data.draw(
        st.dictionaries(
            st.one_of(st.sampled_from(names), st.text(string.ascii_letters + "_-", max_size=12)),
            st.one_of(
                HOSTILE_TEXT,
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
