"""A respondent's PDFs cannot take the site down (issue 13, item 1): what goes into them is
bounded, they render in a child process within a time limit, a few at a time, the copy of a
contribution is kept until it changes, and downloads are limited per client."""

import re
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from consultation import clock, create_app
from consultation.extensions import db
from consultation.questionnaires.forms import field_name
from consultation.reports import pdf_limits
from consultation.reports.pdf_bounds import (
    ANSWER_CHARS,
    FILE_NAME_CHARS,
    RUN,
    bounded_lines,
    breakable,
    short_file_name,
)
from consultation.reports.pdf_cache import ContributionPdf
from consultation.responses import pdf_downloads
from consultation.responses.drafts import draft_cap
from consultation.responses.models import Draft
from consultation.responses.tokens import hash_token, new_private_token

from .admin_helpers import make_user, sign_in
from .forms import shown_form
from .live_server import Browser, live_server
from .reporting import pdf_text
from .test_admin import confirm
from .test_editing import SLUG, post, send


@pytest.fixture
def app_with(app):
    """Another app on the same database, with some settings changed."""

    def make(**settings):
        class Settings:
            pass

        for key, value in {**app.config, **settings}.items():
            if key.isupper():
                setattr(Settings, key, value)
        made = create_app(Settings)
        made.test_client_class = app.test_client_class
        return made

    return make


def stored_draft(consultation, fields: dict) -> str:
    """A draft as kept in the database (one saved before drafts were capped, say); its token."""
    token = new_private_token()
    now = clock.now_utc()
    db.session.add(
        Draft(
            consultation_id=consultation.id,
            token_hash=hash_token(token),
            data={"fields": {name: [text] for name, text in fields.items()}, "files": {}},
            created_at=now,
            updated_at=now,
        )
    )
    db.session.commit()
    return token


def largest_draft(consultation) -> dict:
    """Every text answer as long as a draft keeps it, without a single space: the worst case."""
    return {
        field_name(q): "x" * draft_cap(q)
        for q in consultation.questionnaire
        if q.kind in ("short_text", "long_text", "email")
    }


def fetch(url, timeout=60) -> tuple[int, bytes]:
    """Status and body of a GET (a PDF is not text)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def rendering_children(app) -> set[str]:
    """Process ids of the living children of the renderer ``app`` uses."""
    server = pdf_limits.renderer_pid(app)
    return {
        pid
        for task in Path(f"/proc/{server}/task").iterdir()
        for pid in (task / "children").read_text().split()
    }


def gone(found, seconds=10.0) -> bool:
    """Whether ``found()`` becomes empty within ``seconds`` (a killed child is reaped by the
    renderer's own loop, a moment after the page answered; longer on a loaded machine)."""
    deadline = time.monotonic() + seconds
    while found():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


# -- (b) bounded -------------------------------------------------------------------------------


def test_an_answer_is_cut_in_the_pdf_only_with_a_note_saying_how_much():
    assert bounded_lines(["short", "lines"]) == ["short", "lines"]
    long = bounded_lines(["a" * (ANSWER_CHARS + 1234)])
    assert long[-1] == "[… 1,234 more characters, see the text file]"
    assert len(long[0].replace("\u200b", "")) == ANSWER_CHARS
    many = bounded_lines(["b"] * 1000)
    assert len(many) == 151 and many[-1] == "[… 1,700 more characters, see the text file]"
    assert breakable("y" * 200).split("\u200b") == ["y" * 80, "y" * 80, "y" * 40]
    assert breakable("two words") == "two words"
    cut = bounded_lines(["word " * 2000])  # cut at a space, not inside a word
    assert cut[0].endswith("word") and cut[1] == "[… 4,001 more characters, see the text file]"
    name = short_file_name("n" * 300 + ".pdf")
    assert len(name) == FILE_NAME_CHARS and name.endswith("n.pdf") and "…" in name


def test_a_draft_of_100000_characters_kept_from_before_renders_bounded_and_quickly(
    client, consultations
):
    consultation = consultations[SLUG]
    typed = ("word " * 8_000 + "x" * 30_000 + "\n" * 5_000 + "end ") * 1
    typed = (typed * 2)[:100_000]
    token = stored_draft(consultation, {"q_first_name": "Ada", "q_final_comments": typed})

    started = time.monotonic()
    result = client.get(f"/drafts/{token}/my-draft.pdf")
    took = time.monotonic() - started

    assert result.status_code == 200, result.get_data(as_text=True)[:500]
    assert took < 10, took  # 100,000 characters held a worker for 30 s, then a 500
    text = pdf_text(result.data)
    assert "Ada" in text
    left_out = re.search(r"\[… ([\d,]+) more characters, see the text file\]", text)
    assert 94_000 <= int(left_out.group(1).replace(",", "")) < 94_000 + RUN  # cut at a space
    full = client.get(f"/drafts/{token}/my-answers.txt").get_data(as_text=True)
    assert typed.strip() in full  # the text file has everything


def test_the_largest_draft_a_person_can_save_renders_in_seconds(client, consultations, capsys):
    consultation = consultations[SLUG]
    token = stored_draft(consultation, largest_draft(consultation))

    started = time.monotonic()
    result = client.get(f"/drafts/{token}/my-draft.pdf")
    took = time.monotonic() - started

    assert result.status_code == 200
    assert took < 8, took  # 2.4 s for 5,000 characters without a space before the bounds
    with capsys.disabled():
        print(f"\nlargest draft PDF: {took:.2f} s, {len(result.data):,} bytes")


# -- (c) time-limited, in a child process, a few at a time ----------------------------------------


def test_a_pdf_over_the_time_limit_is_stopped_and_the_text_file_offered(app_with, consultations):
    slow = app_with(PDF_RENDER_SECONDS=0.001)
    client = slow.test_client()
    consultation = consultations[SLUG]
    token = stored_draft(consultation, {"q_first_name": "Ada", "q_use_cases": "Our view."})

    result = client.get(f"/drafts/{token}/my-draft.pdf")

    assert result.status_code == 503 and int(result.headers["Retry-After"]) > 0
    page = result.get_data(as_text=True)
    assert "Making this PDF took longer than we allow, so we stopped." in page
    assert f'href="/drafts/{token}/my-answers.txt"' in page
    assert f'href="/drafts/{token}/my-draft.pdf"' in page  # try again
    assert gone(lambda: rendering_children(slow))  # the child was killed and reaped
    text = client.get(f"/drafts/{token}/my-answers.txt")
    assert text.status_code == 200 and "Our view." in text.get_data(as_text=True)


def test_a_copy_over_the_time_limit_offers_the_contribution_as_text(app_with, consultations):
    response, receipt, _ = send(app_with().test_client(), consultations[SLUG])
    client = app_with(PDF_RENDER_SECONDS=0.001).test_client()
    link = f"{receipt}/copy.pdf"

    result = client.get(link)

    assert result.status_code == 503
    assert f'href="{link}?format=text"' in result.get_data(as_text=True)
    text = client.get(f"{link}?format=text")
    assert text.status_code == 200 and text.mimetype == "text/plain"
    assert "attachment" in text.headers["Content-Disposition"]
    body = text.get_data(as_text=True)
    assert response.reference in body and "26 May 2025, 12:00 Brussels time" in body
    assert "A considered view on final_comments." in body
    assert db.session.scalar(select(func.count()).select_from(ContributionPdf)) == 0


def test_pdfs_beyond_the_parallel_limit_are_told_to_try_again(app_with, consultations, monkeypatch):
    monkeypatch.setattr(pdf_limits, "SLOT_WAIT_SECONDS", 0)
    one_at_a_time = app_with(PDF_RENDER_PARALLEL=1)
    consultation = consultations[SLUG]
    tokens = [stored_draft(consultation, largest_draft(consultation)) for _ in range(3)]
    with live_server(one_at_a_time) as base:
        start = threading.Barrier(3)

        def download(token):
            start.wait()
            return fetch(f"{base}/drafts/{token}/my-draft.pdf")

        with ThreadPoolExecutor(3) as pool:
            results = list(pool.map(download, tokens))

    statuses = sorted(status for status, _ in results)
    assert statuses[0] == 200 and statuses[-1] == 503, statuses
    busy = [page.decode() for status, page in results if status == 503]
    assert all("Many PDFs are being made at this moment." in page for page in busy)


def test_the_questionnaire_answers_while_pdfs_render(app, consultations):
    """Four heavy PDF downloads at once; a plain GET of the questionnaire still answers."""
    consultation = consultations[SLUG]
    lines = "\n".join(["Forty characters of text on every line."] * 200)
    heavy = {name: lines for name in largest_draft(consultation)}  # the most lines a PDF shows
    heavy["q_final_comments"] = ("word " * 4_000 + "x" * 20_000) * 4  # 160,000 characters
    tokens = [stored_draft(consultation, heavy) for _ in range(4)]
    with live_server(app) as base:
        Browser(base).get(f"/consultations/{SLUG}/respond")  # templates compiled
        start = threading.Barrier(5)

        def download(token):
            start.wait()
            return fetch(f"{base}/drafts/{token}/my-draft.pdf")

        with ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(download, token) for token in tokens]
            start.wait()
            time.sleep(0.5)  # the PDFs are being made
            began = time.monotonic()
            status, _ = fetch(f"{base}/consultations/{SLUG}/respond", timeout=5)
            answered_in = time.monotonic() - began
            rendering = sum(not future.done() for future in futures)
            results = [future.result() for future in futures]

    assert status == 200 and answered_in < 3, answered_in
    assert rendering, "the PDFs were done before the page was asked for: nothing was measured"
    assert {status for status, _ in results} <= {200, 503}


# -- (d) the copy of a contribution is kept until it changes ---------------------------------------


@pytest.fixture
def renders(monkeypatch):
    """How many times the copy of a contribution was rendered."""
    made = []
    render = pdf_downloads.render_contribution

    def counted(response):
        made.append(response.id)
        return render(response)

    monkeypatch.setattr(pdf_downloads, "render_contribution", counted)
    return made


def test_a_copy_is_rendered_once_and_again_after_an_edit(client, consultations, renders):
    response, receipt, edit_link = send(client, consultations[SLUG])
    link = f"{receipt}/copy.pdf"

    first, second = client.get(link), client.get(link)

    assert first.status_code == second.status_code == 200
    assert second.data == first.data and len(renders) == 1
    form = shown_form(client.get(edit_link).get_data(as_text=True))
    form["q_final_comments"] = "Changed my mind entirely."
    assert post(client, edit_link, form).status_code == 303

    third = client.get(link)

    assert len(renders) == 2
    assert "Changed my mind entirely." in pdf_text(third.data)
    assert "Changed my mind entirely." not in pdf_text(first.data)
    client.get(link)
    assert len(renders) == 2


def test_each_language_has_its_own_copy(client, consultations, renders):
    response, receipt, _ = send(client, consultations[SLUG])
    link = f"{receipt}/copy.pdf"
    english = client.get(link)
    french = client.get(link, headers={"Accept-Language": "fr"})

    assert len(renders) == 2 and english.data != french.data
    assert "Copie d" in pdf_text(french.data)


def test_an_erasure_deletes_the_kept_copy_with_the_name_in_it(client, consultations, renders):
    response, receipt, _ = send(client, consultations[SLUG], {"q_first_name": "Wilhelmina"})
    link = f"{receipt}/copy.pdf"
    assert "Wilhelmina" in pdf_text(client.get(link).data)
    assert db.session.scalar(select(func.count()).select_from(ContributionPdf)) == 1
    make_user("admin@example.org", "admin")
    admin = client.application.test_client()
    assert sign_in(admin, "admin@example.org").status_code == 302

    erase = f"/admin/responses/{response.id}/erase"
    assert confirm(admin, erase, reference=response.reference).status_code == 302

    assert db.session.scalar(select(func.count()).select_from(ContributionPdf)) == 0
    assert "Wilhelmina" not in pdf_text(client.get(link).data)
    assert len(renders) == 2


# -- (e) limited per client --------------------------------------------------------------------


def test_pdf_downloads_are_limited_per_client(app_with, consultations):
    limited = app_with(RATELIMIT_ENABLED=True, RATELIMIT_PDF="2 per minute")
    client = limited.test_client()
    response, receipt, _ = send(client, consultations[SLUG])
    token = stored_draft(consultations[SLUG], {"q_first_name": "Ada"})
    copy = f"{receipt}/copy.pdf"
    draft = f"/drafts/{token}/my-draft.pdf"

    assert [client.get(copy).status_code for _ in range(3)] == [200, 200, 429]
    assert [client.get(draft).status_code for _ in range(3)] == [200, 200, 429]
    other = limited.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert other.get(copy).status_code == 200  # another client is not limited
