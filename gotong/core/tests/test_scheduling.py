"""Scheduled task chains survive a worker that dies mid-task (issue 13, item 7)."""

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from gotong.core.scheduling import LEASE_EXPIRED_CLASS, task_lease, task_rows_orphaned_requeue
from gotong.territory.models import Kelurahan
from gotong.transparency.models import SignedTreeHead
from gotong.transparency.services import entry_record
from gotong.transparency.tasks import tree_heads_publish_task

pytestmark = pytest.mark.django_db(transaction=True)
PATH = tree_heads_publish_task.module_path


@pytest.fixture
def db_tasks(settings: Any, log_tables_flushable: Any) -> None:
    """The queue of ``make run`` and production (django-tasks-db), not the test's immediate one."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def worker_drain() -> None:
    """One worker run that handles every task due now, then stops (as ``db_worker`` starts)."""
    call_command(
        "db_worker", batch=True, interval=0, startup_delay=False, reload=False, stdout=StringIO()
    )


def schedule() -> str:
    out = StringIO()
    call_command("publish_tree_heads", "--schedule", stdout=out)
    return out.getvalue().strip()


def dead_row_left_running(*, started: dt.timedelta) -> DBTaskResult:
    """The chain's row as a worker killed mid-publish leaves it: RUNNING for good."""
    result = tree_heads_publish_task.enqueue(reschedule=True)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - started
    )
    return DBTaskResult.objects.get(pk=result.id)


def log_grew(kelurahan: Kelurahan) -> None:
    entry_record(
        kelurahan=kelurahan, type="rw.created", actor=None, subject="rw:1", data={"number": 1}
    )


def test_schedule_restarts_a_chain_whose_running_row_outlived_its_lease(
    db_tasks: None, kelurahan: Kelurahan
) -> None:
    dead = dead_row_left_running(started=task_lease(PATH) + dt.timedelta(seconds=1))
    log_grew(kelurahan)

    assert schedule() == "scheduled"

    dead.refresh_from_db()
    assert dead.status == TaskResultStatus.FAILED
    assert dead.exception_class_path == LEASE_EXPIRED_CLASS
    worker_drain()
    assert SignedTreeHead.objects.filter(kelurahan=kelurahan).exists()


def test_a_running_row_within_its_lease_is_still_alive(db_tasks: None) -> None:
    alive = dead_row_left_running(started=dt.timedelta(seconds=5))

    assert schedule() == "already scheduled"
    assert task_rows_orphaned_requeue() == 0
    alive.refresh_from_db()
    assert alive.status == TaskResultStatus.RUNNING


def test_the_worker_start_requeues_an_orphaned_row_and_the_next_head_appears(
    db_tasks: None, kelurahan: Kelurahan, settings: Any, caplog: Any
) -> None:
    dead = dead_row_left_running(started=task_lease(PATH) + dt.timedelta(seconds=1))
    log_grew(kelurahan)

    worker_drain()

    assert "Re-queued 1 task(s)" in caplog.text
    dead.refresh_from_db()
    assert dead.status == TaskResultStatus.SUCCESSFUL
    head = SignedTreeHead.objects.get(kelurahan=kelurahan)
    assert head.tree_size == 1
    # ... and the chain goes on: exactly one successor, due within one interval.
    successor = DBTaskResult.objects.get(task_path=PATH, status=TaskResultStatus.READY)
    interval = dt.timedelta(seconds=settings.GOTONG_TREE_HEAD_INTERVAL_SECONDS)
    assert successor.run_after <= timezone.now() + interval


def test_a_worker_killed_while_publishing_leaves_the_next_run_waiting(
    db_tasks: None, kelurahan: Kelurahan, settings: Any, monkeypatch: Any
) -> None:
    def killed_mid_task() -> int:
        raise SystemExit("worker killed")

    monkeypatch.setattr("gotong.transparency.services.tree_heads_publish_all", killed_mid_task)
    crashed_at = timezone.now()
    with pytest.raises(SystemExit):
        tree_heads_publish_task.call(reschedule=True)
    monkeypatch.undo()
    log_grew(kelurahan)
    assert not SignedTreeHead.objects.filter(kelurahan=kelurahan).exists()

    successor = DBTaskResult.objects.get(task_path=PATH, status=TaskResultStatus.READY)
    interval = dt.timedelta(seconds=settings.GOTONG_TREE_HEAD_INTERVAL_SECONDS)
    assert successor.run_after <= crashed_at + interval + dt.timedelta(seconds=1)
    # One interval later the worker runs it: the next signed head is there.
    DBTaskResult.objects.filter(pk=successor.pk).update(run_after=timezone.now())
    worker_drain()
    assert SignedTreeHead.objects.get(kelurahan=kelurahan).tree_size == 1


def test_a_requeued_dead_run_does_not_fork_the_chain(db_tasks: None, kelurahan: Kelurahan) -> None:
    tree_heads_publish_task.using(run_after=timezone.now() + dt.timedelta(minutes=1)).enqueue(
        reschedule=True
    )
    dead_row_left_running(started=task_lease(PATH) + dt.timedelta(seconds=1))

    worker_drain()

    assert DBTaskResult.objects.filter(task_path=PATH, status=TaskResultStatus.READY).count() == 1
