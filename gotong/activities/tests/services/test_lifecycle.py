"""The lifecycle: closing waits for a complete proof, closing publishes the receipt, and
cancelling a planned activity returns its needs."""

import pytest

from gotong.activities import services
from gotong.activities.models import ActivityStatus
from gotong.activities.tests.factories import World, log_size, run_to_reported, verified
from gotong.core.exceptions import Conflict, ValidationFailed
from gotong.needs.models import Status as NeedStatus

pytestmark = pytest.mark.django_db


def test_the_activity_cannot_close_while_incomplete(world: World) -> None:
    run_to_reported(world)
    before = log_size()
    with pytest.raises(Conflict, match="belum lengkap"):
        services.activity_close(actor=world.operator, activity=world.activity)
    world.refresh()
    assert world.activity.status == ActivityStatus.REPORTED and log_size() == before


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


def test_cancelling_a_planned_activity_returns_its_needs(world: World) -> None:
    with pytest.raises(ValidationFailed):
        services.activity_cancel(actor=world.rw_head, activity=world.activity, reason="")
    services.activity_cancel(actor=world.rw_head, activity=world.activity, reason="Hujan deras")
    world.refresh()
    assert world.activity.status == ActivityStatus.CANCELLED
    assert world.need.status == NeedStatus.APPROVED
    operator = verified(world.operator)
    assert operator.has_perm("activities.close", world.rt)
