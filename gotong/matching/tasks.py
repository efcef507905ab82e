"""Scheduled matching (run by ``manage.py db_worker``)."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from gotong.core.scheduling import task_chain_continue
from gotong.territory.models import Kelurahan

from . import services
from .models import Round, Trigger

INTERVAL = dt.timedelta(minutes=10)


def matching_due(*, kelurahan: Kelurahan) -> bool:
    """A scheduled round is due: the policy asks for them and the last one is old enough."""
    policy = services.matching_policy(kelurahan=kelurahan)
    if policy.round_interval_hours == 0:
        return False
    last = Round.objects.filter(kelurahan=kelurahan).order_by("-created_at").first()
    return last is None or last.created_at <= timezone.now() - dt.timedelta(
        hours=policy.round_interval_hours
    )


@task()
def matching_schedule_task(reschedule: bool = True) -> int:
    """Re-match declined or unanswered invitations, run due rounds, then reschedule."""
    if reschedule:
        # The successor first: a worker killed mid-run leaves it waiting.
        task_chain_continue(matching_schedule_task, interval=INTERVAL)
    done = 0
    for kelurahan in Kelurahan.objects.order_by("pk"):
        done += len(services.proposals_sweep(kelurahan=kelurahan))
        if matching_due(kelurahan=kelurahan):
            services.round_run(actor=None, kelurahan=kelurahan, trigger=Trigger.SCHEDULE)
            done += 1
    return done
