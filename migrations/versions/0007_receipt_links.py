"""receipt links apart from references; private links held server-side while shown

Revision ID: 0007
Revises: 0006

The reference was also the address of the receipt, so anyone who saw it quoted could
read the contribution, e-mail included. From now on a reference is a short label that
opens nothing, and a private receipt link (a token of which only the SHA-256 is kept,
as for the edit link) shows the contribution and its PDF copy.

- ``responses.receipt_token_hash``: empty for the responses already stored. There is
  nothing to fill it from (a token is made when a contribution is stored and shown
  once; a hash cannot be given back to anyone). Those responses keep their reference:
  it is what their respondents hold and quote, so staff still find them by it, and
  their old receipt address now shows a page that explains how to get the
  contribution back (their edit link, or the organisers). No existing value changes,
  so there is no backfill to run and the downgrade loses only the new receipt links.
- ``pending_links``: the private links a page shows for ten minutes after they were
  made, sealed with a key that only the browser's session holds, instead of the
  tokens themselves in the (signed, readable) session cookie. Rows live minutes;
  the table starts empty.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    # A column and a unique index, which SQLite adds in place. A unique constraint would
    # make Alembic copy the table and drop the old one, and with foreign keys on, dropping
    # ``responses`` deletes every answer, file, version and export line through their
    # cascades. The downgrade drops the column in place too (SQLite 3.35 or newer).
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receipt_token_hash", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_responses_receipt_token_hash"), ["receipt_token_hash"], unique=True
        )

    op.create_table(
        "pending_links",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_links")),
    )
    with op.batch_alter_table("pending_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pending_links_expires_at"), ["expires_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("pending_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_links_expires_at"))
    op.drop_table("pending_links")

    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_responses_receipt_token_hash"))
    with op.batch_alter_table("responses", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("receipt_token_hash")
