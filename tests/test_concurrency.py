"""Many respondents at the deadline second: each is stored with a receipt, or refused and not."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import select

from consultation import clock
from consultation.consultations.models import Consultation
from consultation.extensions import db
from consultation.responses.models import Response
from consultation.responses.tokens import hash_token

from .answers import valid_form_data
from .live_server import Browser, live_server

SLUG = "apply-ai"
RESPONDENTS = 24


def test_submissions_racing_the_deadline(app, consultations, frozen_clock):
    questionnaire = consultations[SLUG].questionnaire
    frozen_clock.set_brussels("2025-06-04T23:59:59")
    with live_server(app) as base:
        browsers = [Browser(base) for _ in range(RESPONDENTS)]
        forms = []
        for index, browser in enumerate(browsers):
            data = {**browser.form_tokens(SLUG), **valid_form_data(questionnaire)}
            data.pop("q_position_paper")
            data["q_first_name"] = f"Respondent {index}"
            forms.append(data)

        start = threading.Barrier(RESPONDENTS + 1)

        def send(index):
            start.wait()
            return browsers[index].post(f"/consultations/{SLUG}/respond", forms[index])

        with ThreadPoolExecutor(RESPONDENTS) as pool:
            futures = [pool.submit(send, i) for i in range(RESPONDENTS)]
            start.wait()
            # midnight strikes while the requests are being handled
            frozen_clock.set_brussels("2025-06-05T00:00:00")
            results = [future.result() for future in futures]

    accepted = {}
    for index, (status, url, page) in enumerate(results):
        assert status in (200, 403), (status, page[:300])
        if status == 200:
            assert "/contributions/receipt/" in url
            assert "your contribution has been received" in page
            accepted[forms[index]["submission_token"]] = hash_token(url.rsplit("/", 1)[1])
        else:
            assert "This consultation has closed" in page
    db.session.expire_all()
    stored = {
        r.submission_token: r.receipt_token_hash for r in db.session.scalars(select(Response))
    }
    assert stored == accepted  # every receipt is stored, every refusal is not


def test_many_concurrent_submissions_are_all_stored(app, consultations):
    questionnaire = consultations[SLUG].questionnaire
    with live_server(app) as base:
        browsers = [Browser(base) for _ in range(RESPONDENTS)]
        forms = []
        for browser in browsers:
            data = {**browser.form_tokens(SLUG), **valid_form_data(questionnaire)}
            data.pop("q_position_paper")
            forms.append(data)
        with ThreadPoolExecutor(8) as pool:
            # every form sent twice at once: double clicks under load
            results = list(
                pool.map(
                    lambda i: browsers[i % RESPONDENTS].post(
                        f"/consultations/{SLUG}/respond", forms[i % RESPONDENTS]
                    ),
                    range(2 * RESPONDENTS),
                )
            )
    assert [status for status, _, _ in results] == [200] * (2 * RESPONDENTS), [
        page[page.find("<main") :][:1500] for status, _, page in results if status != 200
    ]
    db.session.expire_all()
    assert len(db.session.scalars(select(Response)).all()) == RESPONDENTS


CLIENTS = 16
FORMS_EACH = 12


def test_no_contribution_is_stored_after_a_manual_close(app, consultations, frozen_clock):
    """Issue 13, item 3: a burst of submissions while ``flask consultations close`` runs.

    Every receipt given is stored, every refusal is not, and nothing stored was received
    at or after the closing instant recorded. On the real clock: the race is about instants.
    """
    clock.freeze(None)
    consultation = consultations[SLUG]
    now = clock.now_utc()
    consultation.opens_at, consultation.closes_at = now - timedelta(days=1), now + timedelta(30)
    db.session.commit()
    questionnaire = consultation.questionnaire
    with live_server(app) as base:
        browsers = [Browser(base) for _ in range(CLIENTS)]
        forms = []
        for index, browser in enumerate(browsers):
            for number in range(FORMS_EACH):
                data = {**browser.form_tokens(SLUG), **valid_form_data(questionnaire)}
                data.pop("q_position_paper")
                data["q_first_name"] = f"Respondent {index}.{number}"
                forms.append((index, data))
        start, closed = threading.Barrier(CLIENTS + 1), threading.Event()

        def send_all(index):
            """Send this client's forms until the close is committed, then one more.

            However slow the machine, the burst spans the close: the last form (its
            tokens taken before the close) is sent after it and must be refused.
            """
            mine = [data for client, data in forms if client == index]
            last = mine.pop()
            sent = []
            start.wait()
            for data in mine:
                if closed.is_set():
                    break
                sent.append(
                    (
                        data["submission_token"],
                        *browsers[index].post(f"/consultations/{SLUG}/respond", data),
                    )
                )
            closed.wait()
            sent.append(
                (
                    last["submission_token"],
                    *browsers[index].post(f"/consultations/{SLUG}/respond", last),
                )
            )
            return sent

        with ThreadPoolExecutor(CLIENTS) as pool:
            futures = [pool.submit(send_all, index) for index in range(CLIENTS)]
            start.wait()
            time.sleep(1.0)  # submissions are flowing
            closing = app.test_cli_runner().invoke(
                args=["consultations", "close", SLUG, "--reason", "race"]
            )
            closed.set()
            results = [result for future in futures for result in future.result()]

    assert closing.exit_code == 0, closing.output
    db.session.expire_all()
    closed_at = db.session.get(Consultation, consultation.id).closed_at
    accepted, refused = {}, set()
    for token, status, url, page in results:
        assert status in (200, 403), (status, page[:300])
        if status == 200:
            accepted[token] = hash_token(url.rsplit("/", 1)[1])  # the receipt link's token
        else:
            assert "This consultation has closed" in page
            refused.add(token)
    stored = {r.submission_token: r for r in db.session.scalars(select(Response))}
    assert accepted and refused, (len(accepted), len(refused))  # the close fell in the burst
    assert {token: r.receipt_token_hash for token, r in stored.items()} == accepted
    late = sorted(
        r.submitted_at - closed_at for r in stored.values() if r.submitted_at >= closed_at
    )
    assert not late, (
        f"{len(late)} of {len(stored)} stored at or after the closing, up to {late[-1]}"
    )
