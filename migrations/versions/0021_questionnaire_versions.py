"""questionnaire versions: drafts until published, and the version each contribution answered

Revision ID: 0021
Revises: 0020

``consultations.published_at``: a consultation made in the admin area is a draft (not
listed, not answerable) until an admin publishes it. Every consultation already here was
public, so each is published as of its creation.

``questionnaire_versions``: one row per version of a consultation's questionnaire (its
number, the definition last asked under it and its digest, when and by whom it began).
A new version begins when an admin chooses to make a change that would alter what
stored answers mean. Each consultation here gets its version 1: its current definition.

``responses.questionnaire_version``: the number of the version a contribution answered;
every existing one answered version 1 (the server default fills them).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade():
    op.add_column("consultations", sa.Column("published_at", UTC_DATETIME, nullable=True))
    op.execute("UPDATE consultations SET published_at = created_at")
    op.create_table(
        "questionnaire_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=True),
        sa.CheckConstraint("number >= 1", name=op.f("ck_questionnaire_versions_number_positive")),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_questionnaire_versions_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_versions")),
        sa.UniqueConstraint(
            "consultation_id", "number", name=op.f("uq_questionnaire_versions_consultation_id")
        ),
    )
    op.create_index(
        op.f("ix_questionnaire_versions_consultation_id"),
        "questionnaire_versions",
        ["consultation_id"],
    )
    op.execute(
        "INSERT INTO questionnaire_versions "
        "(consultation_id, number, definition, digest, created_at, created_by) "
        "SELECT id, 1, definition, definition_digest, created_at, NULL FROM consultations"
    )
    op.add_column(
        "responses",
        sa.Column(
            "questionnaire_version", sa.SmallInteger(), server_default=sa.text("1"), nullable=False
        ),
    )


def downgrade():
    # In place (SQLite 3.35 and later drop a column): a batch copy of ``responses`` or
    # ``consultations`` would be refused on SQLite by the tables that refer to them (see 0019).
    op.drop_column("responses", "questionnaire_version")
    op.drop_index(
        op.f("ix_questionnaire_versions_consultation_id"), table_name="questionnaire_versions"
    )
    op.drop_table("questionnaire_versions")
    op.drop_column("consultations", "published_at")
