"""Scheduled refresh of the dashboard snapshots (run by ``manage.py db_worker``)."""

import datetime as dt

from django.conf import settings
from django_tasks import task

from gotong.core.scheduling import task_chain_continue

from . import services


def interval() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "GOTONG_DASHBOARD_REFRESH_SECONDS", 300))


@task()
def dashboard_refresh_task(reschedule: bool = True) -> int:
    """Refresh the snapshots that are out of date, then reschedule itself."""
    if reschedule:
        # The successor first: a worker killed mid-refresh leaves it waiting.
        task_chain_continue(dashboard_refresh_task, interval=interval())
    return services.snapshots_refresh_due()
