"""Activities services: the lifecycle, proof, sign-off layers, independence and rotation
rules, recipient codes, ratings, and the failure paths (nothing changes on an error)."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gotong.accounts.models import Role
from gotong.activities import selectors, services
from gotong.activities.models import (
    ActivityPolicy,
    ActivityStatus,
    Assignment,
    ConflictDeclaration,
    Rating,
    ReceiptCode,
    SignOff,
)
from gotong.activities.tests.conftest import World, plan, run_to_reported
from gotong.activities.tests.factories import (
    approved_need,
    elderly,
    last_code,
    photo,
    verified,
    volunteer,
)
from gotong.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from gotong.needs import services as need_services
from gotong.needs.models import Status as NeedStatus
from gotong.needs.tests.factories import resident
from gotong.registry.models import Person
from gotong.territory.tests.factories import RTFactory, RWFactory
from gotong.transparency.models import LogEntry

pytestmark = pytest.mark.django_db


def _entries() -> int:
    return LogEntry.objects.count()


def test_planning_matches_the_need_and_logs_ids_only(world: World) -> None:
    world.refresh()
    assert world.need.status == NeedStatus.MATCHED
    body = LogEntry.objects.get(type="activity.created").body
    assert f"need:{world.need.pk}" in body
    assert "Antar sembako" not in body and world.grandma.full_name not in body


def test_a_need_of_another_kelurahan_is_refused_and_nothing_is_created(
    world: World, other_kelurahan: Any, make_member: Any
) -> None:
    far_rt = RTFactory(rw=RWFactory(kelurahan=other_kelurahan, number=1), number=1)
    far_need = approved_need(
        make_member(Role.KETUA_RT, far_rt), make_member(Role.KETUA_RW, far_rt.rw), elderly(far_rt)
    )
    before = (_entries(), world.activity.__class__.objects.count())
    with pytest.raises(NotFound, match="not found in this kelurahan"):
        plan(world.rt, world.rw_head, world.driver, [far_need])
    assert (_entries(), world.activity.__class__.objects.count()) == before
    far_need.refresh_from_db()
    assert far_need.status == NeedStatus.APPROVED


def test_wrong_role_or_territory_cannot_plan(
    world: World, rt_other_rw: Any, make_member: Any
) -> None:
    other_rt_head = make_member(Role.KETUA_RT, rt_other_rw)
    before = _entries()
    with pytest.raises(PermissionDenied):
        plan(world.rt, other_rt_head, world.driver, [], purpose="Kerja bakti selokan")
    with pytest.raises(PermissionDenied):
        plan(world.rt, world.driver.person.user, world.driver, [], purpose="Kerja bakti")
    assert _entries() == before


def test_a_need_served_twice_is_refused(world: World) -> None:
    with pytest.raises(Conflict, match="already served"):
        plan(world.rt, world.rw_head, world.driver, [world.need])


def test_executor_cannot_sign_without_evidence(world: World) -> None:
    slot = world.activity.slots.get()
    a = services.assignment_invite(
        actor=world.rw_head, activity=world.activity, slot=slot, volunteer=world.driver
    )
    services.assignment_respond(actor=world.driver.person.user, assignment=a, accept=True)
    services.activity_start(actor=world.rt_head, activity=world.activity)
    with pytest.raises(ValidationFailed, match="photo"):
        need_services.need_deliver(actor=world.rt_head, need=world.need)
    with pytest.raises(ValidationFailed, match="photo"):
        services.activity_signoff(
            actor=world.driver.person.user, activity=world.activity, layer="executor"
        )
    world.refresh()
    assert world.activity.status == ActivityStatus.IN_PROGRESS
    assert not SignOff.objects.exists()


def test_the_activity_cannot_close_while_incomplete(world: World) -> None:
    run_to_reported(world)
    before = _entries()
    with pytest.raises(Conflict, match="belum lengkap"):
        services.activity_close(actor=world.operator, activity=world.activity)
    world.refresh()
    assert world.activity.status == ActivityStatus.REPORTED and _entries() == before


def test_layers_go_in_order(world: World) -> None:
    run_to_reported(world)
    with pytest.raises(ValidationFailed, match="RT head signs off first"):
        services.activity_signoff(actor=world.rw_head, activity=world.activity, layer="rw")
    with pytest.raises(PermissionDenied):
        services.activity_signoff(actor=world.rw_head, activity=world.activity, layer="rt")


def test_full_sign_off_moves_needs_and_closing_publishes_the_receipt(world: World) -> None:
    run_to_reported(world)
    services.activity_signoff(actor=world.rt_head, activity=world.activity, layer="rt")
    services.activity_signoff(actor=world.rw_head, activity=world.activity, layer="rw")
    for verifier in world.verifiers[:2]:
        services.activity_signoff(actor=verifier, activity=world.activity, layer="independent")
    world.refresh()
    assert world.activity.status == ActivityStatus.REPORTED  # 2 of 3 verifiers
    services.activity_signoff(
        actor=world.verifiers[2], activity=world.activity, layer="independent"
    )
    world.refresh()
    assert world.activity.status == ActivityStatus.SIGNED_OFF
    assert world.need.status == NeedStatus.SIGNED_OFF
    services.activity_close(actor=world.operator, activity=world.activity)
    world.refresh()
    assert world.activity.receipt_code and world.need.status == NeedStatus.CLOSED


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


# --- independence ---------------------------------------------------------------------


def _refused(world: World, user: Any, code: str) -> None:
    before = (SignOff.objects.count(), _entries())
    with pytest.raises(PermissionDenied) as info:
        services.activity_signoff(actor=user, activity=world.activity, layer="independent")
    assert code in info.value.extra["reasons"], info.value.extra
    assert (SignOff.objects.count(), _entries()) == before


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
    _refused(world, helper.person.user, "executor")
    with pytest.raises(Conflict):  # the coordinator already signed, as executor
        services.activity_signoff(
            actor=world.driver.person.user, activity=world.activity, layer="independent"
        )


def test_the_heads_of_this_rt_and_rw_are_not_independent(world: World) -> None:
    run_to_reported(world)
    _refused(world, world.rt_head, "own_area")
    _refused(world, world.rw_head, "own_area")


def test_a_resident_without_a_verifier_role_is_refused(world: World) -> None:
    run_to_reported(world)
    _refused(world, resident(world.rt).user, "role")


def test_a_member_of_the_beneficiarys_household_is_not_independent(
    world: World, rt_other_rw: Any
) -> None:
    run_to_reported(world)
    grandson = volunteer(rt_other_rw)
    Person.objects.filter(pk=grandson.person.pk).update(household=world.grandma.household)
    _refused(world, grandson.person.user, "household")


def test_a_member_of_the_executors_household_is_not_independent(
    world: World, rt_other_rw: Any
) -> None:
    run_to_reported(world)
    spouse = volunteer(rt_other_rw)
    Person.objects.filter(pk=spouse.person.pk).update(household=world.driver.person.household)
    _refused(world, spouse.person.user, "household")


def test_a_declared_conflict_makes_a_verifier_not_independent(world: World) -> None:
    run_to_reported(world)
    verifier = world.verifiers[0]
    services.conflict_declare_for_activity(
        actor=verifier, activity=world.activity, target=f"need:{world.need.pk}", reason="tetangga"
    )
    assert ConflictDeclaration.objects.get().household_id == world.grandma.household_id
    _refused(world, verifier, "conflict")
    body = LogEntry.objects.get(type="conflict.declared").body
    assert "tetangga" not in body


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
    _refused(world, verifier, "rotation")
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
    _refused(world, verifier, "rotation")


def test_the_queue_lists_only_what_the_user_may_sign(world: World) -> None:
    run_to_reported(world)
    queue = selectors.verifier_queue(kelurahan=world.rt.kelurahan, user=world.verifiers[0])
    assert [(r.activity.pk, r.layer) for r in queue] == [(world.activity.pk, "independent")]
    assert [
        r.layer for r in selectors.verifier_queue(kelurahan=world.rt.kelurahan, user=world.rt_head)
    ] == ["rt"]
    assert selectors.verifier_queue(kelurahan=world.rt.kelurahan, user=world.rw_head) == []
    assert (
        selectors.verifier_queue(kelurahan=world.rt.kelurahan, user=world.driver.person.user) == []
    )


# --- recipient codes ------------------------------------------------------------------


def _delivered(world: World) -> None:
    slot = world.activity.slots.get()
    a = services.assignment_invite(
        actor=world.rw_head, activity=world.activity, slot=slot, volunteer=world.driver
    )
    services.assignment_respond(actor=world.driver.person.user, assignment=a, accept=True)
    services.activity_start(actor=world.rt_head, activity=world.activity)
    services.activity_evidence_add(actor=world.rt_head, activity=world.activity, upload=photo())
    services.activity_need_deliver(actor=world.rt_head, activity=world.activity, need=world.need)
    world.refresh()


def test_a_wrong_code_is_refused_and_counts_a_try(world: World) -> None:
    _delivered(world)
    code = last_code(world.grandma.phone)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ValidationFailed, match="wrong"):
        services.receipt_code_verify(
            actor=world.driver.person.user, activity=world.activity, need=world.need, code=wrong
        )
    world.refresh()
    assert world.need.status == NeedStatus.DELIVERED
    assert ReceiptCode.objects.get().tries == 1
    services.receipt_code_verify(
        actor=world.driver.person.user, activity=world.activity, need=world.need, code=code
    )
    world.refresh()
    assert world.need.status == NeedStatus.CONFIRMED


def test_an_expired_code_is_refused(world: World) -> None:
    _delivered(world)
    code = last_code(world.grandma.phone)
    ReceiptCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ValidationFailed, match="expired"):
        services.receipt_code_verify(
            actor=world.driver.person.user, activity=world.activity, need=world.need, code=code
        )
    world.refresh()
    assert world.need.status == NeedStatus.DELIVERED


def test_five_wrong_codes_use_up_the_code(world: World) -> None:
    _delivered(world)
    code = last_code(world.grandma.phone)
    wrong = "000000" if code != "000000" else "111111"
    for _try in range(5):
        with pytest.raises(ValidationFailed):
            services.receipt_code_verify(
                actor=world.driver.person.user, activity=world.activity, need=world.need, code=wrong
            )
    with pytest.raises(ValidationFailed, match="Too many"):
        services.receipt_code_verify(
            actor=world.driver.person.user, activity=world.activity, need=world.need, code=code
        )
    # A new code works.
    services.receipt_code_send(actor=world.rt_head, activity=world.activity, need=world.need)
    services.receipt_code_verify(
        actor=world.driver.person.user,
        activity=world.activity,
        need=world.need,
        code=last_code(world.grandma.phone),
    )


def test_only_the_team_may_enter_a_code(world: World, rt_other_rw: Any) -> None:
    _delivered(world)
    stranger = volunteer(rt_other_rw).person.user
    with pytest.raises(PermissionDenied):
        services.receipt_code_verify(
            actor=stranger,
            activity=world.activity,
            need=world.need,
            code=last_code(world.grandma.phone),
        )
    assert ReceiptCode.objects.get().tries == 0


def test_the_code_is_hashed(world: World) -> None:
    _delivered(world)
    code = last_code(world.grandma.phone)
    assert code not in ReceiptCode.objects.get().code_hash


# --- volunteers and ratings -----------------------------------------------------------


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


def _closed(world: World) -> None:
    run_to_reported(world)
    services.activity_signoff(actor=world.rt_head, activity=world.activity, layer="rt")
    services.activity_signoff(actor=world.rw_head, activity=world.activity, layer="rw")
    for verifier in world.verifiers:
        services.activity_signoff(actor=verifier, activity=world.activity, layer="independent")
    services.activity_close(actor=world.operator, activity=world.activity)
    world.refresh()


def test_ratings_feed_volunteer_and_organisation_averages(world: World) -> None:
    from gotong.activities.models import ResourceLink
    from gotong.registry.tests.factories import OrganisationFactory

    warung: Any = OrganisationFactory(kelurahan=world.rt.kelurahan)
    ResourceLink.objects.create(
        activity=world.activity, kind="umkm_product", external_id="paket-1", organisation=warung
    )
    with pytest.raises(Conflict, match="closed"):
        services.rating_submit(
            actor=world.rt_head, activity=world.activity, need=world.need, stars=4
        )
    _closed(world)
    with pytest.raises(PermissionDenied):
        services.rating_submit(
            actor=world.driver.person.user, activity=world.activity, need=world.need, stars=5
        )
    services.rating_submit(
        actor=world.rt_head, activity=world.activity, need=world.need, stars=4, comment="Cepat"
    )
    with pytest.raises(Conflict):
        services.rating_submit(
            actor=world.rt_head, activity=world.activity, need=world.need, stars=1
        )
    assert Rating.objects.get().on_behalf
    kelurahan = world.rt.kelurahan
    assert selectors.rating_average_per_volunteer(kelurahan=kelurahan) == {
        world.driver.pk: (4.0, 1)
    }
    assert selectors.rating_average_per_organisation(kelurahan=kelurahan) == {warung.pk: (4.0, 1)}


def test_selectors_are_tenant_scoped(world: World, other_kelurahan: Any) -> None:
    with pytest.raises(NotFound):
        selectors.activity_get(kelurahan=other_kelurahan, pk=world.activity.pk)
    assert not selectors.activity_list(kelurahan=other_kelurahan).exists()
    assert selectors.verifier_queue(kelurahan=other_kelurahan, user=world.verifiers[0]) == []


def test_cancelling_a_planned_activity_returns_its_needs(world: World) -> None:
    with pytest.raises(ValidationFailed):
        services.activity_cancel(actor=world.rw_head, activity=world.activity, reason="")
    services.activity_cancel(actor=world.rw_head, activity=world.activity, reason="Hujan deras")
    world.refresh()
    assert world.activity.status == ActivityStatus.CANCELLED
    assert world.need.status == NeedStatus.APPROVED
    operator = verified(world.operator)
    assert operator.has_perm("activities.close", world.rt)
