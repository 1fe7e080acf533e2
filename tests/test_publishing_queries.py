"""The query layer of publication: what is public, when, and what of it (``publishing.queries``)."""

import io

import pytest
from sqlalchemy import select

from consultation.audit.operations import Actor
from consultation.extensions import db
from consultation.publishing import operations, queries
from consultation.publishing.models import ItemReview
from consultation.responses.models import Answer

from .answers import PDF
from .reporting import SLUG, submit

MODERATOR = Actor("moderator@example.org")
CLOSED = "2025-07-20T12:00:00"


def person(**overrides):
    answers = dict(
        q_respondent_type="eu_citizen",
        q_country="IE",
        q_publication="public",
        q_first_name="Philippa",
        q_surname="Publicworth",
        q_email="philippa@example.org",
        q_final_comments="Open data helps everyone.",
    )
    answers.update(overrides)
    return answers


def final_comment(response):
    question = next(q for q in response.consultation.questions if q.key == "final_comments")
    return db.session.scalar(
        select(Answer).where(Answer.response_id == response.id, Answer.question_id == question.id)
    )


def test_a_contribution_with_free_text_waits_and_nothing_is_public_before_closing(
    client, consultations, frozen_clock
):
    consultation = consultations[SLUG]
    response = submit(client, consultation, person())
    assert response.moderation == "pending"
    assert response.public_id and response.public_id != response.reference
    operations.approve(response, MODERATOR)
    db.session.commit()
    assert response.moderation == "approved"
    assert not queries.is_published(response)  # open: after closing by default
    assert queries.published_contributions(consultation).rows == []
    frozen_clock.set_brussels(CLOSED)
    assert queries.is_published(response)
    page = queries.published_contributions(consultation)
    assert [row.public_id for row in page.rows] == [response.public_id]
    assert page.rows[0].name == "Philippa Publicworth"
    assert page.rows[0].excerpt


def test_when_moderated_publishes_while_open_and_never_never(client, consultations, frozen_clock):
    consultation = consultations[SLUG]
    response = submit(client, consultation, person())
    operations.approve(response, MODERATOR)
    operations.set_publication_mode(consultation, "when_moderated", MODERATOR)
    db.session.commit()
    assert queries.is_published(response)
    operations.set_publication_mode(consultation, "never", MODERATOR)
    frozen_clock.set_brussels(CLOSED)
    assert not queries.is_published(response)
    assert queries.published_contributions(consultation).rows == []
    assert queries.filter_counts(consultation)["total"] == {None: 0}


def test_flagged_erased_withheld_and_unchosen_are_never_published(
    client, consultations, frozen_clock
):
    consultation = consultations[SLUG]
    made = [submit(client, consultation, person(q_final_comments=f"Text {n}")) for n in range(5)]
    for response in made:
        operations.approve(response, MODERATOR)
    made[0].flag = "spam"
    made[1].erased_at = made[1].submitted_at
    operations.reopen(made[2], MODERATOR)
    operations.withhold(made[2], MODERATOR, "offensive")
    made[3].publication = None  # no choice made: never published
    db.session.commit()
    frozen_clock.set_brussels(CLOSED)
    assert [queries.is_published(r) for r in made] == [False, False, False, False, True]
    assert [r.public_id for r in queries.published_contributions(consultation).rows] == [
        made[4].public_id
    ]
    for response in made[:4]:
        assert queries.published_by_public_id(consultation, response.public_id) is None
        assert queries.published_view(response, "en") is None


def test_redactions_are_marked_and_never_searchable(client, consultations, frozen_clock):
    consultation = consultations[SLUG]
    response = submit(
        client, consultation, person(q_final_comments="My neighbour Zorbanella Quint is wrong.")
    )
    answer = final_comment(response)
    with pytest.raises(Exception, match="not in the answer"):
        operations.redact(response, MODERATOR, answer.id, "Nobody", "third_party")
    operations.redact(response, MODERATOR, answer.id, "Zorbanella Quint", "third_party")
    operations.approve(response, MODERATOR)
    db.session.commit()
    frozen_clock.set_brussels(CLOSED)
    view = queries.published_view(response, "en")
    shown = next(a for a in view.answers if a.key == "final_comments")
    assert shown.text == "My neighbour [removed] is wrong."
    assert ("[removed]", "removed") in shown.lines[0]
    assert view.redacted
    assert queries.published_contributions(consultation, search="Zorbanella").rows == []
    assert queries.published_contributions(consultation, search="neighbour").rows
    assert list(queries.published_texts(consultation, "final_comments")) == [
        (response.public_id, "My neighbour [removed] is wrong.")
    ]
    # Undone: the words are public again.
    redaction = response_redactions(response)[0]
    operations.remove_redaction(response, MODERATOR, redaction.id)
    db.session.commit()
    assert queries.published_contributions(consultation, search="Zorbanella").rows


def response_redactions(response):
    from consultation.publishing.models import Redaction

    return list(db.session.scalars(select(Redaction).where(Redaction.response_id == response.id)))


def test_allow_list_names_and_files(client, consultations, frozen_clock):
    consultation = consultations[SLUG]
    anonymous = submit(
        client,
        consultation,
        person(
            q_publication="anonymous",
            q_first_name="Anselm",
            q_surname="Hiddenbury",
            q_position_paper=(io.BytesIO(PDF), "anselm-hiddenbury.pdf"),
        ),
    )
    company = submit(
        client,
        consultation,
        person(
            q_respondent_type="company",
            q_organisation_name="Quillfeather Analytics",
            q_organisation_size="small",
            q_first_name="Cornelius",
            q_surname="Contactperson",
            q_position_paper=(io.BytesIO(PDF), "quillfeather.pdf"),
        ),
    )
    # An anonymous respondent's file is never published: nobody has to review it.
    assert operations.reviewable_parts(anonymous)[1] == []
    assert len(operations.reviewable_parts(company)[1]) == 1
    operations.approve(anonymous, MODERATOR)
    operations.approve(company, MODERATOR)
    db.session.commit()
    frozen_clock.set_brussels(CLOSED)
    first = queries.published_view(anonymous, "fr")
    assert (first.first_name, first.surname, first.organisation_name) == (None, None, None)
    assert first.attachments == []
    second = queries.published_view(company, "en")
    assert second.organisation_name == "Quillfeather Analytics"
    assert second.first_name is None and second.surname is None
    assert [f.name for f in second.attachments] == ["quillfeather.pdf"]
    assert second.register_number == "123456789012-34"
    counts = queries.filter_counts(consultation)
    assert counts["has_attachment"] == {True: 1, False: 1}
    assert counts["respondent_type"] == {"eu_citizen": 1, "company": 1}
    only_files = queries.Filters(has_attachment=True)
    rows = queries.published_contributions(consultation, only_files).rows
    assert [r.public_id for r in rows] == [company.public_id]


def test_keyset_pages_and_a_bad_cursor(client, consultations, frozen_clock):
    consultation = consultations[SLUG]
    operations.set_publication_mode(consultation, "when_moderated", MODERATOR)
    db.session.commit()
    made = []
    for n in range(5):
        frozen_clock.set_brussels(f"2025-06-0{n + 1}T12:00:00")
        made.append(submit(client, consultation, person(q_final_comments=f"Comment {n}")))
        operations.approve(made[-1], MODERATOR)
        db.session.commit()
    seen, cursor = [], None
    while True:
        page = queries.published_contributions(consultation, after=cursor, limit=2)
        seen += [row.public_id for row in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [r.public_id for r in reversed(made)]
    with pytest.raises(queries.InvalidCursor):
        queries.published_contributions(consultation, after="not-a-cursor")


def test_an_edit_sends_the_contribution_back_to_review(app, client, consultations):
    from consultation.responses.operations import update_response
    from consultation.responses.queries import response_attachments, response_values

    consultation = consultations[SLUG]
    response = submit(client, consultation, person())
    operations.approve(response, MODERATOR)
    db.session.commit()
    assert db.session.scalar(select(ItemReview).where(ItemReview.response_id == response.id))
    folder = app.config["UPLOAD_FOLDER"]
    values = {**response_values(response), **response_attachments(response, folder)}
    values["final_comments"] = "Changed my mind."
    assert update_response(response, values, upload_folder=folder)
    db.session.commit()
    assert response.moderation == "pending"


def test_an_edit_keeps_the_decisions_on_the_texts_it_left_as_they_were(app, client, consultations):
    from consultation.publishing.models import Redaction
    from consultation.responses.operations import update_response
    from consultation.responses.queries import response_attachments, response_values

    consultation = consultations[SLUG]
    kept_text = "Our neighbour Jane Doe agrees: share the data."
    response = submit(client, consultation, person(q_final_comments="First thoughts."))
    answers, _files = operations.reviewable_parts(response)
    other = next(a for a in answers if a.question_id != final_comment(response).question_id)
    other.text_value = kept_text
    db.session.flush()
    operations.redact(response, MODERATOR, other.id, "Jane Doe", "third_party")
    operations.approve(response, MODERATOR)
    db.session.commit()
    assert response.moderation == "approved"
    other_question = other.question_id

    def text_review(question_id):
        answer = db.session.scalar(
            select(Answer).where(
                Answer.response_id == response.id, Answer.question_id == question_id
            )
        )
        return db.session.scalar(select(ItemReview).where(ItemReview.answer_id == answer.id))

    decided = text_review(other_question)
    decided_at, decided_by = decided.decided_at, decided.decided_by
    folder = app.config["UPLOAD_FOLDER"]
    values = {**response_values(response), **response_attachments(response, folder)}
    values["final_comments"] = "Second thoughts."
    assert update_response(response, values, upload_folder=folder)
    db.session.commit()
    db.session.expire_all()
    assert response.moderation == "pending"  # the changed text waits
    assert text_review(final_comment(response).question_id) is None
    review = text_review(other_question)  # the unchanged one keeps its decision...
    assert review.state == "approved" and review.decided_by == decided_by
    assert review.decided_at == decided_at
    assert review.public_text == "Our neighbour [removed] agrees: share the data."
    (redaction,) = db.session.scalars(
        select(Redaction).where(Redaction.response_id == response.id)
    ).all()
    assert redaction.removed == "Jane Doe" and redaction.answer_id == review.answer_id

    operations.approve(response, MODERATOR)  # ...so approving the new text is all it takes
    db.session.commit()
    assert response.moderation == "approved"

    # An edit of that text too: its decision and its redaction go.
    values = {**response_values(response), **response_attachments(response, folder)}
    key = next(q.key for q in consultation.questions if q.id == other_question)
    values[key] = "Now I say something else entirely."
    assert update_response(response, values, upload_folder=folder)
    db.session.commit()
    assert text_review(other_question) is None
    assert not db.session.scalars(
        select(Redaction).where(Redaction.response_id == response.id)
    ).all()


def test_campaign_copies_approved_in_one_step(client, consultations):
    consultation = consultations[SLUG]
    text = "Stop the data grab now!"
    copies = [submit(client, consultation, person(q_final_comments=text)) for _ in range(3)]
    other = submit(client, consultation, person(q_final_comments="Something else."))
    answer = final_comment(copies[0])
    count = operations.approve_campaign(
        consultation, MODERATOR, answer.question_id, answer.text_fingerprint
    )
    db.session.commit()
    assert count == 3
    db.session.expire_all()
    # Only final comments are free text in these contributions (the other texts are
    # generated too): the copies wait only for their other texts.
    approved = {final_comment(r).id for r in copies}
    reviews = set(db.session.scalars(select(ItemReview.answer_id)))
    assert approved <= reviews and final_comment(other).id not in reviews


def test_the_date_shown_is_the_brussels_day(client, consultations, frozen_clock):
    from datetime import date

    consultation = consultations[SLUG]
    operations.set_publication_mode(consultation, "when_moderated", MODERATOR)
    db.session.commit()
    frozen_clock.set_brussels("2025-06-02T00:30:00")  # still 1 June in UTC
    response = submit(client, consultation, person())
    operations.approve(response, MODERATOR)
    db.session.commit()
    row = queries.published_contributions(consultation).rows[0]
    assert row.submitted_on == date(2025, 6, 2)
    assert queries.published_view(response, "en").submitted_on == date(2025, 6, 2)
    page = client.get(f"/consultations/{SLUG}/contributions").get_data(as_text=True)
    assert "Sent on 2 June 2025" in page


def _counted_one_by_one(consultation, filters):
    """Each filter's counts as one GROUP BY per filter would count them (the reference)."""
    from sqlalchemy import func

    found = {}
    for name, column in queries.FILTER_COLUMNS.items():
        query = (
            queries.published_select(consultation, filters.without(name))
            .with_only_columns(column, func.count())
            .group_by(column)
        )
        values = {}
        for value, count in db.session.execute(query):
            key = bool(value) if name == "has_attachment" else value
            values[key] = values.get(key, 0) + count
        found[name] = values
    total = queries.published_select(consultation, filters).with_only_columns(func.count())
    found["total"] = {None: db.session.scalar(total)}
    return found


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"respondent_type": "company"},
        {"country": "DE", "respondent_type": "company"},
        {"language": "fr", "has_attachment": False},
        {"organisation_size": "small", "country": "FR", "language": "en"},
        {"country": "ZZ"},  # nothing: every count is zero
    ],
)
def test_the_counts_beside_the_filters_are_those_of_each_filter_counted_alone(
    consultations, frozen_clock, filters
):
    from consultation.publishing.operations import approve_waiting
    from consultation.reports import generate

    consultation = consultations[SLUG]
    generate.generate_responses(consultation, 120, seed=11)
    approve_waiting(consultation, MODERATOR)
    db.session.commit()
    frozen_clock.set_brussels(CLOSED)
    chosen = queries.Filters(**filters)
    assert queries.filter_counts(consultation, chosen) == _counted_one_by_one(consultation, chosen)


def test_counts_are_kept_a_minute_and_the_list_stays_live(app, client, consultations, frozen_clock):
    from consultation.publishing import facets

    consultation = consultations[SLUG]
    operations.set_publication_mode(consultation, "when_moderated", MODERATOR)
    db.session.commit()
    first = submit(client, consultation, person())
    operations.approve(first, MODERATOR)
    db.session.commit()
    app.config["FACET_CACHE_SECONDS"] = 60
    try:
        assert queries.filter_counts(consultation)["total"] == {None: 1}
        second = submit(client, consultation, person(q_country="FR"))
        operations.approve(second, MODERATOR)
        db.session.commit()
        assert len(queries.published_contributions(consultation).rows) == 2  # live
        assert queries.filter_counts(consultation)["total"] == {None: 1}  # counted a moment ago
        facets.forget()
        counts = queries.filter_counts(consultation)
        assert counts["total"] == {None: 2} and counts["country"] == {"IE": 1, "FR": 1}
        operations.set_publication_mode(consultation, "never", MODERATOR)  # a new setting
        db.session.commit()
        assert queries.filter_counts(consultation)["total"] == {None: 0}
    finally:
        app.config["FACET_CACHE_SECONDS"] = 0
        facets.forget()


def test_the_workers_count_the_filters_each_minute_and_requests_read_their_count(
    app, client, consultations, frozen_clock
):
    from datetime import timedelta

    from consultation import clock
    from consultation.jobs.queue import queue_of
    from consultation.publishing import facets
    from consultation.publishing.models import FacetCube

    periodic = {task.name for task in queue_of(app).huey._registry.periodic_tasks}
    assert "facet_counts" in periodic
    consultation = consultations[SLUG]
    operations.set_publication_mode(consultation, "when_moderated", MODERATOR)
    db.session.commit()
    operations.approve(submit(client, consultation, person()), MODERATOR)
    db.session.commit()
    assert queries.refresh_filter_counts() == 1  # only the consultation whose list is public
    db.session.commit()
    operations.approve(submit(client, consultation, person(q_country="FR")), MODERATOR)
    db.session.commit()
    app.config["FACET_CACHE_SECONDS"] = 60
    try:
        facets.forget()
        assert queries.filter_counts(consultation)["total"] == {None: 1}  # the worker's count
        assert len(queries.published_contributions(consultation).rows) == 2  # the list: live
        queries.refresh_filter_counts()
        db.session.commit()
        facets.forget()
        counts = queries.filter_counts(consultation)
        assert counts["total"] == {None: 2} and counts["country"] == {"IE": 1, "FR": 1}

        # No worker for longer than FACET_STORED_SECONDS: the request counts for itself.
        operations.approve(submit(client, consultation, person(q_country="DE")), MODERATOR)
        db.session.commit()
        facets.forget()
        assert queries.filter_counts(consultation)["total"] == {None: 2}
        frozen_clock.set(
            clock.now_utc() + timedelta(seconds=app.config["FACET_STORED_SECONDS"] + 1)
        )
        facets.forget()
        assert queries.filter_counts(consultation)["total"] == {None: 3}

        # A count made under another setting is never read under the new one.
        queries.refresh_filter_counts()
        db.session.commit()
        operations.set_publication_mode(consultation, "after_closing", MODERATOR)
        db.session.commit()
        stored = db.session.get(FacetCube, consultation.id)
        assert stored.key != facets.stored_key(consultation)
        assert facets.stored_cube(consultation) is None
    finally:
        app.config["FACET_CACHE_SECONDS"] = 0
        facets.forget()
