"""Append-only tables: triggers that refuse UPDATE and DELETE on PostgreSQL and SQLite.

Apps with append-only tables (the transparency log, the funds ledger) name their tables,
a PostgreSQL trigger function and the error message; the SQL lives here once.
"""

from collections.abc import Sequence

from django.db.backends.base.base import BaseDatabaseWrapper


def append_only_triggers_install(
    connection: BaseDatabaseWrapper, *, tables: Sequence[str], function: str, message: str
) -> None:
    """Create the refuse-UPDATE/DELETE triggers on ``tables``."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{message} (%)', TG_TABLE_NAME; END; "
                "$$ LANGUAGE plpgsql"
            )
            for table in tables:
                cursor.execute(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION {function}()"
                )
        elif connection.vendor == "sqlite":
            for table in tables:
                for action in ("UPDATE", "DELETE"):
                    cursor.execute(
                        f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
                    )


def append_only_triggers_remove(connection: BaseDatabaseWrapper, *, tables: Sequence[str]) -> None:
    """Drop the triggers (tests that flush the database; never in production code)."""
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            elif connection.vendor == "sqlite":
                for action in ("update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
