"""tally outbox: contributions whose answers the workers have still to count

Revision ID: 0022
Revises: 0021

``tally_outbox``: one row per response whose contribution is not in ``answer_tallies``
yet (see ``consultation.reports.tally_outbox``). A contribution's request writes the row
in the contribution's own transaction; a worker adds the contribution to the tallies and
deletes the row in one transaction. Every response stored so far was counted when it was
written, so the table starts empty.

Downgrading: the code before this revision does not know the table, so responses still
waiting in it are counted first: the tallies are counted again from every answer, with
the query of revision 0006 (only if some were waiting).
"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

#: The type of ``responses.id`` (SQLite auto-increments INTEGER keys only).
RESPONSE_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "tally_outbox",
        sa.Column("response_id", RESPONSE_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_tally_outbox_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", name=op.f("pk_tally_outbox")),
    )


def _fill_of_0006() -> str:
    """The counting query of revision 0006 (revisions are files, not an importable package)."""
    path = Path(__file__).with_name("0006_answer_tallies.py")
    spec = importlib.util.spec_from_file_location("revision_0006", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FILL


def downgrade():
    waiting = op.get_bind().execute(sa.text("SELECT 1 FROM tally_outbox LIMIT 1")).first()
    if waiting:
        op.execute("DELETE FROM answer_tallies")
        op.execute(_fill_of_0006())
    op.drop_table("tally_outbox")
