"""Per-connection settings that make SQLite behave like a server database.

Foreign keys are enforced, writers wait for each other instead of failing at once,
and write-ahead logging lets readers go on while a contribution is being stored.
"""

from sqlalchemy import event


def configure_engine(engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database and engine.url.database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def begin_immediate(session) -> None:
    """Make the session's SQLite transaction a writing one now: ``BEGIN IMMEDIATE``.

    pysqlite opens a transaction only before its first INSERT, UPDATE or DELETE, so the
    reads before it each see their own moment, and two transactions that read, then
    write, can both act on what they read. Taken first, the write lock makes the reads
    that follow see the latest data and no other writer commit before this one. When
    the transaction has written already, it holds the lock, and nothing is done.
    """
    dbapi_connection = session.connection().connection.dbapi_connection
    if not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")


#: Indexes that only PostgreSQL has (expression indexes the models cannot declare for both
#: databases): schema comparisons (Alembic's autogenerate, the migrations test) leave them be.
POSTGRES_ONLY_INDEXES = frozenset({"ix_item_reviews_public_text_fts"})


def include_in_comparison(item, name, type_, reflected, compare_to) -> bool:
    """Alembic's ``include_object``: everything but ``POSTGRES_ONLY_INDEXES``."""
    return not (type_ == "index" and name in POSTGRES_ONLY_INDEXES)
