"""publication: the consultation's setting, public IDs, moderation, redactions, moderators

Revision ID: 0013
Revises: 0011

- ``consultations.publication_mode``: "after_closing" for every consultation (the
  default: nothing is public before the consultation closes), "when_moderated" or
  "never".
- ``responses``: ``public_id`` (the address of a published contribution, random and
  unrelated to the reference; filled here for the responses already stored),
  ``moderation`` ("pending" for all of them: nothing becomes public that nobody
  cleared; ``flask publishing settle`` then approves those without free text or files),
  ``withheld_reason``, ``moderation_note``, ``moderated_at``, ``has_public_file``; and
  partial indexes over the rows the public list may show, one per filter.
- ``item_reviews`` (a decision on one free-text answer or file; on PostgreSQL a GIN
  index for full-text search of the published texts) and ``redactions`` (words removed
  from an answer before publication).
- ``users.role`` may be "moderator".

Columns are added in place on SQLite (``ALTER TABLE ADD COLUMN``, its check
constraint with it): copying ``responses`` or ``users`` would drop the old table,
and with foreign keys on that deletes every answer, or every session, through
their cascades. For the same reason the check on ``users.role`` is widened on SQLite
by rewriting its text in the schema (the procedure SQLite documents for changes
that leave the stored rows as they are); no row needs to change for it.
"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)
PUBLISHABLE_SQL = (
    "moderation = 'approved' AND flag IS NULL AND erased_at IS NULL "
    "AND publication IN ('public', 'anonymous')"
)
#: (index name, filter column or None) of the public list's partial indexes.
PUBLISHED_INDEXES = (
    ("ix_responses_published", None),
    ("ix_responses_published_type", "respondent_type"),
    ("ix_responses_published_country", "country"),
    ("ix_responses_published_language", "language"),
    ("ix_responses_published_size", "organisation_size"),
    ("ix_responses_published_file", "has_public_file"),
)
PUBLIC_ALPHABET = "23456789abcdefghjkmnpqrstvwxyz"
OLD_ROLES = "role IN ('admin', 'analyst')"
NEW_ROLES = "role IN ('admin', 'analyst', 'moderator')"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _add_checked_column(table, column_sql, check_name, check_sql, column):
    """A NOT NULL column with a default and its check, added in place on every backend."""
    if _sqlite():
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {column_sql} "
            f"CONSTRAINT {check_name} CHECK ({check_sql})"
        )
    else:
        op.add_column(table, column)
        op.create_check_constraint(op.f(check_name), table, check_sql)


def _new_public_id() -> str:
    return "".join(secrets.choice(PUBLIC_ALPHABET) for _ in range(10))


def _rewrite_sqlite_check(table, old, new):
    """Replace ``old`` by ``new`` in the stored text of ``table``'s definition (SQLite)."""
    bind = op.get_bind()
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = ?",
        (old, new, table),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version={version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")


def upgrade():
    _add_checked_column(
        "consultations",
        "publication_mode VARCHAR(16) DEFAULT 'after_closing' NOT NULL",
        "ck_consultations_publication_mode_known",
        "publication_mode IN ('after_closing', 'when_moderated', 'never')",
        sa.Column(
            "publication_mode",
            sa.String(length=16),
            server_default="after_closing",
            nullable=False,
        ),
    )
    _add_checked_column(
        "responses",
        "moderation VARCHAR(16) DEFAULT 'pending' NOT NULL",
        "ck_responses_moderation_known",
        "moderation IN ('pending', 'approved', 'withheld')",
        sa.Column("moderation", sa.String(length=16), server_default="pending", nullable=False),
    )
    op.add_column("responses", sa.Column("public_id", sa.String(length=16), nullable=True))
    op.add_column("responses", sa.Column("withheld_reason", sa.String(length=32), nullable=True))
    op.add_column("responses", sa.Column("moderation_note", sa.Text(), nullable=True))
    op.add_column("responses", sa.Column("moderated_at", UTC_DATETIME, nullable=True))
    op.add_column(
        "responses",
        sa.Column("has_public_file", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )

    # Every stored response gets its public ID now (a few thousand per statement).
    bind = op.get_bind()
    responses = sa.table("responses", sa.column("id"), sa.column("public_id"))
    while True:
        ids = (
            bind.execute(
                sa.select(responses.c.id).where(responses.c.public_id.is_(None)).limit(5000)
            )
            .scalars()
            .all()
        )
        if not ids:
            break
        bind.execute(
            responses.update().where(responses.c.id == sa.bindparam("rid")),
            [{"rid": rid, "public_id": _new_public_id()} for rid in ids],
        )
    op.create_index("ix_responses_public_id", "responses", ["public_id"], unique=True)
    where = sa.text(PUBLISHABLE_SQL)
    for name, column in PUBLISHED_INDEXES:
        columns = ["consultation_id", *([column] if column else []), "submitted_at", "id"]
        op.create_index(name, "responses", columns, sqlite_where=where, postgresql_where=where)

    op.create_table(
        "item_reviews",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "response_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("answer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("upload_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("public_text", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(length=254), nullable=False),
        sa.Column("decided_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint(
            "(answer_id IS NULL) <> (upload_id IS NULL)", name=op.f("ck_item_reviews_one_item")
        ),
        sa.CheckConstraint(
            "reason IS NULL OR reason IN ('third_party', 'offensive', 'defamatory', 'other')",
            name=op.f("ck_item_reviews_reason_known"),
        ),
        sa.CheckConstraint(
            "state IN ('approved', 'withheld')", name=op.f("ck_item_reviews_state_known")
        ),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["answers.id"],
            name=op.f("fk_item_reviews_answer_id_answers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_item_reviews_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_item_reviews_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["uploads.id"],
            name=op.f("fk_item_reviews_upload_id_uploads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_reviews")),
        sa.UniqueConstraint("answer_id", name=op.f("uq_item_reviews_answer_id")),
        sa.UniqueConstraint("upload_id", name=op.f("uq_item_reviews_upload_id")),
    )
    op.create_index(
        op.f("ix_item_reviews_response_id"), "item_reviews", ["response_id"], unique=False
    )
    if not _sqlite():
        # Full-text search of the published texts (``publishing.queries._matches``).
        op.execute(
            "CREATE INDEX ix_item_reviews_public_text_fts ON item_reviews "
            "USING gin (to_tsvector('simple', public_text))"
        )
    op.create_table(
        "redactions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "response_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "answer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint(
            "reason IN ('third_party', 'offensive', 'defamatory', 'other')",
            name=op.f("ck_redactions_reason_known"),
        ),
        sa.CheckConstraint(
            "span_start >= 0 AND span_end > span_start", name=op.f("ck_redactions_span_order")
        ),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["answers.id"],
            name=op.f("fk_redactions_answer_id_answers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_redactions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_redactions_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redactions")),
    )
    op.create_index(op.f("ix_redactions_answer_id"), "redactions", ["answer_id"], unique=False)
    op.create_index(op.f("ix_redactions_response_id"), "redactions", ["response_id"], unique=False)

    if _sqlite():
        _rewrite_sqlite_check("users", OLD_ROLES, NEW_ROLES)
    else:
        op.drop_constraint(op.f("ck_users_role_known"), "users", type_="check")
        op.create_check_constraint(op.f("ck_users_role_known"), "users", NEW_ROLES)


def downgrade():
    # Moderators become analysts (they keep reading), then the role's check narrows again.
    op.execute("UPDATE users SET role = 'analyst' WHERE role = 'moderator'")
    if _sqlite():
        _rewrite_sqlite_check("users", NEW_ROLES, OLD_ROLES)
    else:
        op.drop_constraint(op.f("ck_users_role_known"), "users", type_="check")
        op.create_check_constraint(op.f("ck_users_role_known"), "users", OLD_ROLES)
    op.drop_index(op.f("ix_redactions_response_id"), table_name="redactions")
    op.drop_index(op.f("ix_redactions_answer_id"), table_name="redactions")
    op.drop_table("redactions")
    if not _sqlite():
        op.execute("DROP INDEX ix_item_reviews_public_text_fts")
    op.drop_index(op.f("ix_item_reviews_response_id"), table_name="item_reviews")
    op.drop_table("item_reviews")
    for name, _column in PUBLISHED_INDEXES:
        op.drop_index(name, table_name="responses")
    op.drop_index("ix_responses_public_id", table_name="responses")
    if not _sqlite():
        op.drop_constraint(op.f("ck_responses_moderation_known"), "responses", type_="check")
        op.drop_constraint(
            op.f("ck_consultations_publication_mode_known"), "consultations", type_="check"
        )
    # SQLite 3.35 or newer drops a column in place (its column check goes with it).
    for column in (
        "has_public_file",
        "moderated_at",
        "moderation_note",
        "withheld_reason",
        "public_id",
        "moderation",
    ):
        op.drop_column("responses", column)
    op.drop_column("consultations", "publication_mode")
