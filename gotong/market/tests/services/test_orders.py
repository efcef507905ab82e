"""Ordering within the window: stock, fallbacks, vouchers typed at the cart, cancelling."""

from typing import Any

import pytest

from gotong.core.exceptions import ApplicationError, Conflict, PermissionDenied, ValidationFailed
from gotong.transparency.models import LogEntry

from ... import services
from ...models import (
    CycleStock,
    Order,
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


def test_ordering_after_the_window_or_more_than_stock_changes_nothing(
    world: Market, rt: Any, resident: Any
) -> None:
    buyer = resident()
    entries = LogEntry.objects.count()
    with pytest.raises(Conflict, match="Not enough|tidak cukup"):
        order_for(world, buyer, rt, (world.telur_offer, 5), (world.bundle_offer, 16))
    with pytest.raises(Conflict):
        order_for(world, buyer, rt, (world.telur_offer, 1), now=world.cycle.closes_at)
    assert _used(world, world.telur_kg) == 0 and not Order.objects.exists()
    assert LogEntry.objects.count() == entries


def test_the_last_units_go_once(world: Market, rt: Any, resident: Any) -> None:
    order_for(world, resident(), rt, (world.telur_offer, 20))
    with pytest.raises(Conflict):
        order_for(world, resident(), rt, (world.bundle_offer, 1))
    assert _used(world, world.telur_kg) == 20 and _used(world, world.bayam) == 0


def test_buyer_cancels_within_the_window(world: Market, rt: Any, resident: Any) -> None:
    buyer = resident()
    order = order_for(world, buyer, rt, (world.bundle_offer, 3))
    with pytest.raises(PermissionDenied):
        services.order_cancel(actor=resident(), order=order)
    services.order_cancel(actor=buyer, order=order)
    assert _used(world, world.bayam) == 0 and order.status == OrderStatus.CANCELLED


def test_an_unknown_fallback_or_a_voucher_is_refused(world: Market, rt: Any, resident: Any) -> None:
    with pytest.raises(ValidationFailed):
        order_for(world, resident(), rt, (world.bundle_offer, 1), fb0=world.telur_offer)
    with pytest.raises(ApplicationError):
        order_for(world, resident(), rt, (world.bundle_offer, 1), payment_method="voucher")
    assert not Order.objects.exists()
