"""Volunteers: weekly capacity, and only the invited volunteer answers an invitation."""

import pytest

from gotong.activities import services
from gotong.activities.tests.factories import World, plan
from gotong.core.exceptions import Conflict, PermissionDenied

pytestmark = pytest.mark.django_db


def test_weekly_capacity_of_a_volunteer_is_respected(world: World) -> None:
    world.driver.max_tasks_per_week = 1
    world.driver.save()
    slot = world.activity.slots.get()
    services.assignment_invite(
        actor=world.rw_head, activity=world.activity, slot=slot, volunteer=world.driver
    )
    other = plan(world.rt, world.rw_head, world.driver, [], purpose="Kerja bakti selokan")
    with pytest.raises(Conflict, match="limit"):
        services.assignment_invite(
            actor=world.rw_head, activity=other, slot=other.slots.get(), volunteer=world.driver
        )


def test_only_the_invited_volunteer_answers(world: World) -> None:
    slot = world.activity.slots.get()
    a = services.assignment_invite(
        actor=world.rw_head, activity=world.activity, slot=slot, volunteer=world.driver
    )
    with pytest.raises(PermissionDenied):
        services.assignment_respond(actor=world.rt_head, assignment=a, accept=True)
