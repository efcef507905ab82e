"""Self-rescheduling task chains that survive a worker crash.

A chain is a task that runs every interval (signed tree heads, SLA escalation, matching
sweeps, dashboard refresh). Three rules keep it alive when a worker dies mid-task:

- ``task_chain_continue``: a chain run enqueues its successor *before* it does its work
  (in its own committed row), so a worker killed during the work leaves the next run
  waiting: it runs within one interval of the dead one.
- A RUNNING row whose ``started_at`` is older than its lease (``GOTONG_TASK_LEASE_SECONDS``,
  per task path in ``GOTONG_TASK_LEASES``) is dead: ``task_chain_start`` (the ``--schedule``
  commands) retires it and starts the chain again instead of saying "already scheduled".
- ``task_rows_orphaned_requeue``: the worker (``manage.py db_worker``, see
  ``gotong/core/management/commands/db_worker.py``) puts dead RUNNING rows back to READY
  when it starts and once a minute after that.

The queue table is django-tasks-db's, the backend ``make run`` and production use.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

LEASE_EXPIRED_CLASS = "gotong.core.scheduling.LeaseExpired"


class LeaseExpired(Exception):
    """A task row stayed RUNNING past its lease: its worker died."""


def task_lease(task_path: str) -> dt.timedelta:
    """How long a run of ``task_path`` may stay RUNNING before it counts as dead."""
    leases: dict[str, int] = getattr(settings, "GOTONG_TASK_LEASES", {})
    seconds = leases.get(task_path, getattr(settings, "GOTONG_TASK_LEASE_SECONDS", 600))
    return dt.timedelta(seconds=seconds)


def _dead_running(*, task_path: str | None, now: dt.datetime) -> Any:
    """RUNNING rows past their lease (optionally of one task path)."""

    rows = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    if task_path is not None:
        rows = rows.filter(task_path=task_path)
    paths = rows.values_list("task_path", flat=True).distinct()
    expired = Q(pk__in=[])
    for path in paths:
        expired |= Q(task_path=path, started_at__lt=now - task_lease(path))
    return rows.filter(expired | Q(started_at__isnull=True))


def task_rows_orphaned_requeue(*, now: dt.datetime | None = None) -> int:
    """Put RUNNING rows past their lease back to READY (their worker died); returns how many."""

    now = now or timezone.now()
    count = 0
    for row in _dead_running(task_path=None, now=now).order_by("started_at"):
        # Conditional on the row as read: a worker that finished it meanwhile wins.
        count += (
            type(row)
            .objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at)
            .update(status=TaskResultStatus.READY, started_at=None)
        )
    return count


def task_chain_start(task: Any) -> bool:
    """Enqueue ``task(reschedule=True)`` unless a live run is already queued or running.

    A RUNNING row past its lease is not live: it is marked failed (``LeaseExpired``) and
    the chain starts again. Returns True when a new chain was started.
    """

    now = timezone.now()
    _dead_running(task_path=task.module_path, now=now).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=LEASE_EXPIRED_CLASS,
        traceback="The worker running this task stopped before it finished (lease expired).",
    )
    pending = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING], task_path=task.module_path
    ).exists()
    if not pending:
        task.enqueue(reschedule=True)
    return not pending


def task_chain_continue(task: Any, *, interval: dt.timedelta) -> bool:
    """Enqueue the chain's next run ``interval`` from now unless one is already waiting.

    Called at the start of a chain run, so the successor exists even if this run's worker
    dies; a re-queued dead run finds it waiting and does not fork the chain. Returns True
    when it enqueued a run (False also for backends that cannot defer, such as tests').
    """

    backend = task.get_backend()
    if not backend.supports_defer:
        return False
    if (
        isinstance(backend, DatabaseBackend)
        and DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, task_path=task.module_path
        ).exists()
    ):
        return False
    task.using(run_after=timezone.now() + interval).enqueue(reschedule=True)
    return True
