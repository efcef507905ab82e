"""Database triggers that make the log tables append-only on PostgreSQL and SQLite.

Even an operator with raw SQL access gets an error on UPDATE or DELETE (short of
dropping the triggers, which needs schema rights and leaves a visible gap in the signed
heads). ``triggers_remove`` exists for the test suite's flush of transactional tests.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

from gotong.core.db import append_only_triggers_install, append_only_triggers_remove

APPEND_ONLY_TABLES = (
    "transparency_logentry",
    "transparency_treenode",
    "transparency_signedtreehead",
)
_MESSAGE = "append-only table: UPDATE and DELETE are not allowed"


def triggers_install(connection: BaseDatabaseWrapper) -> None:
    """Create the refuse-UPDATE/DELETE triggers on these tables."""
    append_only_triggers_install(
        connection, tables=APPEND_ONLY_TABLES, function="gotong_append_only", message=_MESSAGE
    )


def triggers_remove(connection: BaseDatabaseWrapper) -> None:
    """Drop the triggers (tests that flush the database; never in production code)."""
    append_only_triggers_remove(connection, tables=APPEND_ONLY_TABLES)


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
