"""Scheduled task chains survive a worker that dies mid-task (issue 13, item 7)."""

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from gotong.core.scheduling import (
    LEASE_EXPIRED_CLASS,
    REQUEUE_EVERY,
    task_lease,
    task_requeue_wait,
    task_rows_orphaned_requeue,
)
from gotong.territory.models import Kelurahan
from gotong.transparency.models import QueuedEntry, SignedTreeHead
from gotong.transparency.selectors import log_verify
from gotong.transparency.services import entry_enqueue, entry_record
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


def test_the_worker_looks_again_when_the_first_running_lease_runs_out(
    db_tasks: None, settings: Any
) -> None:
    settings.GOTONG_TASK_LEASES = {PATH: 20}
    now = timezone.now()
    dead_row_left_running(started=dt.timedelta(seconds=5))

    # 20 s lease, started 5 s ago: look again just after 15 s, not in a minute.
    assert 15 <= task_requeue_wait(now=now) <= 15.5


def test_with_nothing_running_the_worker_looks_at_least_every_shortest_lease(
    db_tasks: None, settings: Any
) -> None:
    settings.GOTONG_TASK_LEASES = {PATH: 20, "other.task": 900}
    assert task_requeue_wait() == 20
    settings.GOTONG_TASK_LEASES = {}
    settings.GOTONG_TASK_LEASE_SECONDS = 600
    assert task_requeue_wait() == REQUEUE_EVERY.total_seconds()


# --- A real worker process killed with SIGKILL in the middle of a run ------------------

INTERVAL_S, LEASE_S = 2, 4
BACKLOG = 20_000  # queued entries: the run appends them for a few seconds, then signs
WORKER_SETTINGS = f"""\
from config.settings.test import *  # noqa: F403

TASKS = {{"default": {{"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}}}
GOTONG_TREE_HEAD_INTERVAL_SECONDS = {INTERVAL_S}
GOTONG_TASK_LEASES = {{"{PATH}": {LEASE_S}}}
"""


class WorkerDatabase:
    """The database a worker subprocess shares with the test.

    PostgreSQL: the test database itself (the test is transactional, so rows are
    committed). SQLite: the test database lives in memory, so it is copied to a file for
    the worker and copied back at the end, for the ORM's final look.
    """

    def __init__(self, tmp_path: Path) -> None:
        self.sqlite = connection.vendor == "sqlite"
        db = connection.settings_dict
        if self.sqlite:
            self.path = tmp_path / "worker.sqlite3"
            connection.ensure_connection()
            with closing(sqlite3.connect(self.path)) as copy:
                connection.connection.backup(copy)
            self.url = f"sqlite:///{self.path}"
        else:
            user = f"{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}@" if db["USER"] else ""
            self.url = f"postgres://{user}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/"
            self.url += db["NAME"]

    def value(self, sql: str, *params: Any) -> Any:
        """The first column of the first row (``%s`` placeholders)."""
        if not self.sqlite:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()[0]
        with closing(sqlite3.connect(self.path, timeout=20)) as reader:
            return reader.execute(sql.replace("%s", "?"), params).fetchone()[0]

    def status(self, pk: Any) -> str:
        table = DBTaskResult._meta.db_table
        key = DBTaskResult._meta.pk.get_db_prep_value(pk, connection)
        return str(self.value(f"SELECT status FROM {table} WHERE id = %s", key))  # noqa: S608

    def queued(self) -> int:
        return int(self.value(f"SELECT COUNT(*) FROM {QueuedEntry._meta.db_table}"))  # noqa: S608

    def head_size(self) -> int:
        table = SignedTreeHead._meta.db_table
        return int(self.value(f"SELECT COALESCE(MAX(tree_size), -1) FROM {table}"))  # noqa: S608

    def copy_back(self) -> None:
        if self.sqlite:
            with closing(sqlite3.connect(self.path)) as copy:
                copy.backup(connection.connection)


@pytest.fixture
def worker_start(tmp_path: Path) -> Iterator[Callable[[WorkerDatabase, str], Any]]:
    """Start ``manage.py db_worker`` subprocesses on a database; stopped at the end."""
    (tmp_path / "killed_worker_settings.py").write_text(WORKER_SETTINGS, encoding="utf-8")
    started: list[subprocess.Popen[bytes]] = []

    def start(database: WorkerDatabase, log_name: str) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        root = Path(django_settings.BASE_DIR)
        env.update(
            DJANGO_SETTINGS_MODULE="killed_worker_settings",
            DATABASE_URL=database.url,
            PYTHONPATH=os.pathsep.join([str(tmp_path), str(root)]),
        )
        command = [sys.executable, str(root / "manage.py"), "db_worker", "--interval", "0.1"]
        command += ["--no-startup-delay", "--no-reload"]
        with (tmp_path / log_name).open("wb") as log:
            process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=log)  # noqa: S603
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def backlog_queued(kelurahan: Kelurahan, count: int) -> None:
    """``count`` queued entries, as ledger writers that died before their drain leave them."""
    with transaction.atomic():
        entry_enqueue(
            kelurahan=kelurahan, type="rw.created", actor=None, subject="rw:1", data={"number": 1}
        )
        entry = QueuedEntry.objects.get().entry
        transaction.set_rollback(True)  # only the checked entry is kept, not its drain
    now = timezone.now()
    QueuedEntry.objects.bulk_create(
        QueuedEntry(kelurahan=kelurahan, entry=entry, queued_at=now) for _ in range(count)
    )


def until(check: Callable[[], bool], *, timeout: float, what: str) -> float:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.01)
    return time.monotonic()


def test_a_worker_killed_with_sigkill_mid_run_the_chain_recovers(
    db_tasks: None, kelurahan: Kelurahan, tmp_path: Path, worker_start: Any
) -> None:
    log_grew(kelurahan)
    backlog_queued(kelurahan, BACKLOG)
    assert schedule() == "scheduled"
    chain = DBTaskResult.objects.get(task_path=PATH)
    database = WorkerDatabase(tmp_path)

    first = worker_start(database, "worker1.log")
    # Killed while appending the backlog: its successor is already queued (before the work).
    until(
        lambda: (
            database.status(chain.pk) == TaskResultStatus.RUNNING and database.queued() < BACKLOG
        ),
        timeout=30,
        what="run under way",
    )
    os.kill(first.pid, signal.SIGKILL)
    killed = time.monotonic()
    first.wait()
    assert database.status(chain.pk) == TaskResultStatus.RUNNING, "the run ended before the kill"
    assert database.queued() > 0
    assert database.head_size() == -1

    worker_start(database, "worker2.log")
    # The successor (due one interval after the killed run started) appends the rest and
    # signs; the dead row is re-queued once its lease runs out (not a minute later).
    head_at = until(
        lambda: database.head_size() == 1 + BACKLOG, timeout=INTERVAL_S + 20, what="signed head"
    )
    requeued_at = until(
        lambda: database.status(chain.pk) != TaskResultStatus.RUNNING,
        timeout=LEASE_S + 10,
        what="re-queue of the dead row",
    )
    until(
        lambda: database.status(chain.pk) == TaskResultStatus.SUCCESSFUL,
        timeout=20,
        what="second run of the dead row",
    )
    assert head_at - killed < INTERVAL_S + 20
    assert requeued_at - killed < LEASE_S + 10
    assert "Re-queued 1 task(s)" in (tmp_path / "worker2.log").read_text(encoding="utf-8")

    time.sleep(0.5)  # a run of the chain may be starting right now
    database.copy_back()
    # One chain, not two: exactly one run waiting (or running), and an intact log.
    pending = [TaskResultStatus.READY, TaskResultStatus.RUNNING]
    assert DBTaskResult.objects.filter(task_path=PATH, status__in=pending).count() == 1
    assert not QueuedEntry.objects.exists()
    check = log_verify(kelurahan=kelurahan)
    assert check.ok, check.problems
    assert check.size == 1 + BACKLOG
