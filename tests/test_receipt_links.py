"""The reference is a label to quote; the private receipt link shows the contribution.

And the links a receipt shows once are held server-side, never readable in the cookie;
a form sent again after it was stored (after midnight too) gets its receipt.
"""

import json
import re
import zlib
from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from itsdangerous.encoding import base64_decode
from sqlalchemy import func, select

from consultation import clock
from consultation.extensions import db
from consultation.responses import operations
from consultation.responses.models import Answer, PendingLinks, Response
from consultation.responses.operations import issue_private_links
from consultation.responses.pages import link_urls
from consultation.responses.references import canonical_reference, new_reference
from consultation.responses.tokens import hash_token

from .answers import valid_form_data
from .conftest import form_tokens
from .forms import private_link, shown_form

SLUG = "apply-ai"
NEW_REFERENCE = re.compile(r"[2-9A-HJKMNP-TV-Z]{4}(-[2-9A-HJKMNP-TV-Z]{4}){2}")
OLD_REFERENCE = "ABCD-EFGH-IJKL-MNOP-QRST-UV23"


def send(client, consultation, **overrides):
    """Send a complete contribution: (response, receipt page, receipt link, the form sent)."""
    answers = valid_form_data(consultation.questionnaire, overrides)
    data = {
        **form_tokens(client, SLUG),
        **{k: v for k, v in answers.items() if k[2:] != "position_paper"},
    }
    result = client.post(f"/consultations/{SLUG}/respond", data=data)
    assert result.status_code == 303, result.get_data(as_text=True)[:1000]
    receipt = result.headers["Location"]
    response = db.session.scalars(select(Response).order_by(Response.id.desc())).first()
    return response, client.get(receipt).get_data(as_text=True), receipt, data


def session_contents(client) -> str:
    """The session cookie as anyone holding it reads it: signed, not encrypted."""
    cookie = client.get_cookie("session")
    if cookie is None:
        return ""
    payload = cookie.value.lstrip(".").split(".")[0]
    data = base64_decode(payload)
    if cookie.value.startswith("."):
        data = zlib.decompress(data)
    return json.dumps(json.loads(data))


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_references_are_short_readable_and_typed_back_in_any_form():
    made = {new_reference() for _ in range(2000)}
    assert len(made) == 2000 and all(NEW_REFERENCE.fullmatch(r) for r in made)
    reference = "7KQ2-MZ9D-XH4T"
    for typed in ("7kq2-mz9d-xh4t", " 7KQ2MZ9DXH4T ", "7kq2 mz9d xh4t", "7KQ2–MZ9D–XH4T"):
        assert canonical_reference(typed) == reference
    assert canonical_reference(OLD_REFERENCE.lower().replace("-", "")) == OLD_REFERENCE
    for wrong in ("", "XXXX", "7KQ2-MZ9D-XH4", "0KQ2-MZ9D-XH4T", "7KQ2-MZ9D-XH4TT", "%"):
        assert canonical_reference(wrong) is None  # 0 is not in the alphabet, nor are 13 symbols


def test_the_receipt_is_at_a_private_link_and_shows_the_reference_to_quote(client, consultations):
    response, page, receipt, _ = send(client, consultations[SLUG], q_email="ada@example.org")

    assert NEW_REFERENCE.fullmatch(response.reference)
    assert f'data-reference="{response.reference}"' in page
    token = receipt.removeprefix("/contributions/receipt/")
    assert len(token) == 43 and response.receipt_token_hash == hash_token(token)
    assert all(token not in str(getattr(response, c.key)) for c in Response.__table__.columns)
    assert private_link(page, "receipt") == receipt  # shown whole, to copy or bookmark
    assert "ada@example.org" in page and "Answer to first_name" in page
    assert f'href="{receipt}/copy.pdf"' in page
    copy = client.get(f"{receipt}/copy.pdf")
    assert copy.status_code == 200 and copy.data.startswith(b"%PDF")
    # Another browser with the link sees the answers too (it is the link to keep)...
    other = client.application.test_client()
    elsewhere = other.get(receipt).get_data(as_text=True)
    assert "Answer to first_name" in elsewhere
    assert "edit-url" not in elsewhere  # ...but never the link that changes them
    assert response.edit_token_hash and private_link(page, "edit") not in elsewhere


@pytest.mark.parametrize("lower", [False, True])
def test_an_address_made_of_the_reference_opens_nothing(client, consultations, lower):
    response, _, receipt, _ = send(client, consultations[SLUG], q_email="ada@example.org")
    reference = response.reference.lower() if lower else response.reference

    for url in (f"/contributions/{reference}", f"/contributions/{reference}/copy.pdf"):
        result = client.get(url)
        page = result.get_data(as_text=True)
        assert result.status_code == 404 and result.mimetype == "text/html"
        assert "A reference does not open a contribution" in page
        assert "ada@example.org" not in page and "Answer to first_name" not in page
        unknown = client.get(url.replace(reference, "2222-3333-4444")).get_data(as_text=True)
        assert unknown.replace("2222-3333-4444", reference) == page  # nor says it exists
    assert client.get("/contributions/not-a-reference").status_code == 404
    assert "Page not found" in client.get("/contributions/not-a-reference").get_data(as_text=True)


def test_a_contribution_stored_before_receipt_links_keeps_its_reference_and_its_edit_link(
    client, consultations, frozen_clock
):
    """Older responses have a 120-bit reference that was their receipt's address, and no
    receipt link: the old address explains, the edit link still shows them."""
    consultation = consultations[SLUG]
    response, page, _, _ = send(client, consultation, q_email="ada@example.org")
    edit = private_link(page, "edit")
    response.reference, response.receipt_token_hash = OLD_REFERENCE, None
    db.session.commit()

    old = client.get(f"/contributions/{OLD_REFERENCE}")
    assert old.status_code == 404 and "ada@example.org" not in old.get_data(as_text=True)
    assert "private link to change your contribution" in old.get_data(as_text=True)
    frozen_clock.set(consultation.closes_at)
    locked = client.get(edit).get_data(as_text=True)
    assert "can no longer be changed" in locked and "ada@example.org" in locked
    assert 'data-reference="ABCD-EFGH-IJKL-MNOP-QRST-UV23"' in locked
    assert f'href="{edit}/copy.pdf"' in locked and "receipt-url" not in locked
    assert client.get(f"{edit}/copy.pdf").data.startswith(b"%PDF")


def test_the_private_links_of_a_new_response_come_from_one_operation(app, consultations):
    """What the confirmation e-mail needs: the reference and both links, from one call."""
    consultation = consultations[SLUG]
    values = {"first_name": "Ada", "privacy_consent": True}
    response, created = operations.submit_response(
        consultation, values, submission_token="mail", upload_folder=app.config["UPLOAD_FOLDER"]
    )
    links = issue_private_links(response)
    db.session.commit()

    assert created and links.reference == response.reference
    assert response.receipt_token_hash == hash_token(links.receipt)
    assert response.edit_token_hash == hash_token(links.edit)
    with app.test_request_context(base_url="https://consult.example.eu"):
        urls = link_urls(links)
    assert urls == {
        "receipt": f"https://consult.example.eu/contributions/receipt/{links.receipt}",
        "copy": f"https://consult.example.eu/contributions/receipt/{links.receipt}/copy.pdf",
        "edit": f"https://consult.example.eu/contributions/edit/{links.edit}",
    }


def test_a_taken_reference_is_drawn_again(app, consultations, monkeypatch):
    consultation = consultations[SLUG]
    folder = app.config["UPLOAD_FOLDER"]
    first, _ = operations.submit_response(
        consultation, {}, submission_token="a", upload_folder=folder
    )
    db.session.commit()
    drawn = iter([first.reference, "2345-6789-ABCD"])
    monkeypatch.setattr(operations, "new_reference", lambda: next(drawn))

    second, created = operations.submit_response(
        consultation, {}, submission_token="b", upload_folder=folder
    )
    assert created and second.reference == "2345-6789-ABCD" and count(Response) == 2


def test_the_session_cookie_never_carries_a_private_link(client, consultations, frozen_clock):
    """The cookie is signed, not encrypted: whoever reads it must find no token in it,
    while the receipt shows the links and after; the database row holds none either."""
    response, page, receipt, _ = send(client, consultations[SLUG])
    edit_token = private_link(page, "edit").rsplit("/", 1)[1]
    receipt_token = receipt.rsplit("/", 1)[1]

    during = session_contents(client)
    assert "pending_receipt" in during  # a key naming the row, nothing more
    assert edit_token not in during and receipt_token not in during
    (row,) = db.session.scalars(select(PendingLinks)).all()
    assert edit_token not in json.dumps(row.data) and receipt_token not in json.dumps(row.data)
    assert edit_token in client.get(receipt).get_data(as_text=True)  # a reload still shows it

    frozen_clock.set(clock.now_utc() + timedelta(minutes=10, seconds=1))
    after_page = client.get(receipt).get_data(as_text=True)

    assert edit_token not in after_page and "Answer to first_name" in after_page
    after = session_contents(client)
    assert "pending_receipt" not in after and edit_token not in after
    assert count(PendingLinks) == 0  # gone for good: nothing can unseal it any more


def test_a_new_drafts_link_is_not_in_the_cookie_either(client, consultations, frozen_clock):
    data = {**form_tokens(client, SLUG), "q_first_name": "Ada", "action": "save_draft"}
    saved = client.post(f"/consultations/{SLUG}/respond", data=data)
    assert saved.headers["Location"].endswith("/drafts/saved")
    link = private_link(client.get("/drafts/saved").get_data(as_text=True), "draft")
    token = link.rsplit("/", 1)[1]

    assert token not in session_contents(client) and "pending_draft" in session_contents(client)
    frozen_clock.set(clock.now_utc() + timedelta(minutes=11))
    assert token not in client.get("/drafts/saved").get_data(as_text=True)
    assert "pending_draft" not in session_contents(client) and count(PendingLinks) == 0


@pytest.mark.parametrize("same_browser", [True, False])
def test_the_form_sent_again_after_midnight_shows_the_contribution_was_received(
    client, consultations, frozen_clock, same_browser
):
    """Accepted at 23:59:59 on the closing day, sent again (same submission token) after
    midnight: its receipt, never "Your contribution was not stored"."""
    frozen_clock.set_brussels("2025-06-04T23:59:59")
    response, _, receipt, data = send(client, consultations[SLUG])
    frozen_clock.set_brussels("2025-06-05T00:00:01")
    browser = client if same_browser else client.application.test_client()

    again = browser.post(f"/consultations/{SLUG}/respond", data=data)

    assert count(Response) == 1
    if same_browser:  # this browser holds the links: back to the receipt itself
        assert again.status_code == 303 and again.headers["Location"] == receipt
        page = client.get(receipt).get_data(as_text=True)
        assert "your contribution has been received" in page
        assert "edit-url" not in page  # it can no longer be changed: no link that says so
    else:  # a copy of the form page: said received, but no answers without a private link
        page = again.get_data(as_text=True)
        assert again.status_code == 200 and "Your contribution was already received" in page
        assert "4 June 2025, 23:59 Brussels time" in page
        assert "Answer to first_name" not in page and "edit-url" not in page
    assert f'data-reference="{response.reference}"' in page
    assert "Your contribution was not stored" not in page and "has closed" not in page


def test_a_draft_sent_again_after_midnight_shows_the_contribution_was_received(
    client, consultations, frozen_clock
):
    frozen_clock.set_brussels("2025-06-04T23:50:00")
    questionnaire = consultations[SLUG].questionnaire
    data = {**form_tokens(client, SLUG), **valid_form_data(questionnaire), "action": "save_draft"}
    client.post(f"/consultations/{SLUG}/respond", data=data, content_type="multipart/form-data")
    link = private_link(client.get("/drafts/saved").get_data(as_text=True), "draft")
    form = shown_form(client.get(link).get_data(as_text=True))
    frozen_clock.set_brussels("2025-06-04T23:59:59")
    first = client.post(link, data=form, content_type="multipart/form-data")
    assert first.status_code == 303 and count(Response) == 1
    frozen_clock.set_brussels("2025-06-05T00:00:01")

    again = client.post(link, data=form, content_type="multipart/form-data")
    elsewhere = client.application.test_client().post(link, data=form)

    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    page = elsewhere.get_data(as_text=True)
    assert elsewhere.status_code == 200 and "Your contribution was already received" in page
    assert "Your contribution was not stored" not in page and count(Response) == 1


def test_upgrading_keeps_every_stored_contribution(client, consultations):
    """Revision 0007 adds to ``responses`` in place: on SQLite a copied table would lose
    the answers through their cascades."""
    send(client, consultations[SLUG])
    answers = count(Answer)
    db.session.remove()
    try:
        downgrade(revision="0006")
        assert count(Answer) == answers
    finally:
        upgrade()
    assert count(Answer) == answers and count(Response) == 1


def test_links_whose_time_is_up_are_swept_even_if_never_seen_again(
    client, consultations, frozen_clock
):
    send(client, consultations[SLUG])  # this browser never comes back
    assert count(PendingLinks) == 1
    frozen_clock.set(clock.now_utc() + timedelta(minutes=11))

    send(client.application.test_client(), consultations[SLUG])

    (row,) = db.session.scalars(select(PendingLinks)).all()
    assert row.expires_at == clock.now_utc() + timedelta(minutes=10)  # only the new one


def test_a_link_kept_in_the_cookie_before_this_change_is_dropped(client, consultations):
    """Sessions from before held the edit token itself; the next receipt page drops it."""
    _, _, receipt, _ = send(client, consultations[SLUG])
    with client.session_transaction() as session:
        session["receipt_link"] = {"reference": "X", "token": "an-old-edit-token"}
    assert "an-old-edit-token" in session_contents(client)

    client.get(receipt)

    assert "an-old-edit-token" not in session_contents(client)
    assert "pending_receipt" in session_contents(client)  # the current links stay
