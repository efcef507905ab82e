"""Scheduled publication of signed tree heads (run by ``manage.py db_worker``)."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from . import services


@task()
def tree_heads_publish_task(reschedule: bool = True) -> int:
    """Sign a new head for every log that grew, then schedule the next run."""
    published = services.tree_heads_publish_all()
    if reschedule and tree_heads_publish_task.get_backend().supports_defer:
        later = timezone.now() + dt.timedelta(seconds=settings.GOTONG_TREE_HEAD_INTERVAL_SECONDS)
        tree_heads_publish_task.using(run_after=later).enqueue(reschedule=True)
    return published
