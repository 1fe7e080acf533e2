"""authoring: consultations archived and edited in the admin area

Revision ID: 0019
Revises: 0017

Two nullable timestamps on ``consultations``: ``archived_at`` (hidden from the public
lists, read-only, closed) and ``authored_at`` (its definition was last changed in the
admin area, so reloading a shipped file of the same slug leaves it alone). Additive only.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade():
    op.add_column("consultations", sa.Column("archived_at", UTC_DATETIME, nullable=True))
    op.add_column("consultations", sa.Column("authored_at", UTC_DATETIME, nullable=True))


def downgrade():
    with op.batch_alter_table("consultations") as batch:
        batch.drop_column("authored_at")
        batch.drop_column("archived_at")
