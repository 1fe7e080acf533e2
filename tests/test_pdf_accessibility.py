"""Every PDF is tagged for assistive technology: a structure tree, a title, a language."""

import io

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from .admin_helpers import make_user, sign_in
from .reporting import PEOPLE, SLUG, submit_known, submit_with_link


def structure(reader) -> list:
    """The tags of the structure tree, depth first: (tag, element)."""
    found, stack = [], [reader.trailer["/Root"]["/StructTreeRoot"].get_object()]
    while stack:
        node = stack.pop().get_object()
        if isinstance(node, ArrayObject):
            stack.extend(node)
            continue
        if not isinstance(node, DictionaryObject):
            continue  # a marked-content number: text on a page
        if "/S" in node:
            found.append((node["/S"], node))
        if "/K" in node:
            stack.append(node["/K"])
    return found


def check_accessible(data: bytes, language: str, title: str) -> list:
    """Assert the PDF is tagged, titled and in ``language``; return its structure's tags."""
    reader = PdfReader(io.BytesIO(data))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/Lang"] == language
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert title in reader.metadata.title
    tags = structure(reader)
    names = {tag for tag, _ in tags}
    assert {"/Document", "/H1", "/H2", "/P"} <= names, names
    for tag, element in tags:
        if tag == "/Figure":  # every chart and key has an alternative text
            assert str(element.get("/Alt", "")).strip(), element
    return names


@pytest.mark.parametrize("language", ["en", "fr"])
def test_summary_report_is_a_tagged_pdf_with_title_and_language(
    app, client, consultations, language
):
    from .jobs_helpers import prepared

    consultation = consultations[SLUG]
    submit_known(client, consultation)
    make_user("analyst@example.org", "analyst")
    sign_in(client, "analyst@example.org")
    client.get(f"/language/{language}")
    result = prepared(app, client, f"/admin/consultations/{SLUG}/reports/summary")
    assert result.status_code == 200
    title = consultation.text("title", language)
    names = check_accessible(result.data, language, title)
    assert {"/H3", "/H4", "/Table", "/TH", "/TD", "/Figure"} <= names  # charts are figures


def test_copy_of_a_contribution_is_a_tagged_pdf_with_title_and_language(client, consultations):
    consultation = consultations[SLUG]
    response, receipt = submit_with_link(client, consultation, PEOPLE[0])
    link = f"{receipt}/copy.pdf"
    german = client.get(link, headers={"Accept-Language": "de"})
    check_accessible(german.data, "de", response.reference)
    check_accessible(client.get(link).data, "en", consultation.text("title"))


def test_draft_pdf_is_a_tagged_pdf_with_title_and_language(client, consultations, frozen_clock):
    from .test_drafts import SLUG as DRAFT_SLUG
    from .test_drafts import close, save_new_draft, unfinished

    consultation = consultations[DRAFT_SLUG]
    _, link = save_new_draft(client, unfinished(consultation.questionnaire))
    close(consultation, frozen_clock)
    pdf = client.get(link + "/my-draft.pdf", headers={"Accept-Language": "fr"})
    assert pdf.status_code == 200
    check_accessible(pdf.data, "fr", consultation.text("title", "fr"))
