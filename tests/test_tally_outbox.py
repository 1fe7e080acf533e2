"""New contributions wait in the tally outbox until a worker counts them; the summary is exact
all the while, whatever fails or runs at the same time (``reports.tally_outbox``)."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from consultation.audit.operations import Actor
from consultation.extensions import db
from consultation.reports import generate, queries, tallies
from consultation.reports.models import TallyOutbox
from consultation.reports.queries import Scope
from consultation.responses.models import Response
from consultation.responses.moderation import erase_personal_data, flag_response
from consultation.responses.operations import update_response
from consultation.responses.queries import response_values

from .jobs_helpers import nudging, worker_environment
from .processes import ROOT
from .reporting import PEOPLE, SLUG, submit, submit_known
from .test_tallies import counted_from_answers, option_counts, question_id


def waiting() -> set:
    return set(db.session.scalars(select(TallyOutbox.response_id)))


def fresh(consultation) -> dict:
    return tallies.contribution(Response.consultation_id == consultation.id)


def assert_exact(consultation) -> None:
    """The summary's counts equal the answers' (plus the check of every key and measure)."""
    assert tallies.differences(consultation) == {}
    for respondent_type in (None, "ngo", "company", "eu_citizen"):
        assert option_counts(consultation, "data_ease", respondent_type) == counted_from_answers(
            consultation, "data_ease", respondent_type
        )


def assert_counted(consultation) -> None:
    """Nothing waits any more, and the kept tallies alone equal a fresh count."""
    assert waiting() == set()
    assert tallies.stored(consultation) == fresh(consultation)


def test_a_contribution_counts_in_the_summary_before_any_worker_ran(client, consultations):
    consultation = consultations[SLUG]
    known = submit_known(client, consultation)
    # The requests counted nothing: each left one row for the workers...
    assert tallies.stored(consultation) == {}
    assert waiting() == {response.id for response in known}
    # ...and the summary reads the tallies plus what those add: exact at once.
    assert option_counts(consultation, "data_ease") == Counter(
        fairly_hard=2, very_hard=1, very_easy=1
    )
    ease = question_id(consultation, "data_ease")
    assert queries.answered_counts(Scope(consultation.id), [ease]) == {ease: 4}
    assert queries.answered_counts(Scope(consultation.id, "company"), [ease]) == {ease: 1}
    assert_exact(consultation)

    assert tallies.drain() == 5
    assert tallies.drain() == 0
    assert_counted(consultation)
    assert option_counts(consultation, "data_ease") == Counter(
        fairly_hard=2, very_hard=1, very_easy=1
    )
    sixth = submit(client, consultation, PEOPLE[3])  # very_easy, among counted ones
    assert waiting() == {sixth.id}
    assert option_counts(consultation, "data_ease")["very_easy"] == 2
    assert_exact(consultation)


def test_edits_flags_erasure_and_deletion_of_waiting_contributions(client, consultations, app):
    consultation = consultations[SLUG]
    known = submit_known(client, consultation)
    follow_up = {"q_follow_up": "yes", "q_follow_up_email": "bruno.private@example.org"}
    erased = submit(client, consultation, {**PEOPLE[3], **follow_up})  # very_easy
    edited, flagged, deleted = known[0], known[1], known[2]
    email = question_id(consultation, "follow_up_email")
    scope = Scope(consultation.id)
    assert queries.answered_counts(scope, [email]) == {email: 5}  # the spam one left out

    values = response_values(edited)
    values.update(data_ease="very_easy", respondent_type="ngo")
    values.pop("position_paper", None)
    update_response(edited, values, upload_folder=app.config["UPLOAD_FOLDER"])
    flag_response(flagged, "duplicate", Actor("tests"))
    erase_personal_data(erased, Actor("tests"))
    db.session.commit()
    # Still waiting: the counts were not touched; the worker counts them as they are now,
    # and the summary says so at once.
    assert tallies.stored(consultation) == {}
    assert option_counts(consultation, "data_ease") == Counter(fairly_hard=1, very_easy=3)
    assert option_counts(consultation, "data_ease", "ngo") == Counter(very_easy=1, fairly_hard=1)
    assert queries.answered_counts(scope, [email]) == {email: 3}  # less the flagged and erased
    assert_exact(consultation)

    db.session.delete(deleted)
    db.session.commit()
    assert deleted.id not in waiting()  # its row went with it
    assert option_counts(consultation, "data_ease") == Counter(very_easy=3)
    assert_exact(consultation)

    assert tallies.drain() == 5
    assert_counted(consultation)
    assert option_counts(consultation, "data_ease") == Counter(very_easy=3)
    # Counted now: a flag changes the counts at once.
    flag_response(flagged, None, Actor("tests"))
    db.session.commit()
    assert option_counts(consultation, "data_ease") == Counter(very_easy=3, very_hard=1)
    assert_counted(consultation)


def test_a_failure_before_the_commit_counts_nothing(consultations, monkeypatch):
    consultation = consultations[SLUG]
    generate.generate_responses(consultation, 30, seed=2)
    db.session.commit()
    ids = waiting()

    def fail(session, taken):
        raise RuntimeError("the worker fails before it commits")

    monkeypatch.setattr(tallies.tally_outbox, "release", fail)
    with pytest.raises(RuntimeError):
        tallies.drain(chunk=10)
    db.session.rollback()
    assert waiting() == ids and tallies.stored(consultation) == {}
    assert_exact(consultation)
    monkeypatch.undo()
    assert tallies.drain(chunk=10) == 30
    assert_counted(consultation)


#: A worker that stops, holding its batch, once it has added the counts and before it
#: commits; the test kills it there.
STOPPED_WORKER = """
import sys, time
from consultation import create_app
from consultation.reports import tallies

added = tallies._apply

def add_then_stop(delta, connection=None):
    added(delta, connection)
    print("added, not committed", flush=True)
    time.sleep(600)

tallies._apply = add_then_stop
app = create_app()
with app.app_context():
    tallies.drain(chunk=int(sys.argv[1]))
"""


def test_a_worker_killed_before_it_commits_leaves_every_count_right(app, consultations):
    consultation = consultations[SLUG]
    generate.generate_responses(consultation, 40, seed=4)
    db.session.commit()
    assert tallies.drain(chunk=15) == 40  # some counted already...
    generate.generate_responses(consultation, 40, seed=6)
    db.session.commit()  # ...and some waiting
    ids, kept = waiting(), tallies.stored(consultation)
    db.session.commit()  # no transaction left open meanwhile

    worker = subprocess.Popen(
        [sys.executable, "-c", STOPPED_WORKER, "25"],
        cwd=ROOT,
        env=worker_environment(app),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = worker.stdout.readline()
        assert line.strip() == "added, not committed", worker.stderr.read()
        os.kill(worker.pid, signal.SIGKILL)  # no chance to clean up
    finally:
        worker.kill()
        worker.wait(timeout=10)
    assert worker.returncode == -signal.SIGKILL

    assert waiting() == ids and tallies.stored(consultation) == kept
    assert_exact(consultation)
    assert tallies.drain(chunk=25) == 40  # the next worker counts all of them, once
    assert_counted(consultation)


def _in_context(app, work, results, name):
    def run():
        with app.app_context():
            try:
                results[name] = work()
            except BaseException as error:  # the test reports it
                results[name] = error
            finally:
                db.session.remove()

    return threading.Thread(target=run, name=name)


def test_two_workers_count_each_contribution_once(app, consultations):
    consultation = consultations[SLUG]
    generate.generate_responses(consultation, 300, seed=8)
    db.session.commit()
    db.session.commit()
    start, results = threading.Barrier(2), {}

    def worker():
        start.wait()
        return tallies.drain(chunk=7)

    threads = [_in_context(app, worker, results, f"worker {n}") for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    counted = list(results.values())
    assert all(isinstance(n, int) for n in counted), counted
    assert sum(counted) == 300
    assert_counted(consultation)
    assert_exact(consultation)


def _edit(app, response_id, data_ease):
    response = db.session.get(Response, response_id)
    values = response_values(response)
    values.update(data_ease=data_ease)
    values.pop("position_paper", None)
    update_response(response, values, upload_folder=app.config["UPLOAD_FOLDER"])


def test_an_edit_waits_for_a_worker_counting_the_same_contribution(
    app, client, consultations, monkeypatch
):
    consultation = consultations[SLUG]
    first = submit(client, consultation, PEOPLE[0])  # fairly_hard
    first_id = first.id
    db.session.commit()
    added, go, results = threading.Event(), threading.Event(), {}
    real_apply = tallies._apply

    def apply(delta, connection=None):
        real_apply(delta, connection)
        if threading.current_thread().name == "worker":
            added.set()
            go.wait(30)

    monkeypatch.setattr(tallies, "_apply", apply)
    worker = _in_context(app, tallies.drain, results, "worker")
    worker.start()
    assert added.wait(30)  # the worker holds the row and has added the old answers

    def edit():
        _edit(app, first_id, "very_hard")
        db.session.commit()
        return "edited"

    editor = _in_context(app, edit, results, "editor")
    editor.start()
    time.sleep(0.5)
    assert editor.is_alive()  # waiting for the worker
    go.set()
    worker.join(30)
    editor.join(30)
    assert results == {"worker": 1, "editor": "edited"}
    # Counted by the worker as it was, then changed by the edit's difference: both exact.
    assert_counted(consultation)
    assert option_counts(consultation, "data_ease") == Counter(very_hard=1)


def test_a_worker_leaves_a_contribution_being_edited_to_the_edit(app, client, consultations):
    consultation = consultations[SLUG]
    first = submit(client, consultation, PEOPLE[0])
    _edit(app, first.id, "very_hard")  # not committed: the edit holds the row
    results = {}
    worker = _in_context(app, tallies.drain, results, "worker")
    worker.start()
    time.sleep(0.5)
    db.session.commit()
    worker.join(30)
    # PostgreSQL: the worker skipped the row (the next run counts it); SQLite: it waited for
    # the edit's commit and counted what the edit left.
    assert results["worker"] == (0 if app.config["BACKEND"] == "postgresql" else 1)
    tallies.drain()
    assert_counted(consultation)
    assert option_counts(consultation, "data_ease") == Counter(very_hard=1)


def test_the_workers_count_what_a_contribution_asks_for(app, client, consultations):
    """(That a process asks at most once per interval is checked with the export lines.)"""
    consultation = consultations[SLUG]
    nudges = tallies._nudges
    with nudging(app, nudges) as queue:
        generate.generate_responses(consultation, 20, seed=1)  # responses stored by SQL...
        db.session.commit()
        nudges.thread.join(10)  # ...ask for a count once committed
        assert len(waiting()) == 20
        assert queue.run_pending() == 1  # the task asked for, run as a worker runs it
        assert_counted(consultation)

        later = submit(client, consultation, PEOPLE[3])  # within the interval: not asked...
        assert queue.pending() == 0 and waiting() == {later.id}
        queue.count_tallies.call_local()  # ...the minutely run counts it
        assert_counted(consultation)


def test_a_recount_counts_the_waiting_contributions_too(client, consultations, app):
    consultation = consultations[SLUG]
    submit_known(client, consultation)
    tallies.drain()
    submit(client, consultation, PEOPLE[0])
    tallies.rebuild(consultation)
    db.session.commit()
    assert_counted(consultation)
    count = db.session.scalar(select(func.count()).select_from(TallyOutbox))
    assert count == 0


def test_a_site_without_a_worker_catches_up_from_the_command_line(app, client, consultations):
    consultation = consultations[SLUG]
    submit_known(client, consultation)
    result = app.test_cli_runner().invoke(args=["reports", "catch-up"])
    assert result.exit_code == 0, result.output
    assert "5 contributions counted, 5 responses' export lines made" in result.output
    assert_counted(consultation)


def test_downgrading_counts_the_waiting_contributions_first(client, consultations, app):
    from flask_migrate import downgrade, upgrade

    consultation = consultations[SLUG]
    submit_known(client, consultation)
    tallies.drain()
    submit(client, consultation, PEOPLE[0])  # waiting
    expected = fresh(consultation)
    db.session.remove()
    try:
        downgrade(revision="0021")  # the code before 0022 counts every response in the tallies
        assert tallies.stored(consultation) == expected
    finally:
        upgrade()
    assert_counted(consultation)
