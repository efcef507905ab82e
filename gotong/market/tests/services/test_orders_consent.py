"""A registered resident shops only with the "Pasar lokal" consent (issue 13 item 11)."""

from typing import Any

import pytest

from gotong.core.exceptions import Conflict
from gotong.registry.models import Consent, ConsentPurpose
from gotong.registry.services import consent_withdraw
from gotong.registry.tests.factories import PersonFactory

from ... import selectors
from ...models import Order
from ..factories import Market, order_for

pytestmark = pytest.mark.django_db


def _registered(rt: Any, user: Any, *purposes: str) -> Any:
    return PersonFactory(rt=rt, user=user, consents=list(purposes))


def test_a_registered_resident_without_market_consent_is_refused_and_nothing_changes(
    world: Market, rt: Any, resident: Any
) -> None:
    buyer = resident()
    _registered(rt, buyer, ConsentPurpose.AID)
    assert selectors.marketplace_consent_missing(kelurahan=rt.kelurahan, user=buyer)
    with pytest.raises(Conflict, match="Pasar lokal") as refused:
        order_for(world, buyer, rt, (world.bundle_offer, 1))
    assert refused.value.extra == {"field": "marketplace_consent"}
    assert not Order.objects.exists()
    assert not Consent.objects.filter(purpose=ConsentPurpose.MARKETPLACE).exists()


def test_agreeing_in_the_order_step_records_the_consent_with_the_order(
    world: Market, rt: Any, resident: Any
) -> None:
    buyer = resident()
    person = _registered(rt, buyer, ConsentPurpose.AID)
    order_for(world, buyer, rt, (world.bundle_offer, 1), marketplace_consent=True)
    consent = Consent.objects.get(person=person, purpose=ConsentPurpose.MARKETPLACE)
    assert consent.withdrawn_at is None and "pasar lokal" in consent.text.lower()
    assert not selectors.marketplace_consent_missing(kelurahan=rt.kelurahan, user=buyer)
    order_for(world, buyer, rt, (world.bundle_offer, 1))  # no need to agree twice
    assert Order.objects.filter(buyer=buyer).count() == 2


def test_a_withdrawn_market_consent_stops_the_next_order(
    world: Market, rt: Any, resident: Any
) -> None:
    buyer = resident()
    person = _registered(rt, buyer, ConsentPurpose.AID, ConsentPurpose.MARKETPLACE)
    order_for(world, buyer, rt, (world.bundle_offer, 1))
    consent_withdraw(actor=buyer, person=person, purpose=ConsentPurpose.MARKETPLACE)
    with pytest.raises(Conflict, match="Pasar lokal"):
        order_for(world, buyer, rt, (world.bundle_offer, 1))
    assert Order.objects.filter(buyer=buyer).count() == 1


def test_a_buyer_without_a_registry_record_is_not_asked(
    world: Market, rt: Any, resident: Any
) -> None:
    buyer = resident()
    assert not selectors.marketplace_consent_missing(kelurahan=rt.kelurahan, user=buyer)
    order_for(world, buyer, rt, (world.bundle_offer, 1))
    assert Order.objects.filter(buyer=buyer).count() == 1
