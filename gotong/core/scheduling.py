"""Self-rescheduling tasks: start a chain only when none is queued yet."""

from typing import Any


def task_chain_start(task: Any) -> bool:
    """Enqueue ``task(reschedule=True)`` unless a run is already queued or running.

    Returns True when a new chain was started. Reads django-tasks-db's queue table, the
    backend ``make run`` and production use.
    """
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    pending = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING], task_path=task.module_path
    ).exists()
    if not pending:
        task.enqueue(reschedule=True)
    return not pending
