"""The cart asks a registered resident for the "Pasar lokal" consent in the same step."""

from typing import Any

import pytest
from django.urls import reverse

from gotong.accounts.models import Role
from gotong.registry.models import Consent, ConsentPurpose, Person
from gotong.registry.tests.factories import PersonFactory

from ...models import Order
from ..factories import Market

pytestmark = pytest.mark.django_db


def _cart(world: Market, rt: Any, **extra: str) -> dict[str, str]:
    return {
        f"qty_{world.bundle_offer.pk}": "1",
        "fulfilment": "pickup",
        "rt": str(rt.pk),
        "payment_method": "cod",
        **extra,
    }


def test_the_cart_asks_for_market_consent_and_records_it_with_the_order(
    world: Market, kelurahan: Any, rt: Any, make_member: Any, login: Any
) -> None:
    buyer = make_member(Role.WARGA, rt)
    person: Person = PersonFactory(rt=rt, user=buyer, consents=[ConsentPurpose.AID])  # type: ignore[assignment]
    client = login(buyer)
    client.cookies["django_language"] = "id"
    url = reverse("market:order_form", kwargs={"slug": kelurahan.slug, "cycle_id": world.cycle.pk})
    body = client.get(url).content.decode()
    assert 'name="marketplace_consent"' in body and "pasar lokal" in body.lower()

    refused = client.post(url, _cart(world, rt))
    assert refused.status_code == 200 and "Pasar lokal" in refused.content.decode()
    assert not Order.objects.exists()

    placed = client.post(url, _cart(world, rt, marketplace_consent="1"))
    assert placed.status_code == 302 and Order.objects.filter(buyer=buyer).count() == 1
    assert Consent.objects.filter(person=person, purpose=ConsentPurpose.MARKETPLACE).exists()
    assert 'name="marketplace_consent"' not in client.get(url).content.decode()


def test_a_buyer_with_the_consent_sees_no_consent_box(
    world: Market, kelurahan: Any, rt: Any, make_member: Any, login: Any
) -> None:
    buyer = make_member(Role.WARGA, rt)
    PersonFactory(rt=rt, user=buyer, consents=[ConsentPurpose.AID, ConsentPurpose.MARKETPLACE])
    url = reverse("market:order_form", kwargs={"slug": kelurahan.slug, "cycle_id": world.cycle.pk})
    assert 'name="marketplace_consent"' not in login(buyer).get(url).content.decode()
