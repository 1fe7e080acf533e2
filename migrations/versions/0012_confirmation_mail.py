"""jobs.response_id: the contribution a confirmation e-mail is about, one job at most

Revision ID: 0012
Revises: 0011

A respondent who ticks "Send me a copy by e-mail" gets a confirmation e-mail sent by
a job (``consultation.responses.confirmation``). ``jobs.response_id`` names the
contribution; its unique index lets one contribution have one such job, ever, so the
e-mail is never queued twice. Deleting a contribution deletes its job (its sealed
private links with it). Empty for every existing job: additive only.

On SQLite the foreign key makes Alembic copy ``jobs``; no other table points at it,
so nothing cascades from the copy.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("response_id", BIG_ID, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_jobs_response_id_responses"),
            "responses",
            ["response_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(batch_op.f("ix_jobs_response_id"), ["response_id"], unique=True)


def downgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_response_id"))
        batch_op.drop_constraint(batch_op.f("fk_jobs_response_id_responses"), type_="foreignkey")
        batch_op.drop_column("response_id")
