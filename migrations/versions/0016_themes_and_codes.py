"""themes and codes: themes found in free-text answers, and each question's codebook

Revision ID: 0016
Revises: 0015

Adds ``themes`` and ``theme_answers`` (see ``consultation.themes``: the themes a
job finds in a question's answers, which analysts rename, merge and split, and
which answer is in which) and ``codes`` and ``answer_codes`` (a codebook per
question, and the codes analysts tick on answers). Additive only.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table, column, target, ondelete="CASCADE"):
    name, _, key = target.partition(".")
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{name}"), ondelete=ondelete
    )


def upgrade():
    op.create_table(
        "themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("found_at", UTC_DATETIME, nullable=False),
        _fk("themes", "question_id", "questions.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_themes")),
    )
    op.create_index("ix_themes_question_position", "themes", ["question_id", "position"])
    op.create_table(
        "theme_answers",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("response_id", BIG_ID, nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        _fk("theme_answers", "theme_id", "themes.id"),
        _fk("theme_answers", "question_id", "questions.id"),
        _fk("theme_answers", "response_id", "responses.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme_answers")),
        sa.UniqueConstraint(
            "question_id", "response_id", name=op.f("uq_theme_answers_question_id")
        ),
    )
    op.create_index("ix_theme_answers_theme_weight", "theme_answers", ["theme_id", "weight"])
    op.create_index(op.f("ix_theme_answers_response_id"), "theme_answers", ["response_id"])
    op.create_table(
        "codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint("length(label) > 0", name=op.f("ck_codes_label_not_empty")),
        _fk("codes", "question_id", "questions.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_codes")),
        sa.UniqueConstraint("question_id", "label", name=op.f("uq_codes_question_id")),
    )
    op.create_table(
        "answer_codes",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("response_id", BIG_ID, nullable=False),
        sa.Column("coded_at", UTC_DATETIME, nullable=False),
        sa.Column("coded_by_id", sa.Integer(), nullable=True),
        _fk("answer_codes", "code_id", "codes.id"),
        _fk("answer_codes", "response_id", "responses.id"),
        _fk("answer_codes", "coded_by_id", "users.id", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_codes")),
        sa.UniqueConstraint("code_id", "response_id", name=op.f("uq_answer_codes_code_id")),
    )
    op.create_index(op.f("ix_answer_codes_response_id"), "answer_codes", ["response_id"])


def downgrade():
    op.drop_index(op.f("ix_answer_codes_response_id"), table_name="answer_codes")
    op.drop_table("answer_codes")
    op.drop_table("codes")
    op.drop_index(op.f("ix_theme_answers_response_id"), table_name="theme_answers")
    op.drop_index("ix_theme_answers_theme_weight", table_name="theme_answers")
    op.drop_table("theme_answers")
    op.drop_index("ix_themes_question_position", table_name="themes")
    op.drop_table("themes")
