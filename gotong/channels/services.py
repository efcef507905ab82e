"""Notification use-cases.

- ``notification_send``: render a message, store it in the outbox and enqueue its delivery
  in the caller's transaction (nothing is lost or sent for a rolled-back change).
- ``message_deliver``: one delivery try, recorded; retries with exponential backoff and a
  dead-letter state after ``GOTONG_NOTIFICATION_MAX_ATTEMPTS`` failures.
- ``messages_redeliver_due``: re-enqueue messages whose delivery is overdue (after a crash).
- ``message_secrets_wipe_expired``: wipe the sealed codes of messages whose code expired
  (an open one is dead-lettered: its code no longer works).

Bearer codes (login, receipt and voucher codes) never reach the stored body: it holds
placeholders and the codes are sealed in ``secret`` until delivered or expired
(``bearer.py``).
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .backends import DeliveryFailed, backend_get
from .bearer import context_seal, delivery_text
from .models import DeliveryAttempt, MessageStatus, OutboundMessage

_OPEN = (MessageStatus.PENDING, MessageStatus.RETRYING)


@transaction.atomic
def notification_send(
    *,
    recipient: str,
    template: str,
    context: dict[str, Any],
    kelurahan: Any = None,
    language: str | None = None,
) -> OutboundMessage:
    """Store a message for a recipient and enqueue its delivery in the same transaction."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    sealed = context_seal(template, context)
    with translation.override(language):
        body = render_to_string(f"channels/messages/{template}.txt", sealed.context).strip()
    message = OutboundMessage.objects.create(
        kelurahan=kelurahan,
        channel=backend_get().channel,
        recipient=recipient,
        template=template,
        language=language,
        body=body,
        secret=sealed.secret,
        secret_expires_at=sealed.expires_at,
        next_attempt_at=timezone.now(),
    )
    _enqueue(message, run_after=None)
    return message


def _enqueue(message: OutboundMessage, *, run_after: dt.datetime | None) -> None:
    from .tasks import message_deliver_task

    task = message_deliver_task
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    task.enqueue(message_id=message.pk)


def message_deliver(*, message_id: int) -> OutboundMessage:
    """Try to deliver one message and record the attempt; schedule a retry on failure."""
    message = OutboundMessage.objects.get(pk=message_id)
    if message.status not in _OPEN:
        return message
    if message.secret_expires_at is not None and message.secret_expires_at <= timezone.now():
        message_secrets_wipe_expired()
        message.refresh_from_db()
        return message
    backend = backend_get()
    try:
        reference = backend.deliver(
            message, delivery_text(body=message.body, secret=message.secret)
        )
    except DeliveryFailed as exc:
        return _failure_record(message, str(exc) or exc.__class__.__name__)
    except Exception as exc:  # noqa: BLE001 - any adapter crash counts as a failed try
        return _failure_record(message, f"{exc.__class__.__name__}: {exc}")
    now = timezone.now()
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            message=message, succeeded=True, provider_reference=reference
        )
        OutboundMessage.objects.filter(pk=message.pk, status__in=_OPEN).update(
            status=MessageStatus.SENT,
            secret="",  # delivered: the code is no longer kept
            sent_at=now,
            attempts=message.attempts + 1,
            next_attempt_at=None,
            updated_at=now,
        )
    message.refresh_from_db()
    return message


def _failure_record(message: OutboundMessage, error: str) -> OutboundMessage:
    attempts = message.attempts + 1
    now = timezone.now()
    with transaction.atomic():
        DeliveryAttempt.objects.create(message=message, succeeded=False, error=error[:2000])
        if attempts >= settings.GOTONG_NOTIFICATION_MAX_ATTEMPTS:
            status, next_at = MessageStatus.DEAD, None
        else:
            delay = settings.GOTONG_NOTIFICATION_BACKOFF_SECONDS * 2 ** (attempts - 1)
            status, next_at = MessageStatus.RETRYING, now + dt.timedelta(seconds=delay)
        OutboundMessage.objects.filter(pk=message.pk).update(
            status=status,
            attempts=attempts,
            last_error=error[:2000],
            next_attempt_at=next_at,
            updated_at=now,
        )
        message.refresh_from_db()
        if status == MessageStatus.RETRYING:
            _enqueue(message, run_after=next_at)
    return message


@transaction.atomic
def message_secrets_wipe_expired(*, now: dt.datetime | None = None) -> int:
    """Wipe the sealed codes that expired; an open message with one is dead-lettered."""
    now = now or timezone.now()
    expired = OutboundMessage.objects.filter(secret_expires_at__lte=now)
    expired.filter(status__in=_OPEN).update(
        status=MessageStatus.DEAD,
        next_attempt_at=None,
        last_error="The code in this message expired before it could be delivered.",
        updated_at=now,
    )
    return expired.exclude(secret="").update(secret="", updated_at=now)


def messages_redeliver_due(*, grace: dt.timedelta = dt.timedelta(minutes=10)) -> int:
    """Re-enqueue open messages overdue by more than ``grace`` (their task was lost);
    expired codes are wiped first."""
    message_secrets_wipe_expired()
    overdue = OutboundMessage.objects.filter(
        status__in=_OPEN, next_attempt_at__lte=timezone.now() - grace
    ).order_by("pk")
    count = 0
    for message in overdue.iterator():
        with transaction.atomic():
            _enqueue(message, run_after=None)
        count += 1
    return count


@transaction.atomic
def message_retry(*, message: OutboundMessage) -> OutboundMessage:
    """Give a dead-lettered message a fresh set of tries (an operator's decision); not one
    whose code expired (it was wiped and would not work)."""
    if message.status != MessageStatus.DEAD:
        return message
    if message.secret_expires_at is not None and (
        not message.secret or message.secret_expires_at <= timezone.now()
    ):
        return message
    message.status = MessageStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    _enqueue(message, run_after=None)
    return message
