"""Writes of campaign groups: grouping a consultation again, forgetting an answer, deciding.

Groups are derived data. ``regroup`` recomputes a consultation's groups from its
answers (the job after each batch of contributions, ``flask campaigns regroup``);
a group found again keeps its number and an analyst's decision. Between two
runs, an edited, flagged or erased contribution leaves its groups at once
(``forget``, called by the flush hooks of ``hooks``), so its old text is never
shown as part of a campaign. Storing a new contribution does nothing here.
They flush; callers commit.
"""

from collections import Counter

from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, or_, select, update

from .. import clock
from ..audit.operations import record
from ..errors import OperationRefused
from ..extensions import db
from ..responses.models import Response, ResponseVersion
from . import grouping, queries
from .added import added_text
from .models import DECISIONS, CampaignGroup, CampaignMember, CampaignRun

#: Rows per INSERT when members are written.
CHUNK = 5000


def regroup(consultation, progress=None) -> dict:
    """Group the free-text answers of ``consultation`` again; {"groups": n, "members": n}.

    ``progress`` is called after each question's groups are written (the job commits there).
    """
    mark = queries.change_mark(consultation.id)
    started = _last_version(consultation)
    scopes = [record.id for record in queries.free_text_questions(consultation)] + [None]
    found = {"groups": 0, "members": 0}
    for question_id in scopes:
        ids, texts = queries.scope_texts(consultation, question_id)
        groups = grouping.group_texts(texts) if texts else []
        written = _write(consultation, question_id, ids, texts, groups, started)
        found["groups"] += written
        found["members"] += sum(group.size for group in groups)
        if progress:
            progress()
    run = db.session.get(CampaignRun, consultation.id)
    if run is None:
        run = CampaignRun(consultation_id=consultation.id, mark=mark)
        db.session.add(run)
    run.mark, run.finished_at = mark, clock.now_utc()
    db.session.flush()
    return found


def _scope_condition(consultation, question_id):
    return (
        CampaignGroup.consultation_id == consultation.id,
        CampaignGroup.question_id.is_(None)
        if question_id is None
        else CampaignGroup.question_id == question_id,
    )


def _write(consultation, question_id, ids, texts, groups, last_version) -> int:
    """Replace the groups of one scope by ``groups``, keeping numbers and decisions."""
    old_groups = {
        group.id: group
        for group in db.session.scalars(
            select(CampaignGroup).where(*_scope_condition(consultation, question_id))
        )
    }
    old_of = (
        dict(
            db.session.execute(
                select(CampaignMember.response_id, CampaignMember.group_id).where(
                    CampaignMember.group_id.in_(list(old_groups))
                )
            ).all()
        )
        if old_groups
        else {}
    )
    old_sizes = Counter(old_of.values())
    # Changed since the texts were read (erased, flagged, edited): left out, the next run sees them.
    changed = _changed_since(consultation, last_version)
    if old_groups:
        db.session.execute(
            delete(CampaignMember).where(CampaignMember.group_id.in_(list(old_groups)))
        )
    taken, kept = set(), set()
    next_number = (
        db.session.scalar(
            select(func.max(CampaignGroup.number)).where(
                CampaignGroup.consultation_id == consultation.id
            )
        )
        or 0
    )
    rows, written = [], 0
    text_of = dict(zip(ids, texts, strict=True))
    for found in groups:
        members = [(ids[i], s) for i, s in found.members if ids[i] not in changed]
        if len(members) < 2 or ids[found.template] in changed:
            continue
        template_id, template = ids[found.template], texts[found.template]
        group = _matching(members, old_of, old_sizes, old_groups, taken)
        if group is None:
            next_number += 1
            group = CampaignGroup(
                consultation_id=consultation.id, question_id=question_id, number=next_number
            )
            db.session.add(group)
        kept.add(group.id)
        group.template_response_id, group.template_text = template_id, template
        group.grouped_at = clock.now_utc()
        db.session.flush()
        for response_id, similarity in members:
            extra = (
                None if response_id == template_id else added_text(text_of[response_id], template)
            )
            rows.append(
                {
                    "group_id": group.id,
                    "response_id": response_id,
                    "similarity": round(float(similarity), 4),
                    "added_text": extra,
                }
            )
        written += 1
        if len(rows) >= CHUNK:
            db.session.execute(insert(CampaignMember.__table__), rows)
            rows = []
    if rows:
        db.session.execute(insert(CampaignMember.__table__), rows)
    gone = [group_id for group_id in old_groups if group_id not in kept]
    if gone:
        db.session.execute(delete(CampaignGroup).where(CampaignGroup.id.in_(gone)))
    db.session.flush()
    return written


def _matching(members, old_of, old_sizes, old_groups, taken):
    """The earlier group holding most of ``members``, if it holds at least half of them or
    half of itself is among them; each earlier group is found again once at most."""
    votes = Counter(old_of[r] for r, _ in members if r in old_of)
    for group_id, shared in votes.most_common():
        if group_id in taken:
            continue
        if shared * 2 >= len(members) or shared * 2 >= old_sizes[group_id]:
            taken.add(group_id)
            return old_groups[group_id]
        break
    return None


def _last_version(consultation) -> int:
    return (
        db.session.scalar(
            select(func.max(ResponseVersion.id))
            .join(Response, Response.id == ResponseVersion.response_id)
            .where(Response.consultation_id == consultation.id)
        )
        or 0
    )


def _changed_since(consultation, last_version) -> set[int]:
    """Responses erased or flagged by now, or edited since version ``last_version``: their
    texts as read may be gone (a transaction that changed them may have committed since)."""
    query = select(Response.id).where(
        Response.consultation_id == consultation.id,
        Response.erased_at.is_not(None) | Response.flag.is_not(None),
    )
    edited = (
        select(ResponseVersion.response_id)
        .join(Response, Response.id == ResponseVersion.response_id)
        .where(Response.consultation_id == consultation.id, ResponseVersion.id > last_version)
    )
    return set(db.session.scalars(query)) | set(db.session.scalars(edited))


def forget(response_ids, connection) -> None:
    """Take ``response_ids`` out of every group now (an edit, a flag, an erasure): their
    similarity and added text go; a group whose template they were gets the most similar
    remaining member's text as template, and a group left with one member goes."""
    ids = list(response_ids)
    members = CampaignMember.__table__
    groups = CampaignGroup.__table__
    affected = [
        row[0]
        for row in connection.execute(
            select(members.c.group_id).where(members.c.response_id.in_(ids)).distinct()
        )
    ]
    if not affected:
        return
    connection.execute(delete(members).where(members.c.response_id.in_(ids)))
    for group_id in affected:
        group = connection.execute(select(groups).where(groups.c.id == group_id)).one()
        remaining = (
            connection.execute(
                select(members.c.response_id)
                .where(members.c.group_id == group_id)
                .order_by(members.c.similarity.desc(), members.c.response_id)
            )
            .scalars()
            .all()
        )
        if len(remaining) < 2:
            connection.execute(delete(groups).where(groups.c.id == group_id))
            continue
        if group.template_response_id in ids or group.template_response_id is None:
            new_template = remaining[0]
            text = _text_of(connection, new_template, group.question_id, group.consultation_id)
            connection.execute(
                update(groups)
                .where(groups.c.id == group_id)
                .values(template_response_id=new_template, template_text=text or "")
            )
            connection.execute(
                update(members)
                .where(members.c.group_id == group_id, members.c.response_id == new_template)
                .values(added_text=None)
            )


def outdate(response_ids, connection) -> None:
    """Forget the last grouping of the consultations of ``response_ids``: the next check of
    the workers groups them again (a mark taken back leaves the change mark as it was)."""
    responses = Response.__table__
    connection.execute(
        delete(CampaignRun.__table__).where(
            CampaignRun.__table__.c.consultation_id.in_(
                select(responses.c.consultation_id).where(responses.c.id.in_(list(response_ids)))
            )
        )
    )


def _text_of(connection, response_id, question_id, consultation_id):
    """The text of one response in a scope, read on ``connection`` (inside a flush)."""
    from ..consultations.models import VERSION_MARK, QuestionRecord
    from ..responses.models import Answer

    answers, questions = Answer.__table__, QuestionRecord.__table__
    query = select(answers.c.text_value).where(
        answers.c.response_id == response_id, answers.c.text_value.is_not(None)
    )
    if question_id is not None:
        return connection.execute(query.where(answers.c.question_id == question_id)).scalar()
    texts = connection.execute(
        query.join(questions, questions.c.id == answers.c.question_id)
        .where(
            questions.c.consultation_id == consultation_id,
            questions.c.kind.in_(queries.KINDS),
            # Current questions, and those a later version replaced (``key@vN``), as
            # ``queries.free_text_questions`` has them.
            or_(questions.c.active.is_(True), questions.c.key.contains(VERSION_MARK)),
        )
        .order_by(questions.c.position)
    ).scalars()
    return queries.PARAGRAPH.join(texts) or None


#: The audit action of each decision (None: taken back).
ACTIONS = {
    "confirmed": "campaign.confirm",
    "rejected": "campaign.reject",
    None: "campaign.undecide",
}


def decide(group, decision: str | None, actor, reason: str | None = None) -> None:
    """Confirm a group as a campaign, reject it, or take the decision back (``None``)."""
    if decision is not None and decision not in DECISIONS:
        raise OperationRefused(_("A group can be confirmed or rejected."))
    if group.decision == decision:
        raise OperationRefused(_("The group already has this decision."))
    before = {"decision": group.decision}
    group.decision = decision
    group.decided_at = clock.now_utc() if decision else None
    group.decided_by = actor.label if decision else None
    db.session.flush()
    record(
        actor,
        ACTIONS[decision],
        group,
        before=before,
        after={
            "decision": decision,
            "number": group.number,
            "consultation": group.consultation.slug,
        },
        reason=reason,
    )
