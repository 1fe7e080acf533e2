"""authoring: consultations archived and edited in the admin area

Revision ID: 0019
Revises: 0018

Two nullable timestamps on ``consultations``: ``archived_at`` (hidden from the public
lists, read-only, closed) and ``authored_at`` (its definition was last changed in the
admin area, so reloading a shipped file of the same slug leaves it alone). Additive only.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade():
    op.add_column("consultations", sa.Column("archived_at", UTC_DATETIME, nullable=True))
    op.add_column("consultations", sa.Column("authored_at", UTC_DATETIME, nullable=True))


def downgrade():
    # In place (SQLite 3.35 and later drop a column): a batch copy of ``consultations`` would
    # be refused on SQLite by the tables that refer to it (see 0013 and 0018).
    op.drop_column("consultations", "authored_at")
    op.drop_column("consultations", "archived_at")
