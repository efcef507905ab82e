"""Background tasks of the notification outbox (run by ``manage.py db_worker``)."""

from django_tasks import task

from . import services


@task()
def message_deliver_task(message_id: int) -> str:
    """Deliver one stored message; returns its status."""
    return str(services.message_deliver(message_id=message_id).status)


@task()
def messages_redeliver_due_task() -> int:
    """Re-enqueue overdue messages (scheduled by the operator's cron / systemd timer)."""
    return services.messages_redeliver_due()
