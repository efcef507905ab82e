"""Database triggers that make ledger transfers and postings append-only (PostgreSQL and
SQLite), the same way as the transparency log (``gotong/transparency/db.py``).

A correction is a reversing transfer, never an edit. ``ledger_tables_clear`` exists for
the test suite's flush of transactional tests.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

LEDGER_TABLES = ("funds_transfer", "funds_posting")
_MESSAGE = "ledger table: UPDATE and DELETE are not allowed"


def triggers_install(connection: BaseDatabaseWrapper) -> None:
    """Create the refuse-UPDATE/DELETE triggers on the ledger tables."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION gotong_ledger_append_only() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{_MESSAGE} (%)', TG_TABLE_NAME; END; "
                "$$ LANGUAGE plpgsql"
            )
            for table in LEDGER_TABLES:
                cursor.execute(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION gotong_ledger_append_only()"
                )
        elif connection.vendor == "sqlite":
            for table in LEDGER_TABLES:
                for action in ("UPDATE", "DELETE"):
                    cursor.execute(
                        f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                        f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
                    )


def triggers_remove(connection: BaseDatabaseWrapper) -> None:
    """Drop the triggers (tests that flush the database; never in production code)."""
    with connection.cursor() as cursor:
        for table in LEDGER_TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            elif connection.vendor == "sqlite":
                for action in ("update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")


def ledger_tables_clear(connection: BaseDatabaseWrapper) -> None:
    """Empty every funds table with the triggers briefly removed (test teardown only)."""
    from django.apps import apps

    triggers_remove(connection)
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                tables = ", ".join(
                    m._meta.db_table for m in apps.get_app_config("funds").get_models()
                )
                cursor.execute(f"TRUNCATE {tables} CASCADE")  # noqa: S608 - model table names
            else:
                cursor.execute("PRAGMA foreign_keys = OFF")
                for model in apps.get_app_config("funds").get_models():
                    cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608
                cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        triggers_install(connection)
