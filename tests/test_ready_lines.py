"""The ready export lines always equal lines built from the raw answers.

The workers make them (``ready_lines.fill``); until they have, a response has no line,
and the export builds its row from the answers: exact at every moment.
"""

import csv
import io
import logging

from sqlalchemy import func, select, update

from consultation.audit.operations import Actor
from consultation.extensions import db
from consultation.jobs.nudges import log as nudge_log
from consultation.reports import export, generate, ready_lines
from consultation.reports.models import ExportLine
from consultation.responses.moderation import erase_personal_data, flag_response
from consultation.responses.operations import update_response
from consultation.responses.queries import response_values

from .jobs_helpers import nudging
from .reporting import PEOPLE, SLUG, submit, submit_known


def exported(consultation, personal) -> str:
    return "".join(export.iter_csv(consultation, personal))


def from_raw_answers(consultation, personal) -> str:
    """The export built from answer rows alone, without any ready line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(export.iter_rows(consultation, personal))
    return "\ufeff" + buffer.getvalue()


def lines_of(response) -> ExportLine:
    return db.session.get(ExportLine, response.id)


def assert_exact(consultation) -> None:
    for personal in (True, False):
        text = exported(consultation, personal)
        assert text == from_raw_answers(consultation, personal)
        assert text.count("\r\n") == 1 + export.export_count(consultation, personal)


def ready_count(consultation) -> int:
    key = ready_lines.layout_key(consultation)
    return db.session.scalar(
        select(func.count()).select_from(ExportLine).where(ExportLine.layout == key)
    )


def test_every_write_keeps_the_export_equal_to_the_raw_data(client, consultations, app):
    consultation = consultations[SLUG]
    known = submit_known(client, consultation)  # through the public form
    generate.generate_responses(consultation, 250, seed=11)
    db.session.commit()
    edited, erased, flagged = known[0], known[3], known[1]

    values = response_values(edited)
    values["final_comments"] = "Changed my mind: =SUM(A1)"
    values.pop("position_paper")  # the file is dropped in the new version
    update_response(edited, values, upload_folder=app.config["UPLOAD_FOLDER"])
    erase_personal_data(erased, Actor("tests"))
    flag_response(flagged, "duplicate", Actor("tests"))
    db.session.commit()

    # Before any worker ran: the edited, erased and flagged responses lost their lines (the
    # erased data is nowhere in a line), and the export is exact all the same.
    for response in (edited, erased, flagged):
        assert lines_of(response) is None
    assert_exact(consultation)

    # The workers' run makes every missing line, for the current layout; a second finds none.
    total = generate.response_count(consultation)
    assert total == 255
    assert ready_lines.fill() == 5  # the five sent through the form (generated ones have theirs)
    assert ready_lines.fill() == 0
    assert ready_count(consultation) == total
    assert "Changed my mind" in lines_of(edited).personal
    assert "Bruno" not in lines_of(erased).personal and "bruno@" not in lines_of(erased).personal
    assert_exact(consultation)

    # Built again from nothing, the lines are the same.
    before = {
        line.response_id: (line.personal, line.public)
        for line in db.session.scalars(select(ExportLine))
    }
    db.session.execute(ExportLine.__table__.delete())
    assert ready_lines.refresh_all(consultation) == total
    after = {
        line.response_id: (line.personal, line.public)
        for line in db.session.scalars(select(ExportLine))
    }
    assert after == before


def test_missing_or_outdated_lines_are_built_from_the_answers(client, consultations):
    consultation = consultations[SLUG]
    submit_known(client, consultation)
    generate.generate_responses(consultation, 40, seed=5)
    db.session.commit()
    expected = {personal: from_raw_answers(consultation, personal) for personal in (True, False)}

    # Lines of an earlier layout of the questionnaire are never used...
    db.session.execute(
        update(ExportLine).values(
            layout="an earlier layout", personal="stale\r\n", public="stale\r\n"
        )
    )
    for personal in (True, False):
        assert exported(consultation, personal) == expected[personal]
    # ...nor are lines that are missing altogether.
    ids = db.session.scalars(select(ExportLine.response_id).limit(20)).all()
    db.session.execute(ExportLine.__table__.delete().where(ExportLine.response_id.in_(ids)))
    for personal in (True, False):
        assert exported(consultation, personal) == expected[personal]


def test_an_export_right_after_a_contribution_is_exact_before_any_worker_ran(client, consultations):
    consultation = consultations[SLUG]
    submit_known(client, consultation)
    generate.generate_responses(consultation, 30, seed=3)
    db.session.commit()
    ready_lines.fill()
    assert_exact(consultation)

    response = submit(client, consultation, PEOPLE[1])
    assert lines_of(response) is None  # the request made no line: a worker will
    assert ready_count(consultation) == 35
    assert_exact(consultation)
    assert response.reference in exported(consultation, personal=True)


def test_the_workers_make_the_lines_a_contribution_asks_for(app, client, consultations):
    consultation = consultations[SLUG]
    nudges = ready_lines._nudges
    with nudging(app, nudges) as queue:
        first = submit(client, consultation, PEOPLE[0])
        nudges.thread.join(10)
        assert queue.pending() == 1  # asked once the contribution was committed
        second = submit(client, consultation, PEOPLE[2])
        assert not nudges.thread.is_alive() and queue.pending() == 1  # not again within 60 s
        assert queue.run_pending() == 1  # what a worker does with it
        db.session.expire_all()
        assert lines_of(first) is not None and lines_of(second) is not None
        assert_exact(consultation)

        # What the next request would have asked for, the minutely run makes as well.
        third = submit(client, consultation, PEOPLE[3])
        assert queue.pending() == 0 and lines_of(third) is None
        queue.ready_lines_all.call_local()
        db.session.expire_all()
        assert lines_of(third) is not None
        assert ready_count(consultation) == 3
        assert_exact(consultation)


def test_a_contribution_within_the_interval_is_asked_for_at_its_end(app, client, consultations):
    """The last contributions of a busy spell do not wait for the minutely run."""
    consultation = consultations[SLUG]
    nudges = ready_lines._nudges
    with nudging(app, nudges, seconds=1) as queue:
        submit(client, consultation, PEOPLE[0])
        nudges.thread.join(10)
        assert queue.run_pending() == 1 and nudges.timer is None
        second = submit(client, consultation, PEOPLE[2])  # within the interval: not yet...
        third = submit(client, consultation, PEOPLE[3])
        assert queue.pending() == 0 and nudges.timer is not None  # ...one ask waits
        nudges.timer.join(10)
        nudges.thread.join(10)
        assert queue.pending() == 1 and nudges.timer is None  # asked once, for both
        assert queue.run_pending() == 1
        db.session.expire_all()
        assert lines_of(second) is not None and lines_of(third) is not None
        assert_exact(consultation)


def test_a_contribution_is_stored_when_the_queue_is_down(app, client, consultations, caplog):
    from .test_mail import free_port

    consultation = consultations[SLUG]
    nudges = ready_lines._nudges
    down = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with nudging(app, nudges, REDIS_URL=down):
        with caplog.at_level(logging.WARNING, logger=nudge_log.name):
            response = submit(client, consultation, PEOPLE[0])  # a receipt: 303
            nudges.thread.join(10)
        assert "minutely run makes them" in caplog.text
        assert lines_of(response) is None
        assert_exact(consultation)
