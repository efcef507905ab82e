"""The fee rules a cycle opened with: changing them later changes neither its breakdown
nor its settlement."""

from typing import Any

import pytest

from gotong.funds.models import AccountKind, Transfer

from ... import selectors, services
from ..factories import (
    Market,
    deliver_all,
    order_for,
    settlement_matches_breakdown,
)

pytestmark = pytest.mark.django_db


def test_changing_the_fee_rules_later_changes_neither_breakdown_nor_settlement(
    world: Market, kelurahan: Any, rt: Any, resident: Any
) -> None:
    assert (
        world.cycle.operations_fee_bp,
        world.cycle.delivery_fee,
        world.cycle.courier_share_bp,
    ) == (500, 5000, 10000)
    for _n in range(3):
        order_for(world, resident(), rt, (world.bundle_offer, 1))
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    deliver_all(world)
    before = selectors.cycle_breakdown(cycle=world.cycle)
    assert (before.operations_fee, before.delivery_fees, before.courier_share) == (
        3 * (300 + 1350 + 350),
        15000,
        15000,
    )
    services.settings_set(
        actor=world.operator,
        kelurahan=kelurahan,
        operations_fee_bp=1500,
        delivery_fee=9000,
        courier_share_bp=5000,
    )
    world.cycle.refresh_from_db()
    assert selectors.cycle_breakdown(cycle=world.cycle) == before
    services.cycle_settle(actor=world.operator, cycle=world.cycle)
    settlement_matches_breakdown(world)
    world.cycle.refresh_from_db()
    postings = {
        p.account.kind: p.amount
        for p in Transfer.objects.get(pk=world.cycle.settlement_transfer_id or 0).postings.all()
        if p.account.kind != AccountKind.UMKM_PAYABLE
    }
    assert postings == {
        AccountKind.MARKET_CLEARING: before.buyers_paid,
        AccountKind.OPERATIONAL_FUND: -before.operations_fee,
        AccountKind.COURIER_PAYABLE: -15000,
    }
    assert selectors.cycle_breakdown(cycle=world.cycle) == before


def test_a_cycle_opened_after_a_change_uses_the_new_rules(
    world: Market, kelurahan: Any, rt: Any, resident: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    services.settings_set(
        actor=world.operator,
        kelurahan=kelurahan,
        operations_fee_bp=1000,
        delivery_fee=7000,
        courier_share_bp=6000,
    )
    now = timezone.now()
    cycle = services.cycle_open(
        actor=world.operator,
        kelurahan=kelurahan,
        title="Minggu depan",
        opens_at=now - dt.timedelta(minutes=5),
        closes_at=now + dt.timedelta(hours=24),
        delivery_date=timezone.localdate() + dt.timedelta(days=2),
        offers=[services.OfferSpec(product=world.telur_kg)],
    )
    assert (cycle.operations_fee_bp, cycle.delivery_fee, cycle.courier_share_bp) == (
        1000,
        7000,
        6000,
    )
    old = order_for(world, resident(), rt, (world.telur_offer, 1))
    new = services.order_place(
        actor=resident(),
        cycle=cycle,
        lines=[services.LineSpec(offer=cycle.offers.get(), quantity=1)],
        fulfilment="delivery",
        rt=rt,
        address_note="Gang Melati",
    )
    assert (old.delivery_fee, new.delivery_fee) == (5000, 7000)
