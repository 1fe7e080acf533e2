"""facet cubes: the counts beside the public list's filters, as a worker last counted them

Revision ID: 0020
Revises: 0019

One row per consultation (``publishing.models.FacetCube``): the workers count the
published contributions by every filter column each minute and keep the result here,
so a visitor's request reads one row instead of counting a million. Additive only.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "facet_cubes",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("counted_at", UTC_DATETIME, nullable=False),
        sa.Column("rows", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_facet_cubes_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("consultation_id", name=op.f("pk_facet_cubes")),
    )


def downgrade():
    op.drop_table("facet_cubes")
