"""The outbox: stored with the change, delivered by a task, retried, dead-lettered."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction

from gotong.channels.backends import DeliveryFailed, FileBackend
from gotong.channels.models import MessageStatus, OutboundMessage
from gotong.channels.services import (
    message_deliver,
    message_retry,
    messages_redeliver_due,
    notification_send,
)

pytestmark = pytest.mark.django_db
PHONE = "+6281234500000"


class BrokenBackend:
    channel = "broken"

    def deliver(self, message: OutboundMessage, text: str) -> str:
        raise DeliveryFailed("gateway timeout")


@pytest.fixture
def broken(monkeypatch: Any) -> None:
    monkeypatch.setattr("gotong.channels.services.backend_get", lambda: BrokenBackend())


def outbox_lines(phone: str = PHONE) -> list[dict[str, Any]]:
    path = Path(settings.GOTONG_NOTIFICATION_FILE_DIR) / f"{phone.lstrip('+')}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_message_is_stored_rendered_and_delivered() -> None:
    message = notification_send(
        recipient=PHONE,
        template="login_code",
        context={"code": "123456", "minutes": 5},
        language="id",
    )
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 1
    assert message.deliveries.get().succeeded
    assert "123456" in outbox_lines()[-1]["body"]
    assert "menit" in message.body  # rendered in Bahasa Indonesia


def test_the_message_is_rendered_in_the_requested_language() -> None:
    message = notification_send(
        recipient=PHONE,
        template="login_code",
        context={"code": "123456", "minutes": 5},
        language="en",
    )
    assert "minutes" in message.body


def test_a_rolled_back_change_sends_nothing() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        notification_send(
            recipient=PHONE, template="login_code", context={"code": "1", "minutes": 5}
        )
        raise RuntimeError("the change that caused the message failed")
    assert not OutboundMessage.objects.exists()


def test_failures_retry_with_backoff_then_dead_letter(broken: None, settings: Any) -> None:
    settings.GOTONG_NOTIFICATION_MAX_ATTEMPTS = 4
    message = notification_send(
        recipient=PHONE, template="login_code", context={"code": "1", "minutes": 5}
    )
    message.refresh_from_db()
    assert message.status == MessageStatus.DEAD
    assert message.attempts == 4
    assert [a.succeeded for a in message.deliveries.all()] == [False] * 4
    assert message.last_error == "gateway timeout"


def test_backoff_doubles(settings: Any, broken: None, monkeypatch: Any) -> None:
    settings.GOTONG_NOTIFICATION_BACKOFF_SECONDS = 30
    enqueued: list[Any] = []
    monkeypatch.setattr(
        "gotong.channels.services._enqueue", lambda message, run_after: enqueued.append(run_after)
    )
    message = notification_send(
        recipient=PHONE, template="login_code", context={"code": "1", "minutes": 5}
    )
    first = message_deliver(message_id=message.pk)
    second = message_deliver(message_id=message.pk)
    assert first.status == MessageStatus.RETRYING
    gap_1 = (enqueued[1] - first.deliveries.first().attempted_at).total_seconds()
    gap_2 = (enqueued[2] - second.deliveries.last().attempted_at).total_seconds()
    assert 29 <= gap_1 <= 31 and 59 <= gap_2 <= 61


def test_a_crash_before_delivery_loses_nothing(monkeypatch: Any) -> None:
    # The worker never ran (process killed after commit): the message waits in the outbox.
    monkeypatch.setattr("gotong.channels.services._enqueue", lambda message, run_after: None)
    message = notification_send(
        recipient=PHONE, template="login_code", context={"code": "1", "minutes": 5}
    )
    OutboundMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=message.created_at.replace(year=message.created_at.year - 1)
    )
    monkeypatch.undo()

    assert messages_redeliver_due() == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_sent_messages_are_not_sent_again() -> None:
    message = notification_send(
        recipient=PHONE, template="login_code", context={"code": "1", "minutes": 5}
    )
    message_deliver(message_id=message.pk)
    assert len(outbox_lines()) == 1


def test_a_dead_message_can_be_retried_by_an_operator(broken: None, monkeypatch: Any) -> None:
    message = notification_send(
        recipient=PHONE, template="login_code", context={"code": "1", "minutes": 5}
    )
    monkeypatch.undo()
    message.refresh_from_db()
    message_retry(message=message)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_file_backend_writes_one_file_per_recipient(tmp_path: Path) -> None:
    backend = FileBackend(str(tmp_path))
    message = OutboundMessage(pk=1, recipient=PHONE, template="t", body="isi")
    assert backend.deliver(message, "isi") == "file-1"
    assert json.loads(backend.path_for(PHONE).read_text())["body"] == "isi"
