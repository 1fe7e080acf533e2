"""A bounded fuzz of every public POST endpoint (issue 13, "done means"): hostile forms on
the questionnaire, drafts, their e-mail and deletion, the edit link and the typed-answers
download never give a 500, and never leave a partial contribution behind: a response
without its answers, answers or files without their response, or tallies that are off.

Examples are derandomised, as in ``test_hostile_input.py``; ``HYPOTHESIS_EXAMPLES=500``
runs a larger set, ``HYPOTHESIS_RANDOM=1`` other ones.
"""

import string

from hypothesis import event, given
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from consultation.consultations.models import Consultation
from consultation.extensions import db
from consultation.questionnaires.forms import build_form, field_name, validate_answers
from consultation.reports import tallies
from consultation.responses.models import Answer, Response, Upload
from consultation.responses.queries import response_values

from .answers import valid_form_data
from .conftest import form_tokens
from .forms import private_link
from .test_hostile_input import HOSTILE_TEXT, SETTINGS, option_keys
from .test_mail import smtp_server  # noqa: F401  (a fixture: a real SMTP server)

SLUG = "apply-ai"
#: Every public POST endpoint and the fuzz case that covers it.
FUZZED = {
    "responses.respond": "respond",
    "responses.download_typed": "typed",
    "responses.edit": "edit",
    "drafts.resume": "resume",
    "drafts.delete": "delete",
    "drafts.email": "email",
    "outcomes.unsubscribe": "unsubscribe",
}
#: POST endpoints behind sign-in (or the sign-in itself, fuzzed in ``test_hostile_input.py``).
NOT_PUBLIC = ("admin.", "auth.")


def test_every_public_post_endpoint_is_fuzzed(app):
    posts = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and not rule.endpoint.startswith(NOT_PUBLIC)
    }
    assert posts == set(FUZZED)


def hostile_pairs(data, questionnaire) -> list[tuple[str, str]]:
    """What a hostile client adds to a form: any field, any value, a key sent several times."""
    names = [field_name(q) for q in questionnaire]
    names += [f"{field_name(q)}-{sub}" for q in questionnaire for sub in getattr(q, "row_keys", [])]
    names += ["action", "website", "form_served", "submission_token", "csrf_token", "email"]
    name = st.one_of(st.sampled_from(names), st.text(string.ascii_letters + "_-", max_size=12))
    value = st.one_of(
        HOSTILE_TEXT, st.just("save_draft"), st.sampled_from(option_keys(questionnaire))
    )
    return data.draw(st.lists(st.tuples(name, value), max_size=8))


def new_draft(client) -> str:
    result = client.post(
        f"/consultations/{SLUG}/respond",
        data={**form_tokens(client, SLUG), "q_first_name": "Ada", "action": "save_draft"},
    )
    assert result.status_code == 303
    return private_link(client.get(result.headers["Location"]).get_data(as_text=True), "draft")


def new_contribution(client, questionnaire) -> str:
    form = {**form_tokens(client, SLUG), **valid_form_data(questionnaire)}
    form.pop("q_position_paper")
    result = client.post(f"/consultations/{SLUG}/respond", data=form)
    assert result.status_code == 303
    return private_link(client.get(result.headers["Location"]).get_data(as_text=True), "edit")


def assert_no_partial_contribution(app):
    """Every stored response is whole and valid, and nothing hangs without its response."""
    for table in (Answer, Upload):
        orphans = db.session.scalar(
            select(func.count())
            .select_from(table)
            .outerjoin(Response, Response.id == table.response_id)
            .where(Response.id.is_(None))
        )
        assert orphans == 0, table.__tablename__
    for response in db.session.scalars(select(Response)):
        questionnaire = response.consultation.questionnaire
        with app.test_request_context():
            form = build_form(questionnaire, values=response_values(response), meta={"csrf": False})
            _, errors = validate_answers(form, questionnaire)
        files = {q.key for q in questionnaire if q.kind == "file"}
        assert not set(errors) - files, (response.reference, errors)
    for consultation in db.session.scalars(select(Consultation)):
        assert not tallies.differences(consultation), consultation.slug


@given(data=st.data())
@SETTINGS
def test_hostile_posts_to_public_endpoints(app, client, consultations, smtp_server, data):  # noqa: F811
    questionnaire = consultations[SLUG].questionnaire
    case = data.draw(st.sampled_from(sorted(set(FUZZED.values()))))
    # Now and then a private link that leads nowhere (sampled: hypothesis favours zeros).
    unknown_token = data.draw(st.sampled_from([False, False, False, True]))
    if case == "respond":
        url = f"/consultations/{SLUG}/respond"
        form = {**form_tokens(client, SLUG), **valid_form_data(questionnaire)}
        form.pop("q_position_paper")
    elif case == "typed":
        url, form = f"/consultations/{SLUG}/my-answers.txt", {}
    elif case == "unsubscribe":
        from consultation.outcomes.notices import email_digest, unsubscribe_token

        token = unsubscribe_token(consultations[SLUG].id, email_digest("a@example.org"))
        url = f"/outcomes/unsubscribe/{'x' * len(token) if unknown_token else token}"
        form = {"csrf_token": form_tokens(client, SLUG)["csrf_token"]}
    elif case == "edit":
        url = new_contribution(client, questionnaire)
        form = {"csrf_token": form_tokens(client, SLUG)["csrf_token"]}
        form.update(valid_form_data(questionnaire))
        form.pop("q_position_paper")
    else:
        draft = new_draft(client)
        url = {"resume": draft, "delete": f"{draft}/delete", "email": f"{draft}/email"}[case]
        form = {"csrf_token": form_tokens(client, SLUG)["csrf_token"], "email": "a@example.org"}
        if case == "resume":
            form.update(valid_form_data(questionnaire))
            form.pop("q_position_paper")
    if unknown_token and case in ("edit", "resume", "delete", "email"):
        token = url.split("/")[3 if case == "edit" else 2]
        url = url.replace(token, "x" * len(token))
    pairs = hostile_pairs(data, questionnaire)
    replaced = {key for key, _ in pairs}
    sent = MultiDict(
        [
            (key, item)
            for key, value in form.items()
            if key not in replaced
            for item in (value if isinstance(value, list) else [value])
        ]
    )
    for key, value in pairs:
        sent.add(key, value)

    result = client.post(url, data=sent)
    event(f"{case}: {result.status_code}")  # shown by --hypothesis-show-statistics

    assert result.status_code < 500 or (case == "email" and result.status_code == 503), (
        case,
        result.status_code,
        result.get_data(as_text=True)[:500],
    )
    assert_no_partial_contribution(app)
