"""The campaigns page's reads: how many groups each scope has, and one page of them.

A consultation whose every text was copied can have thousands of groups; the page lists
the largest of each scope and pages through the rest, so its cost is a count of members
per group (read from the members' primary key) and the figures of the groups shown.
"""

from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from ..responses.models import Response
from .models import CampaignGroup, CampaignMember
from .queries import GroupRow, member_figures

#: The scope of the whole contribution's free text, as the page's ``?scope=`` spells it.
WHOLE = "whole"


@dataclass(frozen=True)
class ScopeTotal:
    """How many groups of at least the smallest size listed a scope has, and their answers."""

    groups: int
    answers: int


def _sizes(consultation, minimum):
    """(group id, question id, size) of the consultation's groups of ``minimum`` or more."""
    return (
        select(
            CampaignGroup.id.label("group_id"),
            CampaignGroup.question_id.label("question_id"),
            CampaignGroup.number.label("number"),
            func.count().label("size"),
        )
        .join(CampaignMember, CampaignMember.group_id == CampaignGroup.id)
        .where(CampaignGroup.consultation_id == consultation.id)
        .group_by(CampaignGroup.id, CampaignGroup.question_id, CampaignGroup.number)
        .having(func.count() >= minimum)
        .subquery()
    )


def scope_totals(consultation, *, minimum=2) -> dict[int | None, ScopeTotal]:
    """For each scope (a question's id, ``None`` for whole contributions) with a group."""
    sizes = _sizes(consultation, minimum)
    rows = db.session.execute(
        select(sizes.c.question_id, func.count(), func.sum(sizes.c.size)).group_by(
            sizes.c.question_id
        )
    )
    return {question_id: ScopeTotal(groups, int(answers)) for question_id, groups, answers in rows}


def group_page(consultation, question_id, *, minimum=2, limit=20, offset=0) -> list[GroupRow]:
    """The groups of one scope, largest first (then by number), ``limit`` from ``offset``,
    with their figures (added texts, first and last arrival)."""
    sizes = _sizes(consultation, minimum)
    scope = (
        sizes.c.question_id.is_(None) if question_id is None else sizes.c.question_id == question_id
    )
    ids = db.session.scalars(
        select(sizes.c.group_id)
        .where(scope)
        .order_by(sizes.c.size.desc(), sizes.c.number)
        .limit(limit)
        .offset(offset)
    ).all()
    if not ids:
        return []
    figures = db.session.execute(
        select(CampaignGroup, *member_figures())
        .join(CampaignMember, CampaignMember.group_id == CampaignGroup.id)
        .join(Response, Response.id == CampaignMember.response_id)
        .where(CampaignGroup.id.in_(ids))
        .group_by(CampaignGroup.id)
    )
    found = {
        row[0].id: GroupRow(row[0], row.size, row.added, row.first_at, row.last_at)
        for row in figures
    }
    return [found[group_id] for group_id in ids]
