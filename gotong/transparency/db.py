"""Database triggers that make the log tables append-only on PostgreSQL and SQLite.

Even an operator with raw SQL access gets an error on UPDATE or DELETE (short of
dropping the triggers, which needs schema rights and leaves a visible gap in the signed
heads). ``triggers_remove`` exists for the test suite's flush of transactional tests.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

APPEND_ONLY_TABLES = (
    "transparency_logentry",
    "transparency_treenode",
    "transparency_signedtreehead",
)
_MESSAGE = "append-only table: UPDATE and DELETE are not allowed"


def triggers_install(connection: BaseDatabaseWrapper) -> None:
    """Create the refuse-UPDATE/DELETE triggers on every append-only table."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION gotong_append_only() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{_MESSAGE} (%)', TG_TABLE_NAME; END; "
                "$$ LANGUAGE plpgsql"
            )
            for table in APPEND_ONLY_TABLES:
                cursor.execute(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION gotong_append_only()"
                )
        elif connection.vendor == "sqlite":
            for table in APPEND_ONLY_TABLES:
                for action in ("UPDATE", "DELETE"):
                    cursor.execute(
                        f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                        f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
                    )


def triggers_remove(connection: BaseDatabaseWrapper) -> None:
    """Drop the triggers (tests that flush the database; never in production code)."""
    with connection.cursor() as cursor:
        for table in APPEND_ONLY_TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            elif connection.vendor == "sqlite":
                for action in ("update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")


def log_tables_clear(connection: BaseDatabaseWrapper) -> None:
    """Empty the append-only tables with the triggers briefly removed (test teardown only:
    a transactional test's flush would otherwise be refused row by row)."""
    triggers_remove(connection)
    try:
        with connection.cursor() as cursor:
            for table in (*APPEND_ONLY_TABLES, "transparency_loghead"):
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
    finally:
        triggers_install(connection)
