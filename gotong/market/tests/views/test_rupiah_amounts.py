"""Rupiah amounts on the market pages: prices, shares, the delivery fee and cash received
read "50.000" as Rp 50.000 and refuse "50,5" (nothing saved)."""

from typing import Any

import pytest

from ...models import MarketSettings, Product
from ..factories import Market, alert_shown, page_url

pytestmark = pytest.mark.django_db


def test_a_price_typed_with_dots_is_saved_and_a_comma_is_refused(
    world: Market, kelurahan: Any, seller: Any, login: Any
) -> None:
    client = login(seller)
    data = {
        "organisation": str(world.sayur.pk),
        "name": "Kangkung",
        "category": "sayur",
        "unit": "ikat",
        "stock": "10",
    }

    refused = client.post(page_url("product_new", kelurahan), {**data, "price": "2500,5"})
    assert refused.status_code == 200 and alert_shown(refused)
    assert "above zero" in refused.content.decode()
    assert not Product.objects.filter(name="Kangkung").exists()

    made = client.post(page_url("product_new", kelurahan), {**data, "price": "50.000"})
    assert made.status_code == 302
    assert Product.objects.get(name="Kangkung").price == 50_000


def test_a_delivery_fee_typed_with_dots_is_saved_and_a_comma_is_refused(
    world: Market, kelurahan: Any, login: Any
) -> None:
    client = login(world.operator)
    data = {"operations_fee_pct": "5", "courier_share_pct": "80", "baseline_cycles": "2"}

    refused = client.post(page_url("fee_settings", kelurahan), {**data, "delivery_fee": "50,5"})
    assert refused.status_code == 422 and not MarketSettings.objects.exists()

    saved = client.post(page_url("fee_settings", kelurahan), {**data, "delivery_fee": "6.000"})
    assert saved.status_code == 302
    assert MarketSettings.objects.get(kelurahan=kelurahan).delivery_fee == 6_000
