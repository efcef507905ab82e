"""Scenario B through the services: catalogue, cycle, orders, closing with thresholds met and
not met, pick lists, routes, drop-offs, fee breakdown; and every refusal changes nothing."""

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from gotong.accounts.models import Role
from gotong.core.exceptions import ApplicationError, Conflict, PermissionDenied, ValidationFailed
from gotong.registry.models import OrganisationStatus
from gotong.registry.tests.factories import OrganisationFactory
from gotong.transparency.models import LogEntry

from .. import selectors, services
from ..models import (
    CycleStatus,
    CycleStock,
    LineStatus,
    Order,
    OrderStatus,
    Product,
    RoutePlan,
    StopKind,
)
from .factories import Market, verified

pytestmark = pytest.mark.django_db


def _order(world: Market, buyer: Any, rt: Any, *lines: tuple[Any, int], **kw: Any) -> Order:
    specs = [
        services.LineSpec(offer=o, quantity=q, fallback=kw.pop(f"fb{i}", None))
        for i, (o, q) in enumerate(lines)
    ]
    kw.setdefault("fulfilment", "delivery")
    kw.setdefault("address_note", "Gang Mawar 3")
    return services.order_place(actor=buyer, cycle=world.cycle, lines=specs, rt=rt, **kw)


def _used(world: Market, product: Product) -> int:
    return CycleStock.objects.get(cycle=world.cycle, product=product).used


def test_only_an_approved_umkm_lists_products(kelurahan: Any, make_member: Any) -> None:
    operator = verified(make_member(Role.OPERATOR, kelurahan))
    pending = OrganisationFactory(kelurahan=kelurahan, status=OrganisationStatus.PENDING)
    with pytest.raises(ValidationFailed, match="approved"):
        services.product_create(
            actor=operator,
            organisation=pending,
            name="Tempe",
            category="lauk",
            unit="papan",
            price=5000,
            stock=3,
        )
    assert not Product.objects.exists()


@pytest.mark.parametrize("price", [-1000, 0, 1.5])
def test_a_negative_or_broken_price_is_refused(world: Market, price: Any) -> None:
    with pytest.raises(ValidationFailed):
        services.product_create(
            actor=world.operator,
            organisation=world.sayur,
            name="Kangkung",
            category="sayur",
            unit="ikat",
            price=price,
            stock=3,
        )
    with pytest.raises(ValidationFailed):
        services.product_update(actor=world.operator, product=world.bayam, changes={"price": price})
    world.bayam.refresh_from_db()
    assert world.bayam.price == 3000


def test_a_seller_manages_only_their_own_umkm(
    world: Market, kelurahan: Any, make_member: Any
) -> None:
    seller = make_member(Role.UMKM, kelurahan)
    services.seller_add(actor=world.operator, organisation=world.sayur, user=seller)
    services.product_update(actor=seller, product=world.bayam, changes={"stock": 40})
    with pytest.raises(PermissionDenied):
        services.product_update(actor=seller, product=world.telur_kg, changes={"stock": 1})


def test_product_photo_loses_its_metadata(world: Market) -> None:
    image = Image.new("RGB", (900, 600), (30, 160, 60))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    raw = io.BytesIO()
    image.save(raw, "JPEG", exif=exif)
    raw.seek(0)
    product = services.product_photo_set(actor=world.operator, product=world.bayam, upload=raw)
    from django.core.files.storage import storages

    stored = storages["evidence_public"].open(product.photo_name).read()
    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    assert max(Image.open(io.BytesIO(stored)).size) == 480


def test_bundle_shares_must_add_up_to_the_price(world: Market, kelurahan: Any) -> None:
    with pytest.raises(ValidationFailed, match="add up"):
        services.bundle_create(
            actor=world.operator,
            kelurahan=kelurahan,
            name="Paket Salah",
            category="sembako",
            price=10000,
            components=[services.ComponentSpec(world.bayam, 1, 9000)],
        )


def test_cycle_lifecycle_with_thresholds_met_and_not_met(
    world: Market, rt: Any, resident: Any
) -> None:
    """Bundle without threshold is confirmed; the rice sack misses its threshold of 10:
    a buyer with a fallback gets eggs (difference refunded), one without is refunded."""
    a, b = resident(), resident()
    first = _order(
        world, a, rt, (world.bundle_offer, 2), (world.beras_offer, 1), fb1=world.telur_offer
    )
    second = _order(world, b, rt, (world.beras_offer, 1), fulfilment="pickup", address_note="")
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
    orders = [_order(world, resident(), rt, (world.beras_offer, 2)) for _ in range(5)]
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    world.beras_offer.refresh_from_db()
    assert world.beras_offer.threshold_met is True
    assert {o.lines.get().status for o in orders} == {LineStatus.CONFIRMED}


def test_ordering_after_the_window_or_more_than_stock_changes_nothing(
    world: Market, rt: Any, resident: Any
) -> None:
    buyer = resident()
    entries = LogEntry.objects.count()
    with pytest.raises(Conflict, match="Not enough|tidak cukup"):
        _order(world, buyer, rt, (world.telur_offer, 5), (world.bundle_offer, 16))
    with pytest.raises(Conflict):
        _order(world, buyer, rt, (world.telur_offer, 1), now=world.cycle.closes_at)
    assert _used(world, world.telur_kg) == 0 and not Order.objects.exists()
    assert LogEntry.objects.count() == entries


def test_the_last_units_go_once(world: Market, rt: Any, resident: Any) -> None:
    _order(world, resident(), rt, (world.telur_offer, 20))
    with pytest.raises(Conflict):
        _order(world, resident(), rt, (world.bundle_offer, 1))
    assert _used(world, world.telur_kg) == 20 and _used(world, world.bayam) == 0


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
        _order(world, resident(), rt, (world.bundle_offer, 1), location=(-7.63 + i / 1000, 111.52))
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


def test_buyer_cancels_within_the_window(world: Market, rt: Any, resident: Any) -> None:
    buyer = resident()
    order = _order(world, buyer, rt, (world.bundle_offer, 3))
    with pytest.raises(PermissionDenied):
        services.order_cancel(actor=resident(), order=order)
    services.order_cancel(actor=buyer, order=order)
    assert _used(world, world.bayam) == 0 and order.status == OrderStatus.CANCELLED


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


def test_an_unknown_fallback_or_a_voucher_is_refused(world: Market, rt: Any, resident: Any) -> None:
    with pytest.raises(ValidationFailed):
        _order(world, resident(), rt, (world.bundle_offer, 1), fb0=world.telur_offer)
    with pytest.raises(ApplicationError):
        _order(world, resident(), rt, (world.bundle_offer, 1), payment_method="voucher")
    assert not Order.objects.exists()
