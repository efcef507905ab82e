"""A market order's photos (a transfer receipt, the hand-over at the door) are never shown
to the public: the receipt page keeps only the fingerprints; the buyer and officers see
the photo (issue 13 item 11, the "photos" consent)."""

from typing import Any

import pytest
from django.test import Client

from gotong.activities.tests.factories import photo
from gotong.funds import services as funds_services
from gotong.transparency.models import Evidence

from ... import services
from ..factories import Market, Officers, order_for, static_qris

pytestmark = pytest.mark.django_db


def test_a_payment_receipt_photo_is_for_the_buyer_and_officers_not_the_public(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers
) -> None:
    funds_services.funds_profile_set(
        actor=officers.treasurer, kelurahan=kelurahan, qris_static_payload=static_qris()
    )
    buyer = resident()
    order = order_for(world, buyer, rt, (world.bundle_offer, 1), payment_method="qris")
    services.order_payment_confirm(actor=officers.treasurer, order=order, receipt=photo())
    evidence = Evidence.objects.get(subject=f"market_order:{order.pk}")
    page = f"/k/{kelurahan.slug}/bukti/{evidence.code}/"

    public = Client()
    assert public.get(f"{page}foto.jpg").status_code == 404
    html = public.get(page).content.decode()
    assert 'id="photo-withheld"' in html and "foto.jpg" not in html
    another = Client()
    another.force_login(resident())
    assert another.get(f"{page}foto.jpg").status_code == 404

    for insider in (buyer, officers.treasurer):
        client = Client()
        client.force_login(insider)
        response = client.get(f"{page}foto.jpg")
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
