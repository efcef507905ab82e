"""Database triggers that make ledger transfers and postings append-only (PostgreSQL and
SQLite), the same way as the transparency log (``gotong/transparency/db.py``).

A correction is a reversing transfer, never an edit. ``ledger_tables_clear`` exists for
the test suite's flush of transactional tests.
"""

from django.apps import apps
from django.db.backends.base.base import BaseDatabaseWrapper

from gotong.core.db import append_only_triggers_install, append_only_triggers_remove

LEDGER_TABLES = ("funds_transfer", "funds_posting")
_MESSAGE = "ledger table: UPDATE and DELETE are not allowed"


def triggers_install(connection: BaseDatabaseWrapper) -> None:
    """Create the refuse-UPDATE/DELETE triggers on these tables."""
    append_only_triggers_install(
        connection, tables=LEDGER_TABLES, function="gotong_ledger_append_only", message=_MESSAGE
    )


def triggers_remove(connection: BaseDatabaseWrapper) -> None:
    """Drop the triggers (tests that flush the database; never in production code)."""
    append_only_triggers_remove(connection, tables=LEDGER_TABLES)


def ledger_tables_clear(connection: BaseDatabaseWrapper) -> None:
    """Empty every funds table with the triggers briefly removed (test teardown only)."""
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
