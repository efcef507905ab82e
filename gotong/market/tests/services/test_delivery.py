"""Routes and drop-offs: the whole cycle to a balanced breakdown, cash at the door."""

from typing import Any

import pytest

from gotong.accounts.models import Role
from gotong.core.exceptions import ValidationFailed

from ... import selectors, services
from ...models import (
    CycleStatus,
    Order,
    OrderStatus,
    RoutePlan,
    StopKind,
)
from ..factories import (
    Market,
    order_for,
)

pytestmark = pytest.mark.django_db


def test_full_cycle_routes_dropoffs_and_balanced_breakdown(
    world: Market, kelurahan: Any, rt: Any, resident: Any, make_member: Any
) -> None:
    # Rules changed after the cycle opened apply from the next cycle only.
    services.settings_set(
        actor=world.operator,
        kelurahan=kelurahan,
        operations_fee_bp=500,
        delivery_fee=4000,
        courier_share_bp=7500,
    )
    orders = [
        order_for(
            world, resident(), rt, (world.bundle_offer, 1), location=(-7.63 + i / 1000, 111.52)
        )
        for i in range(5)
    ]
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    rider = make_member(Role.RELAWAN, rt)
    small = services.courier_create(
        actor=world.operator, kelurahan=kelurahan, label="Kurir A", capacity=2, user=rider
    )
    with pytest.raises(ValidationFailed, match="cannot carry"):
        services.routes_plan(actor=world.operator, cycle=world.cycle, couriers=[small])
    assert not RoutePlan.objects.exists()
    big = services.courier_create(
        actor=world.operator, kelurahan=kelurahan, label="Kurir B", capacity=4
    )
    plans = services.routes_plan(actor=world.operator, cycle=world.cycle, couriers=[small, big])
    drops = [s for p in plans for s in p.stops.all() if s.kind == StopKind.DROP]
    assert sorted(o.pk for s in drops for o in s.orders.all()) == sorted(o.pk for o in orders)
    assert all(p.load <= p.courier.capacity for p in plans)
    assert sum(1 for p in plans for s in p.stops.all() if s.kind == StopKind.PICKUP) == 3

    mine = next(
        o for p in plans if p.courier == small for s in p.stops.all() for o in s.orders.all()
    )
    with pytest.raises(ValidationFailed):
        services.dropoff_record(actor=rider, order=mine, code="000000", cash_collected=mine.total)
    with pytest.raises(ValidationFailed):
        services.dropoff_record(
            actor=rider, order=mine, code=selectors.recipient_code(mine), cash_collected=1
        )
    services.dropoff_record(
        actor=rider, order=mine, code=selectors.recipient_code(mine), cash_collected=mine.total
    )
    for order in Order.objects.filter(status=OrderStatus.CONFIRMED):
        services.dropoff_record(
            actor=world.operator,
            order=order,
            code=selectors.recipient_code(order),
            cash_collected=order.total,
        )
    world.cycle.refresh_from_db()
    assert world.cycle.status == CycleStatus.FULFILLED

    breakdown = selectors.cycle_breakdown(cycle=world.cycle)
    assert breakdown.goods == 5 * 40000 and breakdown.delivery_fees == 5 * 5000
    assert breakdown.balance == 0
    assert breakdown.buyers_paid == sum(o.total for o in Order.objects.all())
    assert dict((n, g) for n, g, _f, _net in breakdown.umkm) == {
        world.sayur.name: 5 * 6000,
        world.telur.name: 5 * 27000,
        world.kerupuk.name: 5 * 7000,
    }
    assert breakdown.operations_fee == 1500 + 6750 + 1750 and breakdown.courier_share == 25000


@pytest.mark.parametrize(
    ("method", "paid", "expected"),
    [
        ("cod", 0, 45_000),  # everything at the door
        ("voucher", 30_000, 15_000),  # the rest a voucher did not cover
        ("voucher", 45_000, 0),
        ("qris", 0, 0),  # paid by QRIS, never in cash at the door
    ],
)
def test_the_courier_collects_only_the_cash_part_of_an_order(
    method: str, paid: int, expected: int
) -> None:
    order = Order(
        payment_method=method,
        status=OrderStatus.CONFIRMED,
        goods_total=40_000,
        delivery_fee=5_000,
        paid_amount=paid,
    )
    assert order.cash_to_collect == expected
