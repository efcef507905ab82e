"""Opening and closing cycles: offers, bulk thresholds and their rules."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gotong.core.exceptions import ValidationFailed
from gotong.registry.models import OrganisationStatus

from ... import selectors, services
from ...models import (
    CycleStock,
    LineStatus,
    OrderStatus,
    Product,
)
from ..factories import (
    Market,
    order_for,
)

pytestmark = pytest.mark.django_db


def _used(world: Market, product: Product) -> int:
    return CycleStock.objects.get(cycle=world.cycle, product=product).used


def test_cycle_lifecycle_with_thresholds_met_and_not_met(
    world: Market, rt: Any, resident: Any
) -> None:
    """Bundle without threshold is confirmed; the rice sack misses its threshold of 10:
    a buyer with a fallback gets eggs (difference refunded), one without is refunded."""
    a, b = resident(), resident()
    first = order_for(
        world, a, rt, (world.bundle_offer, 2), (world.beras_offer, 1), fb1=world.telur_offer
    )
    second = order_for(world, b, rt, (world.beras_offer, 1), fulfilment="pickup", address_note="")
    assert _used(world, world.bayam) == 4 and _used(world, world.beras) == 2

    services.cycle_close(actor=world.operator, cycle=world.cycle)

    first.refresh_from_db()
    second.refresh_from_db()
    lines = {line.offer_id: line for line in first.lines.all()}
    assert lines[world.bundle_offer.pk].status == LineStatus.CONFIRMED
    assert lines[world.beras_offer.pk].status == LineStatus.FALLBACK
    assert first.refund_total == 60000 - 28000
    assert first.total == 2 * 40000 + 28000 + 5000
    assert second.status == OrderStatus.CANCELLED and second.refund_total == 60000
    assert _used(world, world.beras) == 0 and _used(world, world.telur_kg) == 2 + 1
    lists = {p.organisation.pk: p for p in selectors.pick_lists(cycle=world.cycle)}
    assert lists[world.telur.pk].items == {"Telur (kg)": 3}
    assert lists[world.sayur.pk].items == {"Bayam (ikat)": 4}
    assert lists[world.kerupuk.pk].orders == [first.code]


def test_threshold_met_confirms_everyone(world: Market, rt: Any, resident: Any) -> None:
    orders = [order_for(world, resident(), rt, (world.beras_offer, 2)) for _ in range(5)]
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    world.beras_offer.refresh_from_db()
    assert world.beras_offer.threshold_met is True
    assert {o.lines.get().status for o in orders} == {LineStatus.CONFIRMED}


def test_an_unapproved_umkm_product_cannot_be_put_on_offer(world: Market, kelurahan: Any) -> None:
    world.telur.status = OrganisationStatus.REJECTED
    world.telur.save()
    with pytest.raises(ValidationFailed):
        services.cycle_open(
            actor=world.operator,
            kelurahan=kelurahan,
            title="Minggu depan",
            opens_at=timezone.now(),
            closes_at=timezone.now() + dt.timedelta(days=1),
            delivery_date=timezone.localdate() + dt.timedelta(days=2),
            offers=[services.OfferSpec(product=world.telur_kg)],
        )
