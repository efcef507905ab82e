"""Scheduled checks of needs (run by ``manage.py db_worker``)."""

import datetime as dt

from django_tasks import task

from gotong.core.scheduling import task_chain_continue
from gotong.territory.models import Kelurahan

from . import services

INTERVAL = dt.timedelta(minutes=15)


@task()
def needs_schedule_task(reschedule: bool = True) -> int:
    """Escalate overdue needs and reopen recurring ones in every kelurahan, then reschedule."""
    if reschedule:
        # The successor first: a worker killed mid-run leaves it waiting.
        task_chain_continue(needs_schedule_task, interval=INTERVAL)
    done = 0
    for kelurahan in Kelurahan.objects.order_by("pk"):
        done += services.needs_escalate_overdue(kelurahan=kelurahan)
        done += len(services.needs_reopen_due(kelurahan=kelurahan))
    return done
