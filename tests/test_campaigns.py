"""Campaign groups: near-identical answers grouped, kept true through edits and erasures."""

import csv
import io
import json
import random

import pytest
from sqlalchemy import select

from consultation.audit.models import AuditRecord
from consultation.audit.operations import Actor
from consultation.audit.sentences import sentences
from consultation.campaigns import queries
from consultation.campaigns.job import request_stale
from consultation.campaigns.models import CampaignGroup, CampaignMember
from consultation.campaigns.operations import regroup
from consultation.campaigns.variants import swap_words
from consultation.extensions import db
from consultation.jobs.queue import current_queue
from consultation.responses.models import Response
from consultation.responses.moderation import erase_personal_data
from consultation.responses.operations import update_response
from consultation.responses.queries import response_values

from .admin_helpers import signed_in_client, signed_in_csrf
from .reporting import approve
from .test_admin import consultation, prepared

SLUG = "data-union-strategy"
TEMPLATE = (
    "Protect our data! The EU must guarantee that data about citizens is never sold or shared "
    "without explicit consent. Simplification must not lower protection."
)
UNRELATED = (
    "Our cooperative runs twelve wind turbines and would like grid operators to publish "
    "congestion forecasts every hour, in a format that small producers can read."
)
PERSONAL = "I am a nurse and I see every day how health data is handled carelessly."


def contribute(client, text):
    """A contribution whose final comments are ``text``; the other free texts left empty."""
    data = prepared(client, SLUG)
    for name in list(data):
        if name in ("q_data_use_case", "q_overlap_details"):
            data[name] = ""
    data["q_final_comments"] = text
    result = client.post(f"/consultations/{SLUG}/respond", data=data)
    assert result.status_code in (302, 303), result.get_data(as_text=True)[:300]
    return db.session.scalar(select(Response).order_by(Response.id.desc()).limit(1))


def synonym_copy(seed=3):
    return swap_words(random.Random(seed), TEMPLATE, 0.25)


@pytest.fixture
def campaign(client, consultations):
    """Four copies of a campaign text (one with synonyms, one with a sentence added) and an
    unrelated answer, grouped."""
    people = {
        "original": contribute(client, TEMPLATE),
        "shouted": contribute(client, TEMPLATE.upper()),
        "synonyms": contribute(client, synonym_copy()),
        "added": contribute(client, f"{TEMPLATE} {PERSONAL}"),
        "unrelated": contribute(client, UNRELATED),
    }
    db.session.commit()
    regroup(consultation(SLUG))
    db.session.commit()
    return {name: response.id for name, response in people.items()}


def final_comments_groups():
    item = consultation(SLUG)
    question = next(r for r in item.questions if r.key == "final_comments")
    return queries.groups_by_size(item, question_id=question.id)


def members_of(group):
    return {
        row[0]: row for row in queries.members(group.group if hasattr(group, "group") else group)
    }


def test_a_synonym_swapped_copy_joins_its_campaign_and_an_unrelated_text_does_not(campaign):
    assert swap_words(random.Random(3), TEMPLATE, 0.25) != TEMPLATE
    (row,) = final_comments_groups()
    members = members_of(row)
    assert set(members) == {campaign[k] for k in ("original", "shouted", "synonyms", "added")}
    assert campaign["unrelated"] not in members
    assert row.size == 4
    assert 0.5 <= members[campaign["synonyms"]].similarity < 1
    assert members[campaign["shouted"]].similarity == 1
    assert row.group.template_text in (TEMPLATE, TEMPLATE.upper())


def test_each_member_keeps_its_own_added_text(campaign):
    (row,) = final_comments_groups()
    members = members_of(row)
    assert members[campaign["added"]].added_text == PERSONAL
    assert members[campaign["synonyms"]].added_text is None
    assert queries.distinct_added_texts(row.group) == [(PERSONAL, 1)]
    assert row.added == 1


def test_an_edit_moves_an_answer_out_of_its_campaign(app, campaign):
    response = db.session.get(Response, campaign["synonyms"])
    questions = response.consultation.questionnaire.questions
    values = {k: v for k, v in response_values(response).items() if questions[k].kind != "file"}
    values["final_comments"] = UNRELATED.replace("twelve", "three")
    assert update_response(response, values, upload_folder=app.config["UPLOAD_FOLDER"])
    db.session.commit()
    (row,) = final_comments_groups()
    assert campaign["synonyms"] not in members_of(row)  # at once, before any new grouping
    regroup(consultation(SLUG))
    db.session.commit()
    groups = final_comments_groups()
    copies = next(g for g in groups if campaign["original"] in members_of(g))
    assert campaign["synonyms"] not in members_of(copies)
    assert copies.size == 3
    # The edited answer now copies the unrelated one: a group of two of its own.
    other = next(g for g in groups if campaign["unrelated"] in members_of(g))
    assert set(members_of(other)) == {campaign["unrelated"], campaign["synonyms"]}


def test_erasure_removes_the_text_from_groups_and_added_texts(campaign):
    (row,) = final_comments_groups()
    group_id = row.group.id
    template = row.group.template_response_id
    for name in ("added", "original", "shouted"):
        if campaign[name] == template:
            break
    for response_id in {campaign["added"], template}:
        erase_personal_data(db.session.get(Response, response_id), Actor("tests"), "request")
    db.session.commit()
    db.session.expire_all()
    group = db.session.get(CampaignGroup, group_id)
    texts = db.session.scalars(
        select(CampaignMember.added_text).where(CampaignMember.group_id == group_id)
    ).all()
    assert PERSONAL not in " ".join(t or "" for t in texts)
    assert queries.distinct_added_texts(group) == []
    left = set(members_of(group))
    assert campaign["added"] not in left and template not in left
    assert group.template_response_id in left
    # A new grouping leaves the erased contributions out too.
    regroup(consultation(SLUG))
    db.session.commit()
    (row,) = final_comments_groups()
    assert not {campaign["added"], template} & set(members_of(row))
    assert PERSONAL not in row.group.template_text


def test_confirmation_and_rejection_are_audited_and_reversible(app, campaign):
    admin = signed_in_client(app)
    (row,) = final_comments_groups()
    url = f"/admin/campaigns/{row.group.id}/decision"
    token = signed_in_csrf(admin)
    page = admin.get(f"/admin/campaigns/{row.group.id}").get_data(as_text=True)
    assert PERSONAL in page and "Campaign" in page
    for decision in ("confirmed", "rejected", ""):
        result = admin.post(url, data={"csrf_token": token, "decision": decision, "reason": "read"})
        assert result.status_code == 302
        db.session.expire_all()
        assert db.session.get(CampaignGroup, row.group.id).decision == (decision or None)
    again = admin.post(url, data={"csrf_token": token, "decision": "", "reason": ""})
    assert again.status_code == 302  # refused: already undecided, nothing recorded
    records = db.session.scalars(
        select(AuditRecord).where(AuditRecord.action.like("campaign.%")).order_by(AuditRecord.id)
    ).all()
    assert [r.action for r in records] == [
        "campaign.confirm",
        "campaign.reject",
        "campaign.undecide",
    ]
    assert records[0].reason == "read"
    words = [text for _, text in sentences(records)]
    number = row.group.number
    assert words[0] == (f"Confirmed group {number} of {SLUG} as a campaign (by admin@example.org)")
    assert words[1].startswith(f"Rejected group {number} of {SLUG}: not a campaign")
    # A new grouping finds the group again and keeps its number and decision.
    admin.post(url, data={"csrf_token": token, "decision": "confirmed", "reason": ""})
    regroup(consultation(SLUG))
    db.session.commit()
    (row,) = final_comments_groups()
    assert (row.group.number, row.group.decision) == (number, "confirmed")


def test_analysts_read_the_campaigns_but_do_not_decide(app, campaign):
    analyst = signed_in_client(app, "analyst@example.org", "analyst")
    (row,) = final_comments_groups()
    listing = analyst.get(f"/admin/consultations/{SLUG}/campaigns")
    assert listing.status_code == 200
    text = listing.get_data(as_text=True)
    assert "Group again now" not in text
    listed = analyst.get(f"/admin/consultations/{SLUG}/campaigns?min=2").get_data(as_text=True)
    assert f"Campaign {row.group.number}" in listed
    token = signed_in_csrf(analyst)
    refused = analyst.post(
        f"/admin/campaigns/{row.group.id}/decision",
        data={"csrf_token": token, "decision": "confirmed"},
    )
    assert refused.status_code == 403


def test_the_cli_writes_one_row_per_member(app, campaign, tmp_path):
    out = tmp_path / "campaigns.csv"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reports", "campaigns", SLUG, "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["campaign", "reference", "question", "similarity", "added_text"]
    references = {
        db.session.get(Response, campaign[k]).reference
        for k in ("original", "shouted", "synonyms", "added")
    }
    assert {r["reference"] for r in rows} == references
    assert {r["question"] for r in rows} == {"final_comments"}
    added = {r["reference"]: r["added_text"] for r in rows}
    assert added[db.session.get(Response, campaign["added"]).reference] == PERSONAL
    assert all(0.5 <= float(r["similarity"]) <= 1 for r in rows)

    only = runner.invoke(
        args=["reports", "campaigns", SLUG, "--question", "final_comments", "-o", str(out)]
    )
    assert only.exit_code == 0 and "4 rows" in only.output
    wrong = runner.invoke(args=["reports", "campaigns", SLUG, "--question", "nope", "-o", str(out)])
    assert wrong.exit_code != 0 and "not a free-text question" in wrong.output


def test_the_job_groups_what_changed_after_a_batch(app, client, consultations):
    for _ in range(3):
        contribute(client, TEMPLATE)
    db.session.commit()
    assert request_stale() == 1
    assert current_queue().run_pending() == 1
    assert final_comments_groups()[0].size == 3
    assert request_stale() == 0  # nothing changed since
    contribute(client, synonym_copy())
    db.session.commit()
    assert request_stale() == 1
    current_queue().run_pending()
    assert final_comments_groups()[0].size == 4


def test_the_campaigns_page_lists_groups_and_the_summary_reports_them(app, campaign):
    from consultation.reports.summary import build_summary

    admin = signed_in_client(app)
    page = admin.get(f"/admin/consultations/{SLUG}/campaigns?min=2").get_data(as_text=True)
    (row,) = final_comments_groups()
    assert f"Campaign {row.group.number}" in page and "Group again now" in page
    summary = build_summary(consultation(SLUG), campaign_threshold=2)
    (line,) = summary.campaigns
    assert line.size == 4 and line.added == 1
    assert line.number == row.group.number
    assert line.quote is None  # no moderator has approved a text yet: nothing is quoted
    approve(db.session.scalars(select(Response)).all())
    (line,) = build_summary(consultation(SLUG), campaign_threshold=2).campaigns
    assert line.quote in (TEMPLATE, TEMPLATE.upper())


def test_a_response_marked_as_spam_leaves_its_group_and_comes_back_when_counted(campaign):
    from consultation.responses.moderation import flag_response

    response = db.session.get(Response, campaign["shouted"])
    flag_response(response, "spam", Actor("tests"))
    db.session.commit()
    (row,) = final_comments_groups()
    assert campaign["shouted"] not in members_of(row)
    flag_response(db.session.get(Response, campaign["shouted"]), None, Actor("tests"))
    db.session.commit()
    assert request_stale() == 1  # counted again: the next grouping takes it back
    current_queue().run_pending()
    (row,) = final_comments_groups()
    assert campaign["shouted"] in members_of(row)


def test_the_public_pages_and_the_api_show_campaign_sizes(app, client, consultations, frozen_clock):
    """A published copy says which campaign it is part of and how large it is, on its page,
    in the public list and in the API; a group too small for the public, a group an analyst
    rejected and an unrelated text say nothing."""
    from .test_api import validate
    from .test_publishing_queries import CLOSED

    copies = [contribute(client, TEMPLATE if n % 2 else synonym_copy(n)) for n in range(11)]
    few = [contribute(client, UNRELATED) for _ in range(3)]  # a group of three: too small
    db.session.commit()
    regroup(consultation(SLUG))
    approve(db.session.scalars(select(Response)).all())
    frozen_clock.set_brussels(CLOSED)
    (group,) = [row.group for row in final_comments_groups() if row.size == 11]
    said = f"Part of campaign {group.number}: 11 answers with this text or a close variant."

    page = client.get(f"/consultations/{SLUG}/contributions").get_data(as_text=True)
    assert page.count(said) == 11 and "Part of campaign" in page
    assert page.count("Part of campaign") == 11  # not the group of three
    copy, other = db.session.get(Response, copies[0].id), db.session.get(Response, few[0].id)
    shown = client.get(f"/consultations/{SLUG}/contributions/{copy.public_id}")
    assert said in shown.get_data(as_text=True)
    shown = client.get(f"/consultations/{SLUG}/contributions/{other.public_id}")
    assert "Part of campaign" not in shown.get_data(as_text=True)

    listed = client.get(f"/api/v1/consultations/{SLUG}/contributions?limit=50").get_json()
    validate(listed, "ContributionPage")
    by_id = {item["id"]: item["campaigns"] for item in listed["contributions"]}
    expected = [{"number": group.number, "size": 11, "question": "final_comments"}]
    assert by_id[copy.public_id] == expected and by_id[other.public_id] == []
    one = client.get(f"/api/v1/consultations/{SLUG}/contributions/{copy.public_id}").get_json()
    validate(one, "Contribution")
    assert one["campaigns"] == expected
    # The bulk files say it too: each line of the JSON Lines, the CSV's campaigns column.
    bulk = client.get(f"/api/v1/consultations/{SLUG}/contributions.jsonl").get_data(as_text=True)
    lines = [json.loads(line) for line in bulk.splitlines()]
    for line in lines:
        validate(line, "Contribution")
    in_bulk = {line["id"]: line["campaigns"] for line in lines}
    assert in_bulk[copy.public_id] == expected and in_bulk[other.public_id] == []
    table = client.get(f"/api/v1/consultations/{SLUG}/contributions.csv").get_data(as_text=True)
    cells = {row["id"]: row["campaigns"] for row in csv.DictReader(io.StringIO(table))}
    assert cells[copy.public_id] == f"{group.number}:11:final_comments"
    assert cells[other.public_id] == ""
    from .jobs_helpers import run_jobs

    assert run_jobs(app)  # the open-data job the first bulk request queued: files prepared

    group.decision, group.decided_by = "rejected", "analyst@example.org"
    db.session.commit()
    page = client.get(f"/consultations/{SLUG}/contributions").get_data(as_text=True)
    assert "Part of campaign" not in page
    one = client.get(f"/api/v1/consultations/{SLUG}/contributions/{copy.public_id}").get_json()
    assert one["campaigns"] == []
    # A new version of the bulk files: what was prepared for the old one is not served.
    bulk = client.get(f"/api/v1/consultations/{SLUG}/contributions.jsonl").get_data(as_text=True)
    assert all(json.loads(line)["campaigns"] == [] for line in bulk.splitlines())


def test_an_arrival_rate_below_one_an_hour_is_not_written_as_zero(app):
    from consultation.formatting import rate

    assert [rate(value, "en") for value in (0.0083, 0.25, 2.345, 1234.4)] == [
        "0.0083",
        "0.25",
        "2.3",
        "1,234",
    ]
    assert rate(0.25, "fr") == "0,25"


def test_the_campaigns_page_lists_the_largest_groups_and_pages_through_the_rest(
    app, campaign, monkeypatch
):
    from consultation.admin import campaigns as page

    (largest,) = final_comments_groups()
    question_id = largest.group.question_id
    for number in range(100, 125):  # 25 more groups of two (the same two answers)
        group = CampaignGroup(
            consultation_id=largest.group.consultation_id,
            question_id=question_id,
            number=number,
            template_text=f"Template {number}",
        )
        db.session.add(group)
        db.session.flush()
        for name in ("unrelated", "original"):
            db.session.add(
                CampaignMember(group_id=group.id, response_id=campaign[name], similarity=1.0)
            )
    db.session.commit()
    monkeypatch.setattr(page, "GROUPS_PER_PAGE", 10)
    admin = signed_in_client(app)
    url = f"/admin/consultations/{SLUG}/campaigns"

    overview = admin.get(f"{url}?min=2").get_data(as_text=True)
    assert "26 groups. 54 answers in them. The 20 largest are listed." in overview
    assert overview.count("Template 1") == 20 - 1  # the largest is the fixture's group
    assert f"Campaign {largest.group.number}</a>" in overview
    assert f'href="{url}?scope={question_id}&amp;min=2">List every group of this question' in (
        overview
    )

    def listed(address):
        result = admin.get(address)
        return result.status_code, result.get_data(as_text=True)

    status, first = listed(f"{url}?scope={question_id}&min=2")
    assert status == 200 and "Page 1 of 3" in first
    assert first.index(f"Campaign {largest.group.number}<") < first.index("Campaign 100<")
    assert first.count("Template 1") == 9
    status, last = listed(f"{url}?scope={question_id}&min=2&page=3")
    assert status == 200 and last.count("Template 1") == 6 and "Campaign 124<" in last
    assert "Whole contribution" not in last  # one question's page only
    assert listed(f"{url}?scope={question_id}&min=2&page=4")[0] == 404
    assert listed(f"{url}?scope=999999")[0] == 404
    assert listed(f"{url}?scope=nonsense")[0] == 404
    # Groups smaller than the smallest listed size are not counted.
    assert "No group of near-identical answers." in listed(f"{url}?scope={question_id}&min=5")[1]
