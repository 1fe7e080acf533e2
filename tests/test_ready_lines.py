"""The ready export lines always equal lines built from the raw answers."""

import csv
import io

from sqlalchemy import func, select, update

from consultation.audit.operations import Actor
from consultation.extensions import db
from consultation.reports import export, generate, ready_lines
from consultation.reports.models import ExportLine
from consultation.responses.moderation import erase_personal_data, flag_response
from consultation.responses.operations import update_response
from consultation.responses.queries import response_values

from .reporting import SLUG, submit_known


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


def test_every_write_keeps_the_ready_lines_equal_to_the_raw_data(client, consultations, app):
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

    # Every response has its lines, for the current layout.
    key = ready_lines.layout_key(consultation)
    total = generate.response_count(consultation)
    assert total == 255
    ready = select(func.count()).select_from(ExportLine).where(ExportLine.layout == key)
    assert db.session.scalar(ready) == total

    assert "Changed my mind" in lines_of(edited).personal
    assert "Bruno" not in lines_of(erased).personal and "bruno@" not in lines_of(erased).personal
    for personal in (True, False):
        text = exported(consultation, personal)
        assert text == from_raw_answers(consultation, personal)
        assert text.count("\r\n") == 1 + export.export_count(consultation, personal)

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
