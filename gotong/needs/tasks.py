"""Scheduled checks of needs (run by ``manage.py db_worker``)."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from gotong.territory.models import Kelurahan

from . import services

INTERVAL = dt.timedelta(minutes=15)


@task()
def needs_schedule_task(reschedule: bool = True) -> int:
    """Escalate overdue needs and reopen recurring ones in every kelurahan, then reschedule."""
    done = 0
    for kelurahan in Kelurahan.objects.order_by("pk"):
        done += services.needs_escalate_overdue(kelurahan=kelurahan)
        done += len(services.needs_reopen_due(kelurahan=kelurahan))
    if reschedule and needs_schedule_task.get_backend().supports_defer:
        needs_schedule_task.using(run_after=timezone.now() + INTERVAL).enqueue(reschedule=True)
    return done
