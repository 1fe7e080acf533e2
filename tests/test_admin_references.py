"""Staff find a response by the reference a person quotes: list, detail page, erasure."""

from sqlalchemy import select

from consultation.audit.models import AuditRecord
from consultation.extensions import db
from consultation.responses.models import Response

from .admin_helpers import signed_in_csrf
from .test_admin import admin_client, analyst_client, submit  # noqa: F401  (fixtures)

SLUG = "apply-ai"


def sent(client, slug=SLUG, **overrides):
    submit(client, slug, **overrides)
    return db.session.scalars(select(Response).order_by(Response.id.desc())).first()


def loose(reference):
    """The reference as people type it back: lower case, no dashes."""
    return reference.lower().replace("-", "")


def test_the_list_shows_references_and_its_search_finds_one_exactly(
    admin_client,  # noqa: F811
    client,
):
    first = sent(client, q_organisation_name="First Org")
    second = sent(client, q_organisation_name="Second Org")
    base = f"/admin/consultations/{SLUG}/responses"

    listing = admin_client.get(base).get_data(as_text=True)
    assert f'data-reference="{first.reference}"' in listing
    assert f'data-reference="{second.reference}"' in listing

    for typed in (first.reference, loose(first.reference), f" {first.reference.lower()} "):
        page = admin_client.get(base, query_string={"text": typed}).get_data(as_text=True)
        assert "1 response found." in page, typed
        assert f'href="/admin/responses/{first.id}"' in page
        assert f'href="/admin/responses/{second.id}"' not in page
    part = admin_client.get(base, query_string={"text": first.reference[:9]})
    assert "0 responses found." in part.get_data(as_text=True)  # a reference, not a part


def test_a_reference_of_another_consultation_is_pointed_to(
    admin_client,  # noqa: F811
    client,
):
    other = sent(client, "data-union-strategy")
    page = admin_client.get(
        f"/admin/consultations/{SLUG}/responses", query_string={"text": loose(other.reference)}
    ).get_data(as_text=True)
    assert "0 responses found." in page
    assert "is that of a response to another consultation" in page
    assert f"/admin/responses/{other.id}" in page


def test_the_detail_page_shows_the_reference_and_the_lookup_opens_it(
    analyst_client,  # noqa: F811
    client,
):
    response = sent(client)
    detail = analyst_client.get(f"/admin/responses/{response.id}").get_data(as_text=True)
    assert f'data-reference="{response.reference}"' in detail

    wrong = analyst_client.get("/admin/responses/lookup", query_string={"reference": "x"})
    assert wrong.status_code == 200
    assert "is not a contribution reference" in wrong.get_data(as_text=True)
    missing = analyst_client.get(
        "/admin/responses/lookup", query_string={"reference": "2222-3333-4444"}
    ).get_data(as_text=True)
    assert "No response has the reference 2222-3333-4444." in missing
    found = analyst_client.get(
        "/admin/responses/lookup", query_string={"reference": loose(response.reference)}
    )
    assert found.status_code == 302
    assert found.headers["Location"] == (
        f"/admin/responses/{response.id}?reference={response.reference}#erase"
    )


def test_the_erasure_form_asks_for_the_requests_reference_and_refuses_another(
    admin_client,  # noqa: F811
    client,
):
    target = sent(client, q_first_name="Wilhelmina")
    bystander = sent(client, q_first_name="Bystander")
    url = f"/admin/responses/{target.id}/erase"
    form = admin_client.get(
        f"/admin/responses/{target.id}", query_string={"reference": target.reference}
    ).get_data(as_text=True)
    assert 'id="erase-reference"' in form and f'value="{target.reference}"' in form

    def erase(reference, confirm=None):
        data = {"csrf_token": signed_in_csrf(admin_client), "reference": reference}
        if confirm:
            data["confirm"] = "yes"
        return admin_client.post(url, data=data)

    missing = erase("")
    asked_for = admin_client.get(missing.headers["Location"]).get_data(as_text=True)
    assert "Type the reference of the contribution the request is about." in asked_for
    other = erase(loose(bystander.reference), confirm=True)  # the reference of someone else
    assert other.headers["Location"] == (
        f"/admin/responses/{bystander.id}?reference={bystander.reference}#erase"
    )
    warned = admin_client.get(other.headers["Location"]).get_data(as_text=True)
    assert f"is that of response {bystander.id}" in warned and "Nothing was erased" in warned
    unknown = erase("2222-3333-4444", confirm=True)
    page = admin_client.get(unknown.headers["Location"]).get_data(as_text=True)
    assert "No response has the reference 2222-3333-4444." in page
    db.session.expire_all()
    assert {r.first_name for r in db.session.scalars(select(Response))} == {
        "Wilhelmina",
        "Bystander",
    }

    asked = erase(loose(target.reference))
    confirmation = asked.get_data(as_text=True)
    assert asked.status_code == 200 and f"(reference {target.reference})" in confirmation
    assert f'name="reference" value="{loose(target.reference)}"' in confirmation
    assert erase(loose(target.reference), confirm=True).status_code == 302

    db.session.expire_all()
    assert db.session.get(Response, target.id).first_name is None
    assert db.session.get(Response, bystander.id).first_name == "Bystander"
    record = db.session.scalars(
        select(AuditRecord).where(AuditRecord.action == "response.erase_personal_data")
    ).one()
    assert record.after["request_reference"] == target.reference
