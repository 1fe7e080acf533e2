"""The answer tallies the summary reads equal a count of the answers, after every kind of write.

(Every test is also checked at teardown by ``conftest._check_tallies``; these
tests say what the counts are, not only that they agree with the query.)
"""

from collections import Counter

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, update

from consultation.audit.operations import Actor
from consultation.extensions import db
from consultation.reports import generate, queries, tallies
from consultation.reports.models import AnswerTally
from consultation.reports.queries import Scope
from consultation.responses.models import Answer, Response
from consultation.responses.moderation import erase_personal_data, flag_response
from consultation.responses.operations import update_response
from consultation.responses.queries import response_values

from .reporting import SLUG, submit_known


def question_id(consultation, key):
    return next(record.id for record in consultation.questions if record.key == key)


def counted_from_answers(consultation, key, respondent_type=None):
    """{option: n} of a question over unflagged responses, counted in Python."""
    query = (
        select(Answer.option_key)
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id == question_id(consultation, key), Response.flag.is_(None))
    )
    if respondent_type:
        query = query.where(Response.respondent_type == respondent_type)
    return Counter(db.session.scalars(query))


def option_counts(consultation, key, respondent_type=None):
    qid = question_id(consultation, key)
    scope = Scope(consultation.id, respondent_type)
    counts = queries.option_counts(scope, [qid])
    return Counter({option: n for (_, _, option), n in counts.items()})


def test_every_write_keeps_the_counts(client, consultations, app):
    consultation = consultations[SLUG]
    known = submit_known(client, consultation)  # the fifth flagged by a plain attribute change
    ease = question_id(consultation, "data_ease")
    scope = Scope(consultation.id)
    assert queries.answered_counts(scope, [ease]) == {ease: 4}
    assert option_counts(consultation, "data_ease") == Counter(
        fairly_hard=2, very_hard=1, very_easy=1
    )
    assert tallies.differences(consultation) == {}

    generate.generate_responses(consultation, 300, seed=5)
    db.session.commit()
    assert tallies.differences(consultation) == {}
    assert tallies.drain() == 305  # counted by a worker: the edits below change the counts

    # An edit that changes the answer and the respondent type moves the counts.
    values = response_values(known[0])
    values.update(data_ease="very_easy", respondent_type="ngo")
    values.pop("position_paper", None)
    update_response(known[0], values, upload_folder=app.config["UPLOAD_FOLDER"])
    erase_personal_data(known[3], Actor("tests"))
    flag_response(known[1], "duplicate", Actor("tests"))
    flag_response(known[4], None, Actor("tests"))  # spam no more: counted again
    db.session.commit()
    assert tallies.differences(consultation) == {}
    for respondent_type in (None, "ngo", "company", "eu_citizen"):
        assert option_counts(consultation, "data_ease", respondent_type) == counted_from_answers(
            consultation, "data_ease", respondent_type
        )
    total = db.session.scalar(
        select(db.func.count()).where(
            Response.flag.is_(None), Response.consultation_id == consultation.id
        )
    )
    answered = queries.answered_counts(scope, [ease])[ease]
    assert answered == sum(counted_from_answers(consultation, "data_ease").values()) <= total

    # Numbers: count, lowest, highest and mean from the tallied values equal SQL's.
    cost = question_id(consultation, "compliance_cost")
    direct = db.session.execute(
        select(
            db.func.count(Answer.number_value),
            db.func.min(Answer.number_value),
            db.func.max(Answer.number_value),
            db.func.avg(Answer.number_value),
        )
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id == cost, Response.flag.is_(None))
    ).one()
    answers, low, high, mean = queries.number_stats(scope, [cost])[cost]
    assert answers == direct[0] > 10
    assert (low, high) == (direct[1], direct[2]) and low < high
    assert mean == pytest.approx(float(direct[3]))


def test_a_change_the_tallies_did_not_see_is_found_and_recounted(client, consultations, app):
    consultation = consultations[SLUG]
    submit_known(client, consultation)
    tallies.drain()
    # A change behind the application's back (SQL by hand): the counts no longer agree.
    db.session.execute(
        update(Answer).where(Answer.option_key == "very_easy").values(option_key="very_hard")
    )
    db.session.commit()
    wrong = tallies.differences(consultation)
    assert wrong
    runner = app.test_cli_runner()
    checked = runner.invoke(args=["reports", "recount", SLUG, "--check"])
    assert checked.exit_code == 1 and "counts differed" in checked.output
    assert tallies.differences(consultation) == wrong  # --check changes nothing
    fixed = runner.invoke(args=["reports", "recount", SLUG])
    assert fixed.exit_code == 0 and "recounted" in fixed.output
    assert tallies.differences(consultation) == {}
    again = runner.invoke(args=["reports", "recount", "--check"])
    assert again.exit_code == 0 and f"{SLUG}: right" in again.output


def test_keeping_counts_sql_that_bypasses_the_orm(client, consultations):
    consultation = consultations[SLUG]
    first = submit_known(client, consultation)[0]
    tallies.drain()
    with tallies.keeping([first.id]):
        db.session.execute(
            update(Answer)
            .where(Answer.response_id == first.id, Answer.option_key == "fairly_hard")
            .values(option_key="very_hard")
        )
    db.session.commit()
    assert tallies.differences(consultation) == {}
    assert option_counts(consultation, "data_ease")["very_hard"] == 2


def test_the_migration_counts_the_answers_already_stored(client, consultations, app):
    consultation = consultations[SLUG]
    submit_known(client, consultation)
    generate.generate_responses(consultation, 120, seed=9)
    db.session.commit()
    tallies.drain()
    kept = tallies.stored(consultation)
    db.session.remove()
    try:
        downgrade(revision="0005")  # drops the table; upgrading fills it from the answers
    finally:
        upgrade()
    assert db.session.scalar(select(db.func.count()).select_from(AnswerTally)) > 0
    assert tallies.stored(consultation) == kept
    assert tallies.differences(consultation) == {}


def test_orm_writes_count_themselves(consultations):
    consultation = consultations[SLUG]
    ease = question_id(consultation, "data_ease")
    response = Response(
        consultation_id=consultation.id,
        reference="ORM-1",
        submission_token="orm-1",
        respondent_type="company",
        country="BE",
    )
    response.answers.append(Answer(question_id=ease, option_key="very_easy"))
    db.session.add(response)
    db.session.commit()
    assert option_counts(consultation, "data_ease", "company") == Counter(very_easy=1)
    assert tallies.differences(consultation) == {}

    response.respondent_type = "ngo"  # the counts move with the response
    response.answers.append(Answer(question_id=ease, option_key="very_hard"))
    db.session.commit()
    assert option_counts(consultation, "data_ease", "company") == Counter()
    assert option_counts(consultation, "data_ease", "ngo") == Counter(very_easy=1, very_hard=1)

    db.session.delete(next(a for a in response.answers if a.option_key == "very_easy"))
    db.session.commit()
    assert option_counts(consultation, "data_ease") == Counter(very_hard=1)
    db.session.delete(response)
    db.session.commit()
    assert option_counts(consultation, "data_ease") == Counter()
    assert tallies.differences(consultation) == {}
