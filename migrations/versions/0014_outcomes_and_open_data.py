"""outcomes and open data: we asked, you said, we did; who asked to be told; results while open

Revision ID: 0014
Revises: 0013

An outcome (one per consultation) holds the decision that followed and, per
interface language, the three Markdown texts of "We asked, you said, we did".
``outcome_recipients`` holds one row per person told (or who opted out), by the
digest of their address, so the e-mail goes once per person. ``responses`` gets
the respondent's answer to "tell me about the outcome" as a profile column, and
``consultations`` the admin's choice to publish results while still open.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    # Adding a nullable column (or one with a constant default) is a change of the table's
    # definition only, on both databases: no copy of the millions of responses.
    op.add_column("responses", sa.Column("outcome_updates", sa.String(length=8), nullable=True))
    op.add_column(
        "consultations",
        sa.Column("results_while_open", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("decision_title", sa.String(length=300), nullable=False),
        sa.Column("decision_url", sa.String(length=500), nullable=True),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("report_url", sa.String(length=500), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_outcomes_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcomes")),
        sa.UniqueConstraint("consultation_id", name=op.f("uq_outcomes_consultation_id")),
    )
    op.create_table(
        "outcome_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("we_asked", sa.Text(), nullable=False),
        sa.Column("you_said", sa.Text(), nullable=False),
        sa.Column("we_did", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["outcomes.id"],
            name=op.f("fk_outcome_texts_outcome_id_outcomes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_texts")),
        sa.UniqueConstraint("outcome_id", "language", name=op.f("uq_outcome_texts_outcome_id")),
    )
    op.create_table(
        "outcome_recipients",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("email_digest", sa.String(length=64), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_outcome_recipients_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_recipients")),
        sa.UniqueConstraint(
            "consultation_id", "email_digest", name=op.f("uq_outcome_recipients_consultation_id")
        ),
    )


def downgrade():
    op.drop_table("outcome_recipients")
    op.drop_table("outcome_texts")
    op.drop_table("outcomes")
    # In place on both databases (SQLite 3.35 or newer): a batch copy of ``consultations``
    # would drop the table every response refers to, which its foreign keys refuse.
    op.drop_column("consultations", "results_while_open")
    op.drop_column("responses", "outcome_updates")
