"""The moderation queue in the admin area: who may moderate, each decision, its audit and undo."""

import re

import pytest
from sqlalchemy import select

from consultation.audit.models import AuditRecord
from consultation.audit.sentences import sentences
from consultation.extensions import db
from consultation.publishing.models import ItemReview, Redaction
from consultation.responses.models import Answer, Response

from .admin_helpers import make_user, sign_in, signed_in_csrf
from .reporting import SLUG, submit

TEXT = "My neighbour Zorbanella Quint says data is gold. Zorbanella Quint agrees."


@pytest.fixture
def moderator_client(app, consultations):
    make_user("moderator@example.org", "moderator")
    client = app.test_client()
    assert sign_in(client, "moderator@example.org").status_code == 302
    return client


def contribution(client, consultations, **overrides):
    answers = dict(
        q_respondent_type="eu_citizen",
        q_publication="public",
        q_first_name="Philippa",
        q_surname="Publicworth",
        q_final_comments=TEXT,
    )
    return submit(client, consultations[SLUG], {**answers, **overrides})


def final_answer(response):
    question = next(q for q in response.consultation.questions if q.key == "final_comments")
    return db.session.scalar(
        select(Answer).where(Answer.response_id == response.id, Answer.question_id == question.id)
    )


def post(client, url, **data):
    return client.post(url, data={"csrf_token": signed_in_csrf(client), **data})


def fresh(response):
    db.session.expire_all()
    return db.session.get(Response, response.id)


def audit():
    db.session.expire_all()
    return list(db.session.scalars(select(AuditRecord).order_by(AuditRecord.id)))


def test_queue_lists_waiting_contributions_and_the_page_shows_their_texts(
    client, moderator_client, consultations
):
    response = contribution(client, consultations)
    page = moderator_client.get(f"/admin/consultations/{SLUG}/moderation")
    assert page.status_code == 200
    assert f"/admin/responses/{response.id}/moderation" in page.get_data(as_text=True)
    one = moderator_client.get(f"/admin/responses/{response.id}/moderation").get_data(as_text=True)
    assert "Zorbanella Quint says data is gold" in one
    assert 'class="redact-form"' in one


def test_redact_without_javascript_picks_an_occurrence_then_approves(
    client, moderator_client, consultations
):
    response = contribution(client, consultations)
    answer = final_answer(response)
    url = f"/admin/responses/{response.id}/moderation"
    # The words stand twice: the page comes back with both, to pick one.
    result = post(
        moderator_client,
        url + "/redact",
        answer_id=answer.id,
        words="Zorbanella Quint",
        reason="third_party",
    )
    assert result.status_code == 302
    back = moderator_client.get(result.headers["Location"]).get_data(as_text=True)
    assert "stand 2 times" in back
    assert back.count(f'id="occurrence-{answer.id}-') == 3  # the first, the second, every one
    result = post(
        moderator_client,
        url + "/redact",
        answer_id=answer.id,
        words="Zorbanella Quint",
        reason="third_party",
        occurrence="all",
    )
    assert result.status_code == 302
    assert len(db.session.scalars(select(Redaction)).all()) == 2
    result = post(moderator_client, url + "/approve")
    assert result.status_code == 302
    assert fresh(response).moderation == "approved"
    actions = [r.action for r in audit()]
    assert actions[-2:] == ["moderation.redact", "moderation.approve"]
    words = [text for _r, text in sentences(audit())]
    assert any("Removed words from an answer of response" in w for w in words)
    # Undo: back to the queue, and the words restored.
    assert post(moderator_client, url + "/reopen").status_code == 302
    assert fresh(response).moderation == "pending"
    first = db.session.scalars(select(Redaction)).first()
    assert post(moderator_client, url + f"/redactions/{first.id}/remove").status_code == 302
    assert len(db.session.scalars(select(Redaction)).all()) == 1
    record = audit()[-1]
    assert record.action == "moderation.unredact" and record.before["reason"] == "third_party"


def test_withhold_with_a_reason_and_undo(client, moderator_client, consultations):
    response = contribution(client, consultations)
    url = f"/admin/responses/{response.id}/moderation"
    assert post(moderator_client, url + "/withhold", reason="nonsense").status_code == 302
    assert fresh(response).moderation == "pending"  # refused: not a reason of the list
    post(moderator_client, url + "/withhold", reason="defamatory", note="Names a company")
    item = fresh(response)
    assert (item.moderation, item.withheld_reason) == ("withheld", "defamatory")
    record = audit()[-1]
    assert (record.before, record.after["moderation"]) == ({"moderation": "pending"}, "withheld")
    assert "defamatory" in sentences([record])[0][1]
    post(moderator_client, url + "/reopen")
    assert fresh(response).moderation == "pending"


def test_one_answer_withheld_the_rest_published(client, moderator_client, consultations):
    response = contribution(client, consultations)
    answer = final_answer(response)
    url = f"/admin/responses/{response.id}/moderation"
    post(
        moderator_client, url + "/part", answer_id=answer.id, action="withhold", reason="offensive"
    )
    post(moderator_client, url + "/approve")
    assert fresh(response).moderation == "approved"
    post(moderator_client, url + "/part", answer_id=answer.id, action="undo")
    assert fresh(response).moderation == "pending"  # the answer waits again


def test_campaign_copies_in_one_step(client, moderator_client, consultations):
    copies = [
        contribution(client, consultations, q_final_comments="Stop it now!") for _ in range(3)
    ]
    page = moderator_client.get(f"/admin/consultations/{SLUG}/moderation").get_data(as_text=True)
    assert "Approve all 3 copies" in page
    answer = final_answer(copies[0])
    result = post(
        moderator_client,
        f"/admin/consultations/{SLUG}/moderation/campaign",
        question_id=answer.question_id,
        fingerprint=answer.text_fingerprint,
    )
    assert result.status_code == 302
    assert audit()[-1].action == "moderation.approve_campaign"
    assert audit()[-1].after["responses"] == 3
    approval = audit()[-1]

    def decided():
        db.session.expire_all()
        return [
            db.session.scalar(
                select(ItemReview.state).where(ItemReview.answer_id == final_answer(copy).id)
            )
            for copy in copies
        ]

    assert decided() == ["approved"] * 3

    # One copy decided on again since (taken back, approved again): the undo leaves it.
    url = f"/admin/responses/{copies[0].id}/moderation/part"
    post(moderator_client, url, answer_id=answer.id, action="undo")
    post(moderator_client, url, answer_id=answer.id, action="approve")
    page = moderator_client.get(f"/admin/consultations/{SLUG}/moderation").get_data(as_text=True)
    assert "Approved in one step" in page
    undo = f"/admin/consultations/{SLUG}/moderation/campaign/{approval.id}/undo"
    assert f'action="{undo}"' in page
    result = post(moderator_client, undo)
    assert result.status_code == 302
    page = moderator_client.get(result.headers["Location"]).get_data(as_text=True)
    assert "2 answers wait for review again." in page
    assert f'action="{undo}"' not in page and "Undone" in page
    assert decided() == ["approved", None, None]  # None: waiting for review
    record = audit()[-1]
    assert record.action == "moderation.approve_campaign_undo"
    assert record.before["record"] == approval.id and len(record.after["answers"]) == 2
    again = post(moderator_client, undo)
    page = moderator_client.get(again.headers["Location"]).get_data(as_text=True)
    assert "This approval was undone already." in page
    assert decided() == ["approved", None, None]


def test_only_admins_change_the_publication_setting(app, client, moderator_client, consultations):
    url = f"/admin/consultations/{SLUG}/publication"
    assert post(moderator_client, url, mode="never").status_code == 403
    admin = app.test_client()
    make_user("admin@example.org", "admin")
    sign_in(admin, "admin@example.org")
    assert post(admin, url, mode="when_moderated").status_code == 302
    record = audit()[-1]
    assert (record.action, record.before, record.after) == (
        "publishing.mode",
        {"mode": "after_closing"},
        {"mode": "when_moderated"},
    )
    assert re.search("published", sentences([record])[0][1])
