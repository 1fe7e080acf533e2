"""export lines: each response's CSV export lines, ready to stream

Revision ID: 0005
Revises: 0004

Adds ``export_lines`` (see ``consultation.reports.ready_lines``). Existing
responses get their lines from ``flask reports prepare-exports``; until then the
export builds them from the answers, so nothing is wrong in between, only slower.
Additive only.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "export_lines",
        sa.Column(
            "response_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("layout", sa.String(length=64), nullable=False),
        sa.Column("personal", sa.Text(), nullable=False),
        sa.Column("public", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_export_lines_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", name=op.f("pk_export_lines")),
    )


def downgrade():
    op.drop_table("export_lines")
