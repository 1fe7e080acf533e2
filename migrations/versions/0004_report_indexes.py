"""report indexes: text fingerprints on answers, answers by question and response

Revision ID: 0004
Revises: 0003

Adds ``answers.text_fingerprint`` (the normalised free text, hashed) and an index
on (question_id, text_fingerprint), so groups of identical contributions are
counted by SQL. Existing answers are fingerprinted here, in batches. An index on
(question_id, response_id) lets "how many answered each question" be read from
the index alone. Additive only.
"""

import sqlalchemy as sa
from alembic import op

from consultation.responses.fingerprint import text_fingerprint

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade():
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text_fingerprint", sa.String(length=32), nullable=True))
        batch_op.create_index(
            "ix_answers_question_fingerprint", ["question_id", "text_fingerprint"], unique=False
        )
        batch_op.create_index(
            "ix_answers_question_response", ["question_id", "response_id"], unique=False
        )
    _backfill(op.get_bind())


def _backfill(connection):
    answers = sa.table(
        "answers",
        sa.column("id", sa.Integer),
        sa.column("text_value", sa.Text),
        sa.column("text_fingerprint", sa.String),
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(answers.c.id, answers.c.text_value)
            .where(answers.c.id > last, answers.c.text_value.is_not(None))
            .order_by(answers.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            answers.update()
            .where(answers.c.id == sa.bindparam("answer_id"))
            .values(text_fingerprint=sa.bindparam("fingerprint")),
            [{"answer_id": i, "fingerprint": text_fingerprint(text)} for i, text in rows],
        )
        last = rows[-1][0]


def downgrade():
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_index("ix_answers_question_response")
        batch_op.drop_index("ix_answers_question_fingerprint")
        batch_op.drop_column("text_fingerprint")
