"""Editing a contribution through its private link: until the deadline, then read only."""

import hashlib
import io
from datetime import timedelta

from sqlalchemy import func, select

from consultation.extensions import db
from consultation.responses.models import Answer, Response, ResponseVersion, Upload
from consultation.responses.queries import response_values

from .answers import PDF, valid_form_data
from .conftest import form_tokens
from .forms import answers_shown, private_link, shown_form
from .test_rate_limits import limited_app  # noqa: F401  (a fixture: the app with limits on)

SLUG = "apply-ai"


def post(client, url, data):
    return client.post(url, data=data, content_type="multipart/form-data")


def send(client, consultation, overrides=None):
    """Send a complete contribution; return the response, its receipt link and its edit link."""
    slug = consultation.slug
    data = {**form_tokens(client, slug), **valid_form_data(consultation.questionnaire, overrides)}
    result = post(client, f"/consultations/{slug}/respond", data)
    assert result.status_code == 303, result.get_data(as_text=True)[:2000]
    receipt = client.get(result.headers["Location"]).get_data(as_text=True)
    response = db.session.scalars(select(Response).order_by(Response.id.desc())).first()
    assert private_link(receipt, "receipt") == result.headers["Location"]
    return response, result.headers["Location"], private_link(receipt, "edit")


def submit(client, consultation, overrides=None):
    """Send a complete contribution; return the response and its edit link."""
    response, _, edit = send(client, consultation, overrides)
    return response, edit


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def option_counts(consultation, key):
    """What a report counts for a question: chosen options, by SQL."""
    record = next(r for r in consultation.questions if r.key == key)
    rows = db.session.execute(
        select(Answer.option_key, func.count())
        .where(Answer.question_id == record.id)
        .group_by(Answer.option_key)
    ).all()
    return dict(rows)


def test_receipt_shows_the_edit_link_once_and_only_its_hash_is_stored(client, consultations):
    response, receipt, link = send(client, consultations[SLUG])

    token = link.rsplit("/", 1)[1]
    assert len(token) >= 43
    assert response.edit_token_hash == hashlib.sha256(token.encode()).hexdigest()
    # A reload or a change of language soon after still shows it, in this browser only...
    assert token in client.get(receipt).get_data(as_text=True)
    other = client.application.test_client()
    assert token not in other.get(receipt).get_data(as_text=True)
    # ...and ten minutes later it is gone for good.
    from consultation import clock

    clock.freeze(clock.now_utc() + timedelta(minutes=11))
    again = client.get(receipt)
    assert again.status_code == 200
    page = again.get_data(as_text=True)
    assert response.reference in page and token not in page and "edit-url" not in page
    assert "Answer to first_name" in page  # the receipt link itself keeps showing the answers


def test_wrong_edit_token_is_404(client, consultations):
    _, link = submit(client, consultations[SLUG])
    wrong = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")

    assert client.get(wrong).status_code == 404
    assert post(client, wrong, {"q_first_name": "Eve"}).status_code == 404


def test_edit_keeps_the_reference_replaces_the_answers_and_keeps_a_version(
    client, consultations, frozen_clock
):
    consultation = consultations[SLUG]
    questionnaire = consultation.questionnaire
    response, link = submit(client, consultation)
    before = response_values(response)
    barriers = questionnaire.questions["barriers"].option_keys
    assert option_counts(consultation, "barriers") == {barriers[0]: 1, barriers[1]: 1}
    rows_before = count(Answer, Answer.response_id == response.id)

    page = client.get(link)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "change your contribution" in html and "Save and continue later" not in html
    shown = answers_shown(html)
    expected = {
        name: value if isinstance(value, list) else [value]
        for name, value in valid_form_data(questionnaire).items()
        if not isinstance(value, tuple) and name[2:].split("-")[0] in before
    }
    assert shown == expected  # the stored contribution (questions that apply), ready to change
    frozen_clock.set(response.submitted_at + timedelta(days=1))
    form = shown_form(html)
    form["q_first_name"] = "Grace"
    form.setlist("q_barriers", [barriers[2]])
    form["q_respondent_type"] = "eu_citizen"  # the organisation questions no longer apply

    result = post(client, link, form)

    assert result.status_code == 303, result.get_data(as_text=True)[:2000]
    assert result.headers["Location"] == f"{link}/saved"  # the edit link's page: same reference
    db.session.expire_all()
    assert count(Response) == 1
    response = db.session.get(Response, response.id)
    after = response_values(response)
    assert after["first_name"] == "Grace" and after["barriers"] == [barriers[2]]
    assert response.organisation_name is None and "organisation_size" not in after
    assert option_counts(consultation, "barriers") == {barriers[2]: 1}  # the latest version only
    assert count(Answer, Answer.response_id == response.id) < rows_before
    version = db.session.scalars(select(ResponseVersion)).one()
    assert (version.response_id, version.version) == (response.id, 1)
    assert version.snapshot["values"] == before
    assert version.created_at == response.submitted_at + timedelta(days=1)
    receipt = client.get(result.headers["Location"]).get_data(as_text=True)
    assert "Your changes are saved" in receipt and "Last changed on" in receipt
    assert "Grace" in receipt and private_link(receipt, "edit") == link

    # A second change keeps the first version and adds the next.
    form["q_first_name"] = "Hedy"
    assert post(client, link, form).status_code == 303
    versions = db.session.scalars(select(ResponseVersion).order_by(ResponseVersion.version)).all()
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].snapshot["values"]["first_name"] == "Grace"


def test_edit_keeps_the_file_unless_it_is_replaced_or_removed(client, consultations):
    consultation = consultations[SLUG]
    response, link = submit(client, consultation)
    first = db.session.scalars(select(Upload)).one().stored_name
    html = client.get(link).get_data(as_text=True)
    assert "Attached: <strong>position.pdf</strong>" in html
    form = shown_form(html)

    kept = post(client, link, form)  # sent again as shown: nothing to store
    assert kept.status_code == 303 and kept.headers["Location"] == f"{link}/saved?unchanged=1"
    db.session.expire_all()
    assert db.session.scalars(select(Upload)).one().stored_name == first
    assert (
        response_values(db.session.get(Response, response.id))["position_paper"] == "position.pdf"
    )

    replaced = {**form, "q_position_paper": (io.BytesIO(PDF), "new.pdf")}
    assert post(client, link, replaced).status_code == 303
    db.session.expire_all()
    assert db.session.scalars(select(Upload)).one().original_name == "new.pdf"

    assert post(client, link, {**form, "q_position_paper-remove": "y"}).status_code == 303
    db.session.expire_all()
    assert count(Upload) == 0
    versions = db.session.scalars(select(ResponseVersion).order_by(ResponseVersion.version)).all()
    assert [v.version for v in versions] == [1, 2]  # the unchanged resend made none
    assert [u["stored_name"] for u in versions[0].snapshot["uploads"]] == [first]
    assert versions[1].snapshot["uploads"][0]["original_name"] == "new.pdf"


def test_an_edit_with_errors_shows_them_and_stores_nothing(client, consultations):
    consultation = consultations[SLUG]
    response, link = submit(client, consultation)
    form = shown_form(client.get(link).get_data(as_text=True))
    form["q_first_name"] = ""
    form["q_staff_using_ai"] = "lots"

    result = post(client, link, form)

    assert result.status_code == 400
    page = result.get_data(as_text=True)
    assert "error-summary" in page and 'value="lots"' in page
    db.session.expire_all()
    assert response_values(db.session.get(Response, response.id))["first_name"] != ""
    assert count(ResponseVersion) == 0


def test_an_edit_needs_a_valid_session(client, consultations):
    response, link = submit(client, consultations[SLUG])
    form = shown_form(client.get(link).get_data(as_text=True))
    form["csrf_token"] = "forged"
    form["q_first_name"] = "Mallory"

    result = post(client, link, form)

    assert result.status_code == 400
    assert "Please send the form again" in result.get_data(as_text=True)
    assert response_values(response)["first_name"] != "Mallory"
    assert count(ResponseVersion) == 0


def test_after_the_deadline_the_edit_link_is_read_only_and_a_forged_post_stores_nothing(
    client, consultations, frozen_clock
):
    consultation = consultations[SLUG]
    response, link = submit(client, consultation)
    form = shown_form(client.get(link).get_data(as_text=True))
    before = response_values(response)
    rows = count(Answer)
    frozen_clock.set(consultation.closes_at)

    page = client.get(link)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "can no longer be changed" in html and response.reference in html
    assert 'method="post"' not in html and 'name="q_first_name"' not in html
    assert "Answer to first_name" in html  # the contribution, read only

    form["q_first_name"] = "Too late"
    forged = post(client, link, form)

    assert forged.status_code == 403
    db.session.expire_all()
    assert response_values(db.session.get(Response, response.id)) == before
    assert count(Answer) == rows and count(ResponseVersion) == 0


def test_an_erased_contribution_cannot_be_edited(client, consultations, frozen_clock):
    response, link = submit(client, consultations[SLUG])
    response.erased_at = response.submitted_at
    db.session.commit()

    assert "can no longer be changed" in client.get(link).get_data(as_text=True)
    form = {"q_first_name": "Back"}
    assert post(client, link, form).status_code == 403
    assert count(ResponseVersion) == 0


def test_sending_the_same_form_twice_gives_no_second_response_nor_link(client, consultations):
    consultation = consultations[SLUG]
    data = {**form_tokens(client, SLUG), **valid_form_data(consultation.questionnaire)}
    first = post(client, f"/consultations/{SLUG}/respond", data)
    client.get(first.headers["Location"])
    response = db.session.scalars(select(Response)).one()
    token_hash = response.edit_token_hash
    data["q_position_paper"] = (io.BytesIO(PDF), "position.pdf")

    second = post(client, f"/consultations/{SLUG}/respond", data)

    assert second.headers["Location"] == first.headers["Location"]
    db.session.expire_all()
    assert count(Response) == 1
    assert db.session.scalars(select(Response)).one().edit_token_hash == token_hash


def test_an_edit_sent_back_unchanged_writes_nothing(client, consultations):
    """60 identical POSTs of the edit form once stored 60 versions: now none, and not a row
    of answers, tallies or export lines is rewritten."""
    from sqlalchemy import event

    response, link = submit(client, consultations[SLUG])
    form = shown_form(client.get(link).get_data(as_text=True))
    answer_ids = set(db.session.scalars(select(Answer.id)))
    writes = []

    def record(conn, cursor, statement, *args):
        if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        results = [post(client, link, form) for _ in range(5)]
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

    assert {r.headers["Location"] for r in results} == {f"{link}/saved?unchanged=1"}
    assert writes == []
    assert count(ResponseVersion) == 0 and set(db.session.scalars(select(Answer.id))) == answer_ids
    page = client.get(f"{link}/saved?unchanged=1").get_data(as_text=True)
    assert "You made no changes, so nothing was saved." in page
    assert "Your changes are saved" not in page and "Last changed on" not in page
    form["q_first_name"] = "Changed"  # one change is a change
    assert post(client, link, form).headers["Location"] == f"{link}/saved"
    assert count(ResponseVersion) == 1


def test_the_edit_link_is_rate_limited_and_the_429_keeps_the_changes(
    limited_app,  # noqa: F811  (the fixture imported above)
    consultations,
):
    client = limited_app.test_client()
    response, link = submit(client, consultations[SLUG])
    form = shown_form(client.get(link).get_data(as_text=True))
    statuses = []
    for number in range(3):
        form["q_first_name"] = f"Attempt {number}"
        statuses.append(post(client, link, form).status_code)

    assert statuses == [303, 303, 429]  # RATELIMIT_SUBMIT is "2 per minute" there
    assert count(ResponseVersion) == 2
    result = post(client, link, form)
    page = result.get_data(as_text=True)
    assert result.status_code == 429 and "Too many requests from your connection" in page
    assert "Attempt 2" in page and "Try sending it again" in page
