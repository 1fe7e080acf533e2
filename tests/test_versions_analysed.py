"""The answers to a free-text question a new questionnaire version replaced are still
grouped into campaigns and themes, and reported under their own (old) question: in the
summary report and on the campaigns and themes pages (issue 18, item 3)."""

import pytest

from consultation.audit.operations import Actor
from consultation.campaigns import queries as campaign_queries
from consultation.campaigns.operations import regroup
from consultation.campaigns.report import campaign_lines
from consultation.extensions import db
from consultation.reports.generate import generate_responses
from consultation.reports.queries import Scope
from consultation.reports.summary import build_summary
from consultation.themes import operations as theme_operations
from consultation.themes import queries as theme_queries

from .admin_helpers import signed_in_client
from .test_authoring import SOURCE, consultation
from .test_authoring_changes import find
from .test_versions_reported import new_version

OLD_KEY = "final_comments@v1"
LABEL = "Is there anything else you would like to tell us about the European Data Union Strategy?"
HEADING = f"{LABEL} (asked in version 1 of the questionnaire)"


@pytest.fixture
def admin(app, consultations):
    return signed_in_client(app)


@pytest.fixture
def replaced(admin, consultations):
    """300 synthetic contributions to version 1 (campaign copies in the final comments),
    then version 2 replacing the final comments (a tighter limit)."""
    generate_responses(consultations[SOURCE], 300, seed=7)
    db.session.commit()

    def tighter(definition):
        find(definition, "final_comments")["max_length"] = 3000

    return new_version(admin, tighter)


def old_record(item):
    return next(record for record in item.questions if record.key == OLD_KEY)


def test_replaced_answers_are_grouped_under_their_own_question(replaced, admin):
    item = consultation(SOURCE)
    record = old_record(item)
    assert record.id in [r.id for r in campaign_queries.free_text_questions(item)]
    regroup(item)
    db.session.commit()
    groups = campaign_queries.groups_by_size(item, question_id=record.id)
    assert groups and groups[0].size >= 10
    # The whole contribution joins the replaced answers with the current ones.
    ids, texts = campaign_queries.scope_texts(item, None)
    assert ids and all(texts)

    count, lines = campaign_lines(
        Scope(item.id), consultation(SOURCE), 2, 100, "en", lambda row: "someone"
    )
    assert HEADING in {line.question for line in lines}
    page = admin.get(f"/admin/consultations/{SOURCE}/campaigns").get_data(as_text=True)
    assert HEADING in page
    page = admin.get(f"/admin/campaigns/{groups[0].group.id}").get_data(as_text=True)
    assert HEADING in page
    scoped = admin.get(f"/admin/consultations/{SOURCE}/campaigns?scope={record.id}&min=2")
    assert scoped.status_code == 200 and HEADING in scoped.get_data(as_text=True)


def test_replaced_answers_have_themes_under_their_own_question(replaced, admin):
    item = consultation(SOURCE)
    found = theme_queries.question_by_key(item, OLD_KEY)
    assert found is not None
    question, record = found
    assert question.key == OLD_KEY and question.label("en") == HEADING
    assert theme_queries.question_by_key(item, "final_comments")[1].id != record.id
    theme_operations.find_question_themes(record, Actor("tests"))
    db.session.commit()
    summary = build_summary(consultation(SOURCE), locale="en")
    section = next(section for section in summary.themes if section.key == OLD_KEY)
    assert section.label == HEADING and section.themes and section.answers >= 100
    index = admin.get(f"/admin/consultations/{SOURCE}/themes").get_data(as_text=True)
    assert HEADING in index
    page = admin.get(f"/admin/consultations/{SOURCE}/questions/{OLD_KEY}/themes")
    assert page.status_code == 200 and HEADING in page.get_data(as_text=True)
    coding = admin.get(f"/admin/consultations/{SOURCE}/questions/{OLD_KEY}/coding")
    assert coding.status_code == 200
