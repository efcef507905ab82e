"""A delivery activity in RT 1/1 serving one approved need, built through the services."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from gotong.accounts.models import Role
from gotong.activities import services
from gotong.activities.models import Activity
from gotong.activities.tests.factories import approved_need, elderly, photo, verified, volunteer
from gotong.needs.models import Need
from gotong.registry.models import Person, Skill, Volunteer
from gotong.territory.models import RT


@dataclass
class World:
    rt: RT
    rt_head: Any
    rw_head: Any
    operator: Any
    driver: Volunteer
    grandma: Person
    need: Need
    activity: Activity
    verifiers: list[Any]

    def refresh(self) -> None:
        self.activity.refresh_from_db()
        self.need.refresh_from_db()


def plan(
    world_rt: RT, rw_head: Any, driver: Volunteer, needs: list[Need], **fields: Any
) -> Activity:
    values: dict[str, Any] = {
        "actor": rw_head,
        "kelurahan": world_rt.kelurahan,
        "rt": world_rt,
        "kind": "delivery",
        "title": "Antar sembako",
        "starts_at": timezone.now() + dt.timedelta(hours=1),
        "ends_at": timezone.now() + dt.timedelta(hours=3),
        "coordinator": driver.person.user,
        "needs": needs,
        "slots": [
            services.SlotIn(
                skill=Skill.objects.get(kelurahan=world_rt.kelurahan, code="driver"), count=1
            )
        ],
    }
    values.update(fields)
    return services.activity_create(**values)


@pytest.fixture
def world(rt: RT, rt_same_rw: RT, rt_other_rw: RT, make_member: Callable[..., Any]) -> World:
    rt_head = make_member(Role.KETUA_RT, rt)
    rw_head = make_member(Role.KETUA_RW, rt.rw)
    operator = verified(make_member(Role.OPERATOR, rt.kelurahan))
    driver = volunteer(rt)
    grandma = elderly(rt)
    need = approved_need(rt_head, rw_head, grandma)
    activity = plan(rt, rw_head, driver, [need])
    verifiers = [
        volunteer(rt_other_rw).person.user,
        make_member(Role.KETUA_RT, rt_same_rw),
        verified(make_member(Role.AUDITOR, rt.kelurahan)),
    ]
    return World(rt, rt_head, rw_head, operator, driver, grandma, need, activity, verifiers)


def run_to_reported(w: World) -> None:
    """Invite, accept, start, check in, photo, deliver, RT confirms, executor signs."""
    slot = w.activity.slots.get()
    assignment = services.assignment_invite(
        actor=w.rw_head, activity=w.activity, slot=slot, volunteer=w.driver
    )
    services.assignment_respond(actor=w.driver.person.user, assignment=assignment, accept=True)
    services.activity_start(actor=w.rt_head, activity=w.activity)
    services.assignment_check_in(actor=w.driver.person.user, activity=w.activity)
    services.activity_evidence_add(actor=w.driver.person.user, activity=w.activity, upload=photo())
    services.activity_need_deliver(actor=w.rt_head, activity=w.activity, need=w.need)
    w.refresh()
    services.activity_confirm_on_behalf(
        actor=w.rt_head, activity=w.activity, need=w.need, reason="Nenek tidak bisa baca SMS"
    )
    services.activity_signoff(actor=w.driver.person.user, activity=w.activity, layer="executor")
    w.refresh()


@pytest.fixture(autouse=True)
def english() -> Any:
    """Service messages are matched in English (the source language)."""
    from django.utils import translation

    with translation.override("en"):
        yield
