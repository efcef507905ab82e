"""Sign-off: layers in order, K configurable per kelurahan, and the independence and
rotation rules for verifiers (each refusal with its reason, nothing recorded)."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gotong.activities import services
from gotong.activities.models import ActivityPolicy, ActivityStatus, Assignment, SignOff
from gotong.activities.tests.factories import (
    World,
    approved_need,
    elderly,
    independent_signoff_refused,
    plan,
    run_to_reported,
    volunteer,
)
from gotong.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from gotong.needs.tests.factories import resident
from gotong.registry.models import Person

pytestmark = pytest.mark.django_db


def test_layers_go_in_order(world: World) -> None:
    run_to_reported(world)
    with pytest.raises(ValidationFailed, match="RT head signs off first"):
        services.activity_signoff(actor=world.rw_head, activity=world.activity, layer="rw")
    with pytest.raises(PermissionDenied):
        services.activity_signoff(actor=world.rw_head, activity=world.activity, layer="rt")


def test_k_is_configurable_per_kelurahan(world: World) -> None:
    services.activity_policy_set(
        actor=world.operator, kelurahan=world.rt.kelurahan, verifiers_required=1, rotation_max=3
    )
    run_to_reported(world)
    services.activity_signoff(actor=world.rt_head, activity=world.activity, layer="rt")
    services.activity_signoff(actor=world.rw_head, activity=world.activity, layer="rw")
    services.activity_signoff(
        actor=world.verifiers[0], activity=world.activity, layer="independent"
    )
    world.refresh()
    assert world.activity.status == ActivityStatus.SIGNED_OFF


def test_independent_verifier_passes_every_rule(world: World) -> None:
    run_to_reported(world)
    services.activity_signoff(
        actor=world.verifiers[0], activity=world.activity, layer="independent"
    )


def test_the_executor_is_not_independent(world: World) -> None:
    # A second driver, also a relawan, accepts and checks in: they worked in it.
    helper = volunteer(world.rt, skills=("driver", "cook"))
    slot = world.activity.slots.get()
    slot.count = 2
    slot.save()
    a = services.assignment_invite(
        actor=world.rw_head, activity=world.activity, slot=slot, volunteer=helper
    )
    services.assignment_respond(actor=helper.person.user, assignment=a, accept=True)
    run_to_reported(world)
    Assignment.objects.filter(pk=a.pk).update(checked_in_at=timezone.now())
    independent_signoff_refused(world, helper.person.user, "executor")
    with pytest.raises(Conflict):  # the coordinator already signed, as executor
        services.activity_signoff(
            actor=world.driver.person.user, activity=world.activity, layer="independent"
        )


def test_the_heads_of_this_rt_and_rw_are_not_independent(world: World) -> None:
    run_to_reported(world)
    independent_signoff_refused(world, world.rt_head, "own_area")
    independent_signoff_refused(world, world.rw_head, "own_area")


def test_a_resident_without_a_verifier_role_isindependent_signoff_refused(world: World) -> None:
    run_to_reported(world)
    independent_signoff_refused(world, resident(world.rt).user, "role")


def test_a_member_of_the_beneficiarys_household_is_not_independent(
    world: World, rt_other_rw: Any
) -> None:
    run_to_reported(world)
    grandson = volunteer(rt_other_rw)
    Person.objects.filter(pk=grandson.person.pk).update(household=world.grandma.household)
    independent_signoff_refused(world, grandson.person.user, "household")


def test_a_member_of_the_executors_household_is_not_independent(
    world: World, rt_other_rw: Any
) -> None:
    run_to_reported(world)
    spouse = volunteer(rt_other_rw)
    Person.objects.filter(pk=spouse.person.pk).update(household=world.driver.person.household)
    independent_signoff_refused(world, spouse.person.user, "household")


def test_rotation_limits_verifications_of_the_same_executor(world: World, make_member: Any) -> None:
    """N=3 by default: a verifier who signed 3 activities of this coordinator in the last
    30 days must let someone else verify the 4th; older sign-offs do not count."""
    verifier = world.verifiers[0]
    for _round in range(3):
        grandma = elderly(world.rt, phone="")
        need = approved_need(world.rt_head, world.rw_head, grandma)
        earlier = plan(world.rt, world.rw_head, world.driver, [need])
        SignOff.objects.create(
            activity=earlier,
            layer="independent",
            signer=verifier,
            role="relawan",
            executor=world.activity.coordinator,
        )
    run_to_reported(world)
    independent_signoff_refused(world, verifier, "rotation")
    # Another verifier is fine, and after the window the first one is eligible again.
    services.activity_signoff(
        actor=world.verifiers[1], activity=world.activity, layer="independent"
    )
    SignOff.objects.filter(signer=verifier).update(at=timezone.now() - dt.timedelta(days=31))
    services.activity_signoff(actor=verifier, activity=world.activity, layer="independent")


def test_rotation_limit_is_configurable(world: World) -> None:
    ActivityPolicy.objects.create(kelurahan=world.rt.kelurahan, rotation_max=1)
    verifier = world.verifiers[0]
    need = approved_need(world.rt_head, world.rw_head, elderly(world.rt, phone=""))
    earlier = plan(world.rt, world.rw_head, world.driver, [need])
    SignOff.objects.create(
        activity=earlier,
        layer="independent",
        signer=verifier,
        role="relawan",
        executor=world.activity.coordinator,
    )
    run_to_reported(world)
    independent_signoff_refused(world, verifier, "rotation")
