"""Pages: the public catalogue stays small, a resident orders a bundle through the cart page,
sees the order; UMKM and operators see pick lists, fee split and the sales dashboard."""

from typing import Any

import pytest
from django.urls import reverse

from gotong.accounts.models import Role

from .. import selectors, services
from ..models import Order
from .factories import Market

pytestmark = pytest.mark.django_db


def test_public_catalogue_is_small_and_shows_bundle_threshold_and_fees(
    world: Market, kelurahan: Any, client: Any, django_assert_max_num_queries: Any
) -> None:
    url = reverse("market:catalogue", kwargs={"slug": kelurahan.slug})
    with django_assert_max_num_queries(12):
        response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Paket Pasar Minggu Ini" in body and "Rp 40.000" in body
    assert 'max="10"' in body  # rice sack progress
    assert "5%" in body or "5.0%" in body or "5,0%" in body
    assert len(response.content) < 30_000


def test_resident_orders_a_bundle_through_the_cart(
    world: Market, kelurahan: Any, rt: Any, make_member: Any, login: Any
) -> None:
    client = login(make_member(Role.WARGA, rt))
    url = reverse("market:order_form", kwargs={"slug": kelurahan.slug, "cycle_id": world.cycle.pk})
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            f"qty_{world.bundle_offer.pk}": "2",
            "fulfilment": "pickup",
            "rt": str(rt.pk),
            "payment_method": "cod",
        },
    )
    order = Order.objects.get()
    assert response.status_code == 302 and order.total == 80000
    page = client.get(response["Location"]).content.decode()
    assert order.code in page and selectors.recipient_code(order) in page


def test_cart_errors_are_shown_and_change_nothing(
    world: Market, kelurahan: Any, rt: Any, make_member: Any, login: Any
) -> None:
    client = login(make_member(Role.WARGA, rt))
    url = reverse("market:order_form", kwargs={"slug": kelurahan.slug, "cycle_id": world.cycle.pk})
    response = client.post(
        url,
        {
            f"qty_{world.telur_offer.pk}": "999",
            "fulfilment": "pickup",
            "rt": str(rt.pk),
            "payment_method": "cod",
        },
    )
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert not Order.objects.exists()


def test_cycle_sheet_and_dashboard(
    world: Market, kelurahan: Any, rt: Any, make_member: Any, login: Any
) -> None:
    buyer = make_member(Role.WARGA, rt)
    services.order_place(
        actor=buyer,
        cycle=world.cycle,
        rt=rt,
        fulfilment="pickup",
        lines=[services.LineSpec(offer=world.bundle_offer, quantity=1)],
    )
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    operator = login(world.operator)
    sheet = operator.get(
        reverse("market:cycle", kwargs={"slug": kelurahan.slug, "cycle_id": world.cycle.pk})
    ).content.decode()
    assert world.kerupuk.name in sheet and "Rp 27.000" in sheet
    csv_text = operator.get(
        reverse("market:umkm", kwargs={"slug": kelurahan.slug}) + "?format=csv"
    ).content.decode()
    assert "umkm,siklus" in csv_text and "27000" in csv_text
    seller = make_member(Role.UMKM, kelurahan)
    services.seller_add(actor=world.operator, organisation=world.telur, user=seller)
    own = (
        login(seller).get(reverse("market:umkm", kwargs={"slug": kelurahan.slug})).content.decode()
    )
    assert world.telur.name in own and world.kerupuk.name not in own
    assert (
        login(buyer).get(reverse("market:umkm", kwargs={"slug": kelurahan.slug})).status_code == 403
    )
