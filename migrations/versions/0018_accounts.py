"""accounts: invitations and password resets by e-mailed link, two-factor sign-in

Revision ID: 0018
Revises: 0017

Accounts are now managed in the admin area. ``account_links`` keeps the SHA-256 of each
one-time link (an invitation, or a forced password reset) with when it expires and when it
was used. ``users`` gains ``must_set_password`` (signing in waits for that link), the TOTP
secret, since when two-factor sign-in is on, and the time step of the last code accepted
(a code is never accepted twice). ``recovery_codes`` keeps the SHA-256 of the one-time codes.
Existing accounts keep their password; their admins enrol two-factor at their next sign-in.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    # In place (ALTER TABLE ADD COLUMN), never by copying ``users``: on SQLite a copy drops the
    # old table, and with foreign keys on its cascades would delete every session (see 0013).
    op.add_column(
        "users",
        sa.Column("must_set_password", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("users", sa.Column("totp_secret", sa.String(length=64), nullable=True))
    op.add_column("users", sa.Column("two_factor_since", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("totp_last_step", sa.BigInteger(), nullable=True))

    op.create_table(
        "account_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "purpose IN ('invitation', 'password_reset')",
            name=op.f("ck_account_links_purpose_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_account_links_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_links_token_hash")),
    )
    op.create_index("ix_account_links_user_id", "account_links", ["user_id"])

    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recovery_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_recovery_codes_code_hash")),
    )
    op.create_index("ix_recovery_codes_user_id", "recovery_codes", ["user_id"])


def downgrade():
    op.drop_index("ix_recovery_codes_user_id", table_name="recovery_codes")
    op.drop_table("recovery_codes")
    op.drop_index("ix_account_links_user_id", table_name="account_links")
    op.drop_table("account_links")
    for column in ("totp_last_step", "two_factor_since", "totp_secret", "must_set_password"):
        op.drop_column("users", column)
