"""Scheduled refresh of the dashboard snapshots (run by ``manage.py db_worker``)."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from . import services


def interval() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "GOTONG_DASHBOARD_REFRESH_SECONDS", 300))


@task()
def dashboard_refresh_task(reschedule: bool = True) -> int:
    """Refresh the snapshots that are out of date, then reschedule itself."""
    refreshed = services.snapshots_refresh_due()
    if reschedule and dashboard_refresh_task.get_backend().supports_defer:
        dashboard_refresh_task.using(run_after=timezone.now() + interval()).enqueue(reschedule=True)
    return refreshed
