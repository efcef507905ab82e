"""Background tasks of the notification outbox (run by ``manage.py db_worker``)."""

from django_tasks import task


@task()
def message_deliver_task(message_id: int) -> str:
    """Deliver one stored message; returns its status."""
    from . import services  # why: services enqueue this task, so they import this module

    return str(services.message_deliver(message_id=message_id).status)


@task()
def messages_redeliver_due_task() -> int:
    """Re-enqueue overdue messages (scheduled by the operator's cron / systemd timer)."""
    from . import services  # why: services enqueue message_deliver_task from this module

    return services.messages_redeliver_due()
