"""Deadlines hold to the second, in Brussels time, in summer and in winter."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from consultation import clock
from consultation.consultations.models import Consultation, State
from consultation.consultations.operations import load_definition
from consultation.extensions import db
from consultation.questionnaires.loader import definition_files, parse_file
from consultation.responses.models import Response

from .answers import valid_form_data
from .conftest import form_tokens
from .forms import shown_form

SLUG = "apply-ai"


def brussels(text):
    return datetime.fromisoformat(text).replace(tzinfo=clock.BRUSSELS)


def load_with_window(opens, closes):
    path = next(p for p in definition_files() if p.stem == SLUG)
    load_definition(parse_file(path), window=(opens, closes))
    db.session.commit()
    return db.session.scalar(select(Consultation).where(Consultation.slug == SLUG))


def sql_state(consultation, moment):
    return db.session.scalar(
        select(Consultation.state_expression(moment)).where(Consultation.id == consultation.id)
    )


def stored():
    return db.session.scalar(select(func.count()).select_from(Response))


# (closing date, last open second, first closed second, UTC offset of that evening)
BOUNDARIES = [
    (date(2025, 6, 4), "2025-06-04T23:59:59", "2025-06-05T00:00:00", 2),  # CEST
    (date(2025, 12, 15), "2025-12-15T23:59:59", "2025-12-16T00:00:00", 1),  # CET
    (date(2025, 10, 26), "2025-10-26T23:59:59", "2025-10-27T00:00:00", 1),  # 25-hour day
    (date(2025, 3, 30), "2025-03-30T23:59:59", "2025-03-31T00:00:00", 2),  # 23-hour day
]


@pytest.mark.parametrize("closing, last_open, first_closed, offset", BOUNDARIES)
def test_state_changes_at_midnight_brussels(closing, last_open, first_closed, offset):
    consultation = load_with_window(closing - timedelta(days=60), closing)
    assert consultation.closes_at == brussels(first_closed).astimezone(UTC)
    assert consultation.closes_at.hour == 24 - offset
    for moment, expected in ((last_open, State.OPEN), (first_closed, State.CLOSED)):
        instant = brussels(moment)
        assert consultation.state_at(instant) is expected
        assert sql_state(consultation, instant) == expected.value


def test_opening_is_the_start_of_the_opening_day(consultations):
    consultation = consultations[SLUG]
    assert consultation.state_at(brussels("2025-04-08T23:59:59")) is State.UPCOMING
    assert consultation.state_at(brussels("2025-04-09T00:00:00")) is State.OPEN
    assert sql_state(consultation, brussels("2025-04-08T23:59:59")) == "upcoming"


def test_manual_closure_wins_and_is_used_by_sql(consultations):
    consultation = consultations[SLUG]
    consultation.closed_at = brussels("2025-05-20T12:00:00")
    db.session.commit()
    assert consultation.state_at(brussels("2025-05-20T11:59:59")) is State.OPEN
    assert consultation.state_at(brussels("2025-05-20T12:00:00")) is State.CLOSED
    assert sql_state(consultation, brussels("2025-05-20T12:00:00")) == "closed"


@pytest.mark.parametrize("closing", [date(2025, 6, 4), date(2025, 12, 15)])
def test_submission_at_the_last_second_is_accepted(client, frozen_clock, closing):
    consultation = load_with_window(closing - timedelta(days=30), closing)
    frozen_clock.set_brussels(f"{closing.isoformat()}T23:50:00")
    data = {**form_tokens(client, SLUG), **valid_form_data(consultation.questionnaire)}
    frozen_clock.set_brussels(f"{closing.isoformat()}T23:59:59")
    result = client.post(f"/consultations/{SLUG}/respond", data=data)
    assert result.status_code == 303
    assert stored() == 1


@pytest.mark.parametrize("closing", [date(2025, 6, 4), date(2025, 12, 15)])
def test_form_opened_before_and_sent_after_the_deadline_stores_nothing(
    client, frozen_clock, closing
):
    consultation = load_with_window(closing - timedelta(days=30), closing)
    frozen_clock.set_brussels(f"{closing.isoformat()}T23:00:00")
    data = {**form_tokens(client, SLUG), **valid_form_data(consultation.questionnaire)}
    data["q_final_comments"] = "My carefully written comment"
    frozen_clock.set_brussels(f"{(closing + timedelta(days=1)).isoformat()}T00:00:00")

    result = client.post(f"/consultations/{SLUG}/respond", data=data)

    page = result.get_data(as_text=True)
    assert result.status_code == 403
    assert "This consultation has closed" in page
    assert "midnight at the end of" in page
    assert "Your contribution was not stored" in page
    assert "My carefully written comment" in page
    assert stored() == 0

    # and the person can take what they wrote away with them
    form = page.split(f'action="/consultations/{SLUG}/my-answers.txt"')[1].split("</form>")[0]
    download = client.post(f"/consultations/{SLUG}/my-answers.txt", data=shown_form(form))
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "My carefully written comment" in download.get_data(as_text=True)
    assert stored() == 0


def test_closed_consultation_does_not_serve_the_form(client, consultations, frozen_clock):
    frozen_clock.set_brussels("2025-06-05T00:00:00")
    page = client.get(f"/consultations/{SLUG}/respond")
    assert page.status_code == 403
    assert "This consultation has closed" in page.get_data(as_text=True)


def test_upcoming_consultation_says_when_it_opens(client, consultations, frozen_clock):
    frozen_clock.set_brussels("2025-04-01T09:00:00")
    page = client.get(f"/consultations/{SLUG}/respond")
    assert page.status_code == 403
    assert "9 April 2025, 00:00" in page.get_data(as_text=True)


def test_post_to_a_manually_closed_consultation_stores_nothing(client, consultations):
    consultation = consultations[SLUG]
    data = {**form_tokens(client, SLUG), **valid_form_data(consultation.questionnaire)}
    consultation.closed_at = clock.now_utc()
    db.session.commit()
    result = client.post(f"/consultations/{SLUG}/respond", data=data)
    assert result.status_code == 403
    assert stored() == 0


def test_times_are_stored_as_aware_utc(consultations):
    consultation = consultations[SLUG]
    db.session.expire_all()
    for value in (consultation.opens_at, consultation.closes_at, consultation.created_at):
        assert value.tzinfo is not None and value.utcoffset() == timedelta(0)
    assert consultation.closes_at == datetime(2025, 6, 4, 22, 0, tzinfo=UTC)
