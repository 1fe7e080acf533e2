"""kept files: files chosen in a questionnaire whose form came back with errors

Revision ID: 0010
Revises: 0009

A browser never sends a chosen file twice, so when a questionnaire comes back
with errors (or its token expired) the file chosen in it is kept server-side for
that form, found by the SHA-256 of the form's submission token, until the form is
sent or a day has passed (``flask uploads purge``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "kept_files",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("form_hash", sa.String(length=64), nullable=False),
        sa.Column("question_key", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_kept_files_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kept_files")),
        sa.UniqueConstraint("form_hash", "question_key", name=op.f("uq_kept_files_form_hash")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_kept_files_stored_name")),
    )
    with op.batch_alter_table("kept_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kept_files_consultation_id"), ["consultation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_kept_files_created_at"), ["created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("kept_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kept_files_created_at"))
        batch_op.drop_index(batch_op.f("ix_kept_files_consultation_id"))
    op.drop_table("kept_files")
