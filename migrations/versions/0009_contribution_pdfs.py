"""contribution pdfs: each contribution's PDF copy, kept until the contribution changes

Revision ID: 0009
Revises: 0008

Adds ``contribution_pdfs`` (see ``consultation.reports.pdf_cache``): one row per
response and interface language, holding the copy a respondent downloads and a
fingerprint of what it was made from. Rows are deleted with their response, and when
the response changes. Nothing to fill: copies are made when first asked for.
Additive only.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "contribution_pdfs",
        sa.Column(
            "response_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("made_from", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_contribution_pdfs_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", "locale", name=op.f("pk_contribution_pdfs")),
    )


def downgrade():
    op.drop_table("contribution_pdfs")
