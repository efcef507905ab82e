"""django-tasks-db's worker, plus crash recovery: dead RUNNING rows go back to the queue.

Shadows ``django_tasks_db``'s ``db_worker`` (``gotong.core`` is listed before it in
``INSTALLED_APPS``). At start, and once a minute while it runs, the worker re-queues rows
left RUNNING past their lease by a worker that died (``task_rows_orphaned_requeue``).
"""

import logging
import threading
from typing import Any

from django.db import connection
from django_tasks_db.management.commands import db_worker

from gotong.core.scheduling import task_rows_orphaned_requeue

logger = logging.getLogger("django_tasks_db")

REQUEUE_EVERY_SECONDS = 60.0


def orphans_requeue_logged() -> int:
    """Re-queue dead rows and say so in the worker's log."""
    count = task_rows_orphaned_requeue()
    if count:
        logger.warning("Re-queued %d task(s) left running by a worker that stopped", count)
    return count


class RecoveringWorker(db_worker.Worker):
    """A worker that re-queues orphaned rows at start and then every minute."""

    def run(self) -> None:
        orphans_requeue_logged()
        stopped = threading.Event()
        watch = threading.Thread(
            target=self._orphans_watch, args=(stopped,), name="orphans-requeue", daemon=True
        )
        watch.start()
        try:
            super().run()
        finally:
            stopped.set()

    def _orphans_watch(self, stopped: threading.Event) -> None:
        # Its own thread (and database connection), so an idle or busy loop both recover.
        while not stopped.wait(REQUEUE_EVERY_SECONDS):
            try:
                orphans_requeue_logged()
            except Exception:  # noqa: BLE001 - a locked database is retried next minute
                logger.exception("Could not re-queue orphaned tasks")
            finally:
                connection.close()


class Command(db_worker.Command):
    help = db_worker.Command.help + " (re-queues tasks a dead worker left running)"

    def handle(self, *args: Any, **options: Any) -> None:
        original = db_worker.Worker
        db_worker.Worker = RecoveringWorker  # type: ignore[misc]
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original  # type: ignore[misc]
