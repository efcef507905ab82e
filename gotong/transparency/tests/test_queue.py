"""The entry queue: busy writers queue entries in their transaction; they reach the log
right after the commit, in order, exactly once, and never when the change rolls back."""

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections, transaction

from gotong.territory.models import Kelurahan
from gotong.transparency.models import LogEntry, QueuedEntry
from gotong.transparency.selectors import log_size, log_verify
from gotong.transparency.services import (
    PersonalDataInLog,
    entry_enqueue,
    entry_record,
    log_drains_wait,
    queue_drain,
    queues_drain_all,
    tree_head_publish,
    tree_heads_publish_all,
)

pytestmark = pytest.mark.django_db


def _enqueue(kelurahan: Kelurahan, n: int) -> None:
    entry_enqueue(
        kelurahan=kelurahan, type="test.queued", actor=None, subject=f"item:{n}", data={"n": n}
    )


def test_queued_entries_reach_the_log_after_the_commit_in_order(
    kelurahan: Kelurahan, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    entry_record(kelurahan=kelurahan, type="test.direct", actor=None, subject="item:100")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for n in range(1, 4):
            _enqueue(kelurahan, n)
        assert LogEntry.objects.filter(type="test.queued").count() == 0
        assert QueuedEntry.objects.count() == 3

    # One drain per transaction and kelurahan, however many entries were queued.
    assert len(callbacks) == 1
    assert not QueuedEntry.objects.exists()
    subjects = list(
        LogEntry.objects.filter(kelurahan=kelurahan)
        .order_by("index")
        .values_list("subject", flat=True)
    )
    assert subjects == ["item:100", "item:1", "item:2", "item:3"]
    tree_head_publish(kelurahan=kelurahan)
    assert log_verify(kelurahan=kelurahan).ok


def test_a_rolled_back_change_leaves_nothing_in_the_queue_or_the_log(
    kelurahan: Kelurahan,
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        _enqueue(kelurahan, 1)
        raise RuntimeError("the change failed")
    assert not QueuedEntry.objects.exists()
    assert queue_drain(kelurahan_id=kelurahan.pk) == 0
    assert log_size(kelurahan=kelurahan) == 0


def test_personal_data_is_refused_when_queued_not_later(kelurahan: Kelurahan) -> None:
    with pytest.raises(PersonalDataInLog):
        entry_enqueue(
            kelurahan=kelurahan,
            type="test.queued",
            actor=None,
            subject="item:1",
            data={"phone": "081234567890"},
        )
    assert not QueuedEntry.objects.exists()


def test_the_tree_head_task_appends_what_a_crashed_writer_left_queued(
    kelurahan: Kelurahan, other_kelurahan: Kelurahan
) -> None:
    # No on-commit drain runs inside the test's transaction: as if the writer died.
    for n in range(3):
        _enqueue(kelurahan, n)
    _enqueue(other_kelurahan, 9)
    assert tree_heads_publish_all() == 2
    assert not QueuedEntry.objects.exists()
    assert log_size(kelurahan=kelurahan) == 3 and log_size(kelurahan=other_kelurahan) == 1
    assert queues_drain_all() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writers: PostgreSQL")
def test_parallel_writers_each_entry_appended_exactly_once(
    log_tables_flushable: Any, kelurahan: Kelurahan
) -> None:
    threads, per_thread = 8, 40
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def writer(t: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    _enqueue(kelurahan, t * 1000 + i + 1)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=writer, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()

    assert errors == []
    assert not QueuedEntry.objects.exists()
    subjects = list(LogEntry.objects.filter(kelurahan=kelurahan).values_list("subject", flat=True))
    assert len(subjects) == len(set(subjects)) == threads * per_thread
    tree_head_publish(kelurahan=kelurahan)
    assert log_verify(kelurahan=kelurahan).ok


def test_in_production_a_background_appender_batches_the_queue_after_the_commit(
    log_tables_flushable: Any, kelurahan: Kelurahan, settings: Any
) -> None:
    settings.GOTONG_LOG_DRAIN_IN_BACKGROUND = True
    settings.GOTONG_LOG_DRAIN_DELAY_MS = 20
    for batch in range(3):
        with transaction.atomic():
            for n in range(5):
                _enqueue(kelurahan, batch * 10 + n + 1)
    log_drains_wait()
    assert not QueuedEntry.objects.exists()
    subjects = list(
        LogEntry.objects.filter(kelurahan=kelurahan)
        .order_by("index")
        .values_list("subject", flat=True)
    )
    assert subjects == [f"item:{b * 10 + n + 1}" for b in range(3) for n in range(5)]
    tree_head_publish(kelurahan=kelurahan)
    assert log_verify(kelurahan=kelurahan).ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a held row lock: PostgreSQL")
def test_the_appender_retries_when_a_plain_writer_held_the_log(
    log_tables_flushable: Any, kelurahan: Kelurahan, settings: Any
) -> None:
    settings.GOTONG_LOG_DRAIN_IN_BACKGROUND = True
    settings.GOTONG_LOG_DRAIN_DELAY_MS = 20
    entry_record(kelurahan=kelurahan, type="test.direct", actor=None, subject="item:100")
    holding, release = threading.Event(), threading.Event()

    def plain_writer() -> None:
        try:
            with transaction.atomic():
                entry_record(
                    kelurahan=kelurahan, type="test.direct", actor=None, subject="item:101"
                )
                holding.set()
                release.wait(5)
        finally:
            connections.close_all()

    thread = threading.Thread(target=plain_writer)
    thread.start()
    assert holding.wait(5)
    with transaction.atomic():
        _enqueue(kelurahan, 1)
    time.sleep(0.2)  # the appender has found the lock taken at least once
    assert QueuedEntry.objects.count() == 1
    release.set()
    thread.join()
    log_drains_wait()
    assert not QueuedEntry.objects.exists()
    assert log_size(kelurahan=kelurahan) == 3
