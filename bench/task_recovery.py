"""Scheduled tasks survive a crash: a real ``kill -9`` of the worker in the middle of a run.

Builds a throw-away SQLite database (migrate, one kelurahan), leaves a backlog of queued log
entries as a ledger writer does when it dies between its commit and its drain (so the
tree-head run has seconds of real work: it appends the backlog, then signs), starts the
tree-head chain (``publish_tree_heads --schedule``) and a worker (``manage.py db_worker``
subprocess). When the chain's row has been RUNNING for a moment it sends SIGKILL to the
worker, starts a new worker at once and measures, from the kill:
  successor_started_s: until the run queued before the work starts (due one interval
      after the killed run started)
  task_recovery_s: until the next signed tree head exists
  dead_row_recovery_s: until the killed run's row is no longer RUNNING (re-queued)
  dead_row_done_s: until that row has run again to the end (dead_row_status: how)
and prints the values used (short, so the whole run takes about a minute):
  interval_s: GOTONG_TREE_HEAD_INTERVAL_SECONDS
  lease_s: the tree-head task's lease (GOTONG_TASK_LEASES)
  killed_after_s: how long the killed run had been RUNNING
  backlog_entries, backlog_left_at_kill: queued entries before the run and at the kill
  orphans_requeued: rows the new worker re-queued (its log line)
  chain_runs_waiting: READY runs of the chain at the end (1: the chain did not fork)
  log_verified: 1 when verify_log accepts the log (every entry and every signed head)
Targets: task_recovery_s <= interval_s, dead_row_recovery_s <= lease_s + interval_s.

Usage: python bench/task_recovery.py [--interval 10] [--lease 20] [--backlog 30000]
"""

import argparse
import base64
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TASK_PATH = "gotong.transparency.tasks.tree_heads_publish_task"
SETTINGS = """\
from config.settings.local import *  # noqa: F403

GOTONG_TREE_HEAD_INTERVAL_SECONDS = {interval}
GOTONG_TASK_LEASES = {{**GOTONG_TASK_LEASES, "{path}": {lease}}}  # noqa: F405
"""
POLL_S = 0.02
TIMEOUT_S = 180.0


def _environment(tmp: Path, args: argparse.Namespace) -> dict[str, str]:
    (tmp / "recovery_settings.py").write_text(
        SETTINGS.format(interval=args.interval, lease=args.lease, path=TASK_PATH),
        encoding="utf-8",
    )
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="recovery_settings",
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        DJANGO_DEBUG="0",
        GOTONG_LOG_SIGNING_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        GOTONG_NOTIFICATION_FILE_DIR=str(tmp / "outbox"),
        PYTHONPATH=os.pathsep.join([str(tmp), str(ROOT)]),
    )
    return env


def write_backlog(count: int) -> None:
    """Child: queue ``count`` entries in one transaction, then die before the drain."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import transaction

    from gotong.territory.models import Kelurahan
    from gotong.transparency.services import entry_enqueue

    kelurahan = Kelurahan.objects.get()
    with transaction.atomic():
        for number in range(count):
            entry_enqueue(
                kelurahan=kelurahan,
                type="rw.created",
                actor=None,
                subject=f"rw:{number + 1}",
                data={"number": number + 1},
            )
    # Committed; the background appender would start 200 ms from now. The writer dies
    # first (no atexit hooks), as a crashed web process would: the queue stays behind.
    os._exit(0)


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, str(ROOT / "manage.py"), "db_worker"]
    command += ["--interval", "0.2", "--no-startup-delay", "--no-reload"]
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)  # noqa: S603


def _wait(check: Any, what: str, timeout: float = TIMEOUT_S) -> float:
    """Poll ``check`` until it is true; returns the monotonic time it became true."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"task_recovery: gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(POLL_S)
    return time.monotonic()


EVENTS = ("successor_started", "task_recovery", "dead_row_recovery", "dead_row_done")


def _events(now_true: Any, names: tuple[str, ...]) -> dict[str, float]:
    """Poll ``now_true()`` (the set of events that have happened) until all of ``names``
    have; returns the monotonic time each was first seen."""
    seen: dict[str, float] = {}
    deadline = time.monotonic() + TIMEOUT_S
    while len(seen) < len(names):
        if time.monotonic() > deadline:
            missing = ", ".join(n for n in names if n not in seen)
            raise SystemExit(f"task_recovery: no {missing} after {TIMEOUT_S:.0f} s")
        stamp = time.monotonic()
        for name in now_true():
            seen.setdefault(name, stamp)
        time.sleep(POLL_S)
    return seen


def measure(tmp: Path, env: dict[str, str], args: argparse.Namespace) -> None:
    os.environ.update(env)
    sys.path[:0] = [str(tmp), str(ROOT)]
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import close_old_connections
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from gotong.territory.models import Kelurahan
    from gotong.transparency.models import LogEntry, QueuedEntry, SignedTreeHead

    quiet = open(os.devnull, "w")  # noqa: SIM115 - closed with the process
    call_command("migrate", verbosity=0)
    call_command("kelurahan_create", "--code", "35.77.03.1009", "--slug", "taman", stdout=quiet)
    kelurahan = Kelurahan.objects.get()
    subprocess.run(  # noqa: S603 - this same script, fixed arguments
        [sys.executable, __file__, "--write-backlog", str(args.backlog)], env=env, check=True
    )
    backlog = QueuedEntry.objects.count()
    assert backlog == args.backlog, f"the backlog writer left {backlog} entries"
    heads_before = SignedTreeHead.objects.count()

    call_command("publish_tree_heads", "--schedule", stdout=quiet)
    chain = DBTaskResult.objects.get(task_path=TASK_PATH)
    log1, log2 = tmp / "worker1.log", tmp / "worker2.log"
    first = _worker(env, log1)
    second: subprocess.Popen[bytes] | None = None
    try:

        def running() -> bool:
            close_old_connections()
            return DBTaskResult.objects.filter(
                pk=chain.pk, status=TaskResultStatus.RUNNING
            ).exists()

        seen_running = _wait(running, "the chain's row to be RUNNING", timeout=60)
        time.sleep(args.kill_after)
        os.kill(first.pid, signal.SIGKILL)
        killed = time.monotonic()
        first.wait()
        second = _worker(env, log2)

        row = DBTaskResult.objects.get(pk=chain.pk)
        if row.status != TaskResultStatus.RUNNING:
            raise SystemExit(f"task_recovery: the run ended ({row.status}) before the kill")
        left_at_kill = QueuedEntry.objects.count()
        killed_after = (killed - seen_running) + POLL_S / 2

        done = {TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED}

        def events_now() -> set[str]:
            close_old_connections()
            status = DBTaskResult.objects.filter(pk=chain.pk).values_list("status", flat=True)
            seen = {"dead_row_done"} if status.get() in done else set()
            if status.get() != TaskResultStatus.RUNNING:
                seen.add("dead_row_recovery")
            if SignedTreeHead.objects.count() > heads_before:
                seen.add("task_recovery")
            successor = DBTaskResult.objects.filter(task_path=TASK_PATH, started_at__isnull=False)
            if successor.exclude(pk=chain.pk).exists():
                seen.add("successor_started")
            return seen

        at = _events(events_now, EVENTS)
        final_status = DBTaskResult.objects.get(pk=chain.pk).status
        # Let the chain's next run settle before counting (it may be claiming right now).
        time.sleep(1.0)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    requeued = sum(
        int(n) for n in re.findall(r"Re-queued (\d+) task", log2.read_text(encoding="utf-8"))
    )
    waiting = DBTaskResult.objects.filter(
        task_path=TASK_PATH, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).count()
    try:
        call_command("verify_log", "--kelurahan", "taman", stdout=quiet)
        verified = 1
    except Exception as exc:  # noqa: BLE001 - reported as a figure
        print(f"verify_log failed: {exc}", file=sys.stderr)
        verified = 0
    for name in EVENTS:
        print(f"{name}_s: {at[name] - killed:.1f}")
    print(f"dead_row_status: {final_status}")
    print(f"interval_s: {args.interval}")
    print(f"lease_s: {args.lease}")
    print(f"killed_after_s: {killed_after:.1f}")
    print(f"backlog_entries: {backlog}")
    print(f"backlog_left_at_kill: {left_at_kill}")
    print(f"orphans_requeued: {requeued}")
    print(f"chain_runs_waiting: {waiting}")
    print(f"log_entries: {LogEntry.objects.filter(kelurahan=kelurahan).count()}")
    print(f"log_verified: {verified}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=int, default=10, help="tree-head interval, seconds")
    parser.add_argument("--lease", type=int, default=20, help="tree-head task lease, seconds")
    parser.add_argument("--backlog", type=int, default=30_000, help="queued entries to append")
    parser.add_argument("--kill-after", type=float, default=1.0, help="seconds RUNNING")
    parser.add_argument("--write-backlog", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_backlog is not None:
        write_backlog(args.write_backlog)
        return
    tmp = Path(tempfile.mkdtemp(prefix="gotong-task-recovery-"))
    try:
        measure(tmp, _environment(tmp, args), args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
