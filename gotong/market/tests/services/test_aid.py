"""Aid through the market (``aid_order_place``): a sembako need served by an activity is
fulfilled by buying the week's bundle from local UMKM; the activity links to the order.
Wrong category, a need the activity does not serve, a second order for the same need, a
resident acting, or a closed window: refused, nothing changed."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gotong.accounts.models import Role
from gotong.activities import services as activity_services
from gotong.activities.models import Activity, ResourceLink
from gotong.activities.tests.factories import approved_need, elderly, volunteer
from gotong.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from gotong.funds.tests.factories import confirmed_donation, officer
from gotong.needs.models import Need
from gotong.registry.models import Skill
from gotong.transparency.models import LogEntry

from ... import services
from ...models import CycleStock, Order, OrderStatus, PaymentMethod
from ..factories import (
    Market,
)

pytestmark = pytest.mark.django_db


pytestmark = pytest.mark.django_db


@pytest.fixture
def aid(world: Market, rt: Any, make_member: Any) -> dict[str, Any]:
    # Money in the aid fund, through the funds services (two treasury officers).
    confirmed_donation(
        officer(rt.kelurahan, Role.BENDAHARA, make_member),
        officer(rt.kelurahan, Role.ADMIN, make_member),
        rt.kelurahan,
        1_000_000,
        target="aid_fund",
    )
    rt_head = make_member(Role.KETUA_RT, rt)
    rw_head = make_member(Role.KETUA_RW, rt.rw)
    driver = volunteer(rt)
    need = approved_need(rt_head, rw_head, elderly(rt))
    other_need = approved_need(rt_head, rw_head, elderly(rt, phone="+6281399990002"))
    activity = activity_services.activity_create(
        actor=rw_head,
        kelurahan=rt.kelurahan,
        rt=rt,
        kind="delivery",
        title="Antar sembako lansia",
        starts_at=timezone.now() + dt.timedelta(hours=1),
        ends_at=timezone.now() + dt.timedelta(hours=3),
        coordinator=driver.person.user,
        needs=[need],
        slots=[
            activity_services.SlotIn(
                skill=Skill.objects.get(kelurahan=rt.kelurahan, code="driver"), count=1
            )
        ],
    )
    return {"need": need, "other_need": other_need, "activity": activity}


def _state() -> tuple[int, int, list[int]]:
    return (
        Order.objects.count(),
        ResourceLink.objects.count(),
        list(CycleStock.objects.order_by("pk").values_list("used", flat=True)),
    )


def test_a_need_is_fulfilled_with_the_weeks_bundle(
    world: Market, rt: Any, aid: dict[str, Any]
) -> None:
    need: Need = aid["need"]
    activity: Activity = aid["activity"]
    order = services.aid_order_place(
        actor=world.operator, activity=activity, need=need, offer=world.bundle_offer
    )
    assert order.payment_method == PaymentMethod.AID and order.need_id == need.pk
    assert order.fulfilment == "delivery" and order.rt == need.rt
    assert order.status == OrderStatus.PLACED and order.goods_total == 40000
    link = ResourceLink.objects.get(activity=activity)
    assert link.kind == "umkm_product" and link.external_id == f"market-order:{order.code}"
    assert link.organisation == world.sayur  # the bundle's first component's UMKM
    assert CycleStock.objects.get(cycle=world.cycle, product=world.bayam).used == 2
    entry = LogEntry.objects.get(type="market.aid_order")
    assert f"need:{need.pk}" in entry.body and f"activity:{activity.pk}" in entry.body
    # The order goes through the cycle like any other: confirmed at closing.
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED


def test_a_second_order_for_the_same_need_is_refused(world: Market, aid: dict[str, Any]) -> None:
    services.aid_order_place(
        actor=world.operator, activity=aid["activity"], need=aid["need"], offer=world.bundle_offer
    )
    before = _state()
    with pytest.raises(Conflict, match="already has a market order"):
        services.aid_order_place(
            actor=world.operator,
            activity=aid["activity"],
            need=aid["need"],
            offer=world.bundle_offer,
        )
    assert _state() == before


def test_refusals_change_nothing(
    world: Market, rt: Any, make_member: Any, aid: dict[str, Any]
) -> None:
    before = _state()
    with pytest.raises(ValidationFailed, match="category does not fit"):
        services.aid_order_place(  # eggs are "lauk", not an aid category
            actor=world.operator,
            activity=aid["activity"],
            need=aid["need"],
            offer=world.telur_offer,
        )
    with pytest.raises(ValidationFailed, match="does not serve that need"):
        services.aid_order_place(
            actor=world.operator,
            activity=aid["activity"],
            need=aid["other_need"],
            offer=world.bundle_offer,
        )
    with pytest.raises(PermissionDenied):
        services.aid_order_place(
            actor=make_member(Role.WARGA, rt),
            activity=aid["activity"],
            need=aid["need"],
            offer=world.bundle_offer,
        )
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    world.bundle_offer.cycle.refresh_from_db()
    with pytest.raises(Conflict, match="window is closed"):
        services.aid_order_place(
            actor=world.operator,
            activity=aid["activity"],
            need=aid["need"],
            offer=world.bundle_offer,
        )
    assert _state() == before
