"""UMKM ratings: once per delivered order, per UMKM of the order, by its buyer, 1-5 stars."""

from typing import Any

import pytest

from gotong.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from gotong.transparency.models import LogEntry

from ... import selectors, services
from ...models import OrderRating
from ..factories import (
    Market,
    deliver_all,
    delivered_order,
    order_for,
    stars_for,
)

pytestmark = pytest.mark.django_db


def test_the_buyer_rates_each_umkm_of_a_delivered_order_once(
    world: Market, rt: Any, resident: Any
) -> None:
    buyer = resident()
    order = delivered_order(world, buyer, rt)
    assert {o.pk for o in selectors.order_umkm(order=order)} == {
        world.sayur.pk,
        world.telur.pk,
        world.kerupuk.pk,
    }
    rows = services.order_rate(
        actor=buyer,
        order=order,
        ratings=[
            services.RatingSpec(world.sayur.pk, 5, "  Sayurnya   segar "),
            services.RatingSpec(world.telur.pk, 3),
        ],
    )
    assert [(r.organisation_id, r.stars, r.comment) for r in rows] == [
        (world.sayur.pk, 5, "Sayurnya segar"),
        (world.telur.pk, 3, ""),
    ]
    entry = LogEntry.objects.filter(type="market.order_rated").get()
    assert "segar" not in entry.body and '"stars"' in entry.body  # no comment logged
    with pytest.raises(Conflict, match="already rated"):
        services.order_rate(actor=buyer, order=order, ratings=stars_for(world, kerupuk=4))
    assert OrderRating.objects.count() == 2


def test_rating_before_delivery_is_refused(world: Market, rt: Any, resident: Any) -> None:
    buyer = resident()
    order = order_for(world, buyer, rt, (world.bundle_offer, 1))
    with pytest.raises(Conflict, match="delivered"):
        services.order_rate(actor=buyer, order=order, ratings=stars_for(world, sayur=5))
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    with pytest.raises(Conflict, match="delivered"):
        services.order_rate(actor=buyer, order=order, ratings=stars_for(world, sayur=5))
    assert not OrderRating.objects.exists()


def test_rating_someone_elses_order_is_refused(world: Market, rt: Any, resident: Any) -> None:
    order = delivered_order(world, resident(), rt)
    with pytest.raises(PermissionDenied):
        services.order_rate(actor=resident(), order=order, ratings=stars_for(world, sayur=1))
    with pytest.raises(PermissionDenied):
        services.order_rate(actor=world.operator, order=order, ratings=stars_for(world, sayur=1))
    assert not OrderRating.objects.exists()


@pytest.mark.parametrize("stars", [0, 6, -1, True])
def test_stars_out_of_range_are_refused_and_nothing_is_saved(
    world: Market, rt: Any, resident: Any, stars: Any
) -> None:
    buyer = resident()
    order = delivered_order(world, buyer, rt)
    with pytest.raises(ValidationFailed, match="between 1 and 5"):
        services.order_rate(
            actor=buyer,
            order=order,
            ratings=[
                services.RatingSpec(world.sayur.pk, 4),
                services.RatingSpec(world.telur.pk, stars),
            ],
        )
    assert not OrderRating.objects.exists()


def test_bad_rating_input_is_refused(world: Market, rt: Any, resident: Any) -> None:
    buyer = resident()
    order = order_for(world, buyer, rt, (world.telur_offer, 1))  # only the egg UMKM
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    deliver_all(world)
    order.refresh_from_db()
    cases = [
        ([], "at least one"),
        (stars_for(world, sayur=4), "not in this order"),
        (stars_for(world, telur=4) + stars_for(world, telur=5), "twice"),
        ([services.RatingSpec(world.telur.pk, 4, "x" * 201)], "under 200"),
        ([services.RatingSpec(world.telur.pk, 2, "telepon 0812 3456 7890")], "phone"),
    ]
    for ratings, message in cases:
        with pytest.raises(ValidationFailed, match=message):
            services.order_rate(actor=buyer, order=order, ratings=ratings)
    assert not OrderRating.objects.exists()
    services.order_rate(actor=buyer, order=order, ratings=stars_for(world, telur=4))
