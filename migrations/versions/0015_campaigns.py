"""campaigns: groups of near-identical free-text answers, their members and the last run

Revision ID: 0015
Revises: 0014

Adds ``campaign_groups`` (one per group found by ``consultation.campaigns``:
its template, label and an analyst's decision), ``campaign_members`` (each
answer in a group with its similarity and its own added text) and
``campaign_runs`` (what the last grouping of a consultation saw). Derived data
only: ``flask campaigns regroup`` (or the job) fills them again. Additive only.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "campaign_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("template_response_id", BIG_ID, nullable=True),
        sa.Column("template_text", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decided_at", UTC_DATETIME, nullable=True),
        sa.Column("decided_by", sa.String(length=254), nullable=True),
        sa.Column("grouped_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint(
            "decision IS NULL OR decision IN ('confirmed', 'rejected')",
            name=op.f("ck_campaign_groups_decision_known"),
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_campaign_groups_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_campaign_groups_question_id_questions"),
        ),
        sa.ForeignKeyConstraint(
            ["template_response_id"],
            ["responses.id"],
            name=op.f("fk_campaign_groups_template_response_id_responses"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_groups")),
        sa.UniqueConstraint(
            "consultation_id", "number", name=op.f("uq_campaign_groups_consultation_id")
        ),
    )
    op.create_index(
        op.f("ix_campaign_groups_consultation_id"), "campaign_groups", ["consultation_id"]
    )
    op.create_table(
        "campaign_members",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("response_id", BIG_ID, nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("added_text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["campaign_groups.id"],
            name=op.f("fk_campaign_members_group_id_campaign_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_campaign_members_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "response_id", name=op.f("pk_campaign_members")),
    )
    op.create_index(op.f("ix_campaign_members_response_id"), "campaign_members", ["response_id"])
    op.create_table(
        "campaign_runs",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("mark", sa.String(length=100), nullable=False),
        sa.Column("finished_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_campaign_runs_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("consultation_id", name=op.f("pk_campaign_runs")),
    )


def downgrade():
    op.drop_table("campaign_runs")
    op.drop_index(op.f("ix_campaign_members_response_id"), table_name="campaign_members")
    op.drop_table("campaign_members")
    op.drop_index(op.f("ix_campaign_groups_consultation_id"), table_name="campaign_groups")
    op.drop_table("campaign_groups")
