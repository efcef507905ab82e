"""Proof: no delivery or executor signature without a photo, only photos from the activity's
team or the need's RT prove a delivery, and the recipient's one-time code (wrong, expired,
used up, entered only by the team, stored hashed)."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gotong.accounts.models import Role
from gotong.activities import selectors, services
from gotong.activities.models import Activity, ActivityStatus, ReceiptCode, SignOff
from gotong.activities.tests.factories import (
    World,
    approved_need,
    elderly,
    last_code,
    log_size,
    photo,
    photo_by,
    plan,
    volunteer,
)
from gotong.core.exceptions import PermissionDenied, ValidationFailed
from gotong.needs import services as need_services
from gotong.needs.models import Need
from gotong.needs.models import Status as NeedStatus
from gotong.territory.tests.factories import RTFactory

pytestmark = pytest.mark.django_db


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


def _activity_in_rt_03(world: World, make_member: Any) -> tuple[Any, Need, Activity, Any]:
    """A running delivery in RT 03 (same RW as the world's RT 01), its own RT head, a need
    of an RT 03 resident, and its coordinator, who also accepted the driver slot."""
    rt03 = RTFactory(rw=world.rt.rw, number=3)
    rt03_head = make_member(Role.KETUA_RT, rt03)
    need = approved_need(rt03_head, world.rw_head, elderly(rt03, phone="+6281399990003"))
    driver03 = volunteer(rt03)
    activity = plan(rt03, world.rw_head, driver03, [need])
    invitation = services.assignment_invite(
        actor=world.rw_head, activity=activity, slot=activity.slots.get(), volunteer=driver03
    )
    services.assignment_respond(actor=driver03.person.user, assignment=invitation, accept=True)
    services.activity_start(actor=rt03_head, activity=activity)
    return rt03_head, need, activity, driver03.person.user


def test_a_photo_from_a_volunteer_outside_the_team_and_rt_does_not_prove_delivery(
    world: World, make_member: Any
) -> None:
    rt03_head, need, activity, driver03 = _activity_in_rt_03(world, make_member)
    # The world's driver is a volunteer of RT 01 and not on RT 03's team.
    outsider = world.driver.person.user
    photo_by(outsider, f"need:{need.pk}", activity.kelurahan)
    photo_by(outsider, activity.subject, activity.kelurahan)
    before = log_size()
    with pytest.raises(ValidationFailed, match="activity's team or the need's RT") as info:
        services.activity_need_deliver(actor=rt03_head, activity=activity, need=need)
    assert info.value.extra["field"] == "evidence"
    need.refresh_from_db()
    assert need.status == NeedStatus.IN_PROGRESS
    assert log_size() == before and not ReceiptCode.objects.filter(need=need).exists()

    services.activity_evidence_add(actor=driver03, activity=activity, upload=photo())
    services.activity_need_deliver(actor=rt03_head, activity=activity, need=need)
    need.refresh_from_db()
    assert need.status == NeedStatus.DELIVERED


def test_a_photo_from_the_rw_head_over_the_needs_rt_proves_delivery(
    world: World, make_member: Any
) -> None:
    rt03_head, need, activity, _driver03 = _activity_in_rt_03(world, make_member)
    mine = photo_by(world.rw_head, f"need:{need.pk}", activity.kelurahan)
    assert selectors.evidence_for_delivery(
        kelurahan=activity.kelurahan, activity=activity, need=need
    ) == [mine]
    services.activity_need_deliver(actor=rt03_head, activity=activity, need=need)
    need.refresh_from_db()
    assert need.status == NeedStatus.DELIVERED


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
