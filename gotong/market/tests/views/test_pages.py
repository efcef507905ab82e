"""Pages: the public catalogue stays small, a resident orders a bundle through the cart page,
sees the order; UMKM and operators see pick lists, fee split and the sales dashboard."""

from typing import Any

import pytest
from django.urls import reverse

from gotong.accounts.models import Role

from ... import selectors, services
from ...models import Order, OrderRating
from ..factories import (
    Market,
    deliver_all,
    order_for,
    stars_for,
    verified,
)

pytestmark = pytest.mark.django_db


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


def test_ratings_on_the_dashboard_csv_and_public_catalogue_from_three(
    world: Market, kelurahan: Any, rt: Any, resident: Any, login: Any
) -> None:
    buyers = [resident() for _ in range(3)]
    orders = [order_for(world, b, rt, (world.telur_offer, 1)) for b in buyers]
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    deliver_all(world)
    for buyer, order, stars in zip(buyers[:2], orders, (5, 4), strict=False):
        services.order_rate(
            actor=buyer,
            order=order,
            ratings=[services.RatingSpec(world.telur.pk, stars, "Telurnya bagus")],
        )
    catalogue = f"/k/{kelurahan.slug}/pasar/"
    assert "★" not in login(None).get(catalogue).content.decode()  # only 2 ratings
    services.order_rate(actor=buyers[2], order=orders[2], ratings=stars_for(world, telur=3))
    public = login(None).get(catalogue).content.decode()
    assert "★ 4.0" in public or "★ 4,0" in public
    assert "Telurnya bagus" not in public  # comments are not public

    [sales] = [
        s for s in selectors.umkm_sales(kelurahan=kelurahan) if s.organisation == world.telur
    ]
    assert sales.rating is not None and (sales.rating.average, sales.rating.count) == (4.0, 3)
    seller = verified(resident())
    services.seller_add(actor=world.operator, organisation=world.telur, user=seller)
    from gotong.accounts.services import membership_grant

    membership_grant(actor=world.operator, kelurahan=kelurahan, phone=seller.phone, role=Role.UMKM)
    client = login(seller)
    page = client.get(f"/k/{kelurahan.slug}/pasar/umkm/").content.decode()
    assert "Telurnya bagus" in page and ("★ 4.0" in page or "★ 4,0" in page)
    assert buyers[0].phone not in page
    csv_text = client.get(f"/k/{kelurahan.slug}/pasar/umkm/?format=csv").content.decode()
    header, first = csv_text.splitlines()[:2]
    assert header.endswith("rating_rata_rata,jumlah_rating")
    assert first.endswith(",4.0,3")


def test_rating_form_on_the_order_page_after_delivery(
    world: Market, kelurahan: Any, rt: Any, resident: Any, login: Any
) -> None:
    buyer = resident()
    order = order_for(world, buyer, rt, (world.bundle_offer, 1))
    client = login(buyer)
    page = f"/k/{kelurahan.slug}/pasar/pesanan/{order.pk}/"
    assert 'id="rate"' not in client.get(page).content.decode()
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    deliver_all(world)
    assert 'id="rate"' in client.get(page).content.decode()
    refused = client.post(page, {f"stars_{world.sayur.pk}": "9"})
    assert refused.status_code == 422 and not OrderRating.objects.exists()
    assert 'role="alert"' in refused.content.decode()
    done = client.post(
        page, {f"stars_{world.sayur.pk}": "5", f"comment_{world.sayur.pk}": "Mantap"}
    )
    assert done.status_code == 302
    assert OrderRating.objects.get().stars == 5
    shown = client.get(page).content.decode()
    assert 'id="rate"' not in shown and "Mantap" in shown
    assert login(resident()).get(page).status_code == 400  # not your order


def test_wrong_voucher_codes_at_ordering_are_limited_per_buyer(
    world: Market, kelurahan: Any, rt: Any, resident: Any, login: Any
) -> None:
    from gotong.funds.models import VoucherCodeFailure
    from gotong.funds.services import VOUCHER_WRONG_CODES_PER_BUYER_PER_HOUR as LIMIT

    client = login(resident())
    url = f"/api/v1/k/{kelurahan.slug}/market/cycles/{world.cycle.pk}/orders"
    body = {
        "lines": [{"offer_id": world.bundle_offer.pk, "quantity": 1}],
        "fulfilment": "pickup",
        "rt_id": rt.pk,
        "payment_method": "voucher",
        "voucher_code": "AAAA-BBBB-CCCC",
    }
    for _n in range(LIMIT):
        assert client.post(url, body, content_type="application/json").status_code == 404
    assert VoucherCodeFailure.objects.count() == LIMIT
    assert client.post(url, body, content_type="application/json").status_code == 429
    page = client.post(
        f"/k/{kelurahan.slug}/pasar/siklus/{world.cycle.pk}/pesan/",
        {
            f"qty_{world.bundle_offer.pk}": "1",
            "fulfilment": "pickup",
            "rt": rt.pk,
            "payment_method": "voucher",
            "voucher_code": "AAAA-BBBB-CCCC",
        },
    )
    assert page.status_code == 200 and not Order.objects.exists()
