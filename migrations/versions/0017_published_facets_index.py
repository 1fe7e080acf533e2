"""published facets index: the counts beside the public list's filters read from an index

Revision ID: 0017
Revises: 0016

One partial index over the publishable responses with every filter column
(``publishing.facets``): the counts of all the filters are then one GROUP BY that reads
the index in order, instead of sorting every published row. Additive only.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

PUBLISHABLE_SQL = (
    "moderation = 'approved' AND flag IS NULL AND erased_at IS NULL "
    "AND publication IN ('public', 'anonymous')"
)
COLUMNS = [
    "consultation_id",
    "respondent_type",
    "country",
    "language",
    "organisation_size",
    "has_public_file",
]


def upgrade():
    where = sa.text(PUBLISHABLE_SQL)
    op.create_index(
        "ix_responses_published_facets",
        "responses",
        COLUMNS,
        sqlite_where=where,
        postgresql_where=where,
    )


def downgrade():
    op.drop_index("ix_responses_published_facets", table_name="responses")
