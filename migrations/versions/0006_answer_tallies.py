"""answer tallies: running counts of the answers for summaries, and a profile index

Revision ID: 0006
Revises: 0005

Adds ``answer_tallies`` (see ``consultation.reports.tallies``) and fills it
from the answers already stored, with the same counting as the application's
``contribution_query`` (written out here so that this migration does not
change when the application does); and an index on the responses' profile
columns, from which the summary's breakdowns are read. Additive only. At a
million responses the upgrade takes a few minutes (five on SQLite here).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

FILL = """
INSERT INTO answer_tallies
    (question_id, measure, row_key, option_key, respondent_type, country, n, rank_sum, firsts)
SELECT a.question_id, 'answers', COALESCE(a.row_key, ''), COALESCE(a.option_key, ''),
       COALESCE(r.respondent_type, ''), COALESCE(r.country, ''),
       COUNT(*), COALESCE(SUM(a.rank), 0), SUM(CASE WHEN a.rank = 1 THEN 1 ELSE 0 END)
FROM answers a JOIN responses r ON r.id = a.response_id
WHERE r.flag IS NULL
GROUP BY a.question_id, a.row_key, a.option_key, r.respondent_type, r.country
UNION ALL
SELECT p.question_id, 'answered', '', '', COALESCE(p.respondent_type, ''),
       COALESCE(p.country, ''), COUNT(*), 0, 0
FROM (
    SELECT DISTINCT a.question_id, a.response_id, r.respondent_type, r.country
    FROM answers a JOIN responses r ON r.id = a.response_id
    WHERE r.flag IS NULL
) p
GROUP BY p.question_id, p.respondent_type, p.country
UNION ALL
SELECT a.question_id, 'numbers', '', CAST(a.number_value AS VARCHAR),
       COALESCE(r.respondent_type, ''), COALESCE(r.country, ''), COUNT(*), 0, 0
FROM answers a JOIN responses r ON r.id = a.response_id
WHERE r.flag IS NULL AND a.number_value IS NOT NULL
GROUP BY a.question_id, a.number_value, r.respondent_type, r.country
"""


def upgrade():
    op.create_table(
        "answer_tallies",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=8), nullable=False),
        sa.Column("row_key", sa.String(length=64), nullable=False),
        sa.Column("option_key", sa.String(length=64), nullable=False),
        sa.Column("respondent_type", sa.String(length=64), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("rank_sum", sa.BigInteger(), nullable=False),
        sa.Column("firsts", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"], ["questions.id"], name=op.f("fk_answer_tallies_question_id_questions")
        ),
        sa.PrimaryKeyConstraint(
            "question_id",
            "measure",
            "row_key",
            "option_key",
            "respondent_type",
            "country",
            name=op.f("pk_answer_tallies"),
        ),
    )
    op.execute(FILL)
    op.create_index(
        "ix_responses_profile",
        "responses",
        [
            "consultation_id",
            "flag",
            "respondent_type",
            "country",
            "organisation_size",
            "publication",
        ],
    )


def downgrade():
    op.drop_index("ix_responses_profile", table_name="responses")
    op.drop_table("answer_tallies")
