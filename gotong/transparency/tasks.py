"""Scheduled publication of signed tree heads (run by ``manage.py db_worker``)."""

import datetime as dt

from django.conf import settings
from django_tasks import task

from gotong.core.scheduling import task_chain_continue

from . import services


@task()
def tree_heads_publish_task(reschedule: bool = True) -> int:
    """Sign a new head for every log that grew, then schedule the next run."""
    if reschedule:
        # The successor first: a worker killed while publishing leaves it waiting.
        interval = dt.timedelta(seconds=settings.GOTONG_TREE_HEAD_INTERVAL_SECONDS)
        task_chain_continue(tree_heads_publish_task, interval=interval)
    return services.tree_heads_publish_all()
