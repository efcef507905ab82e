"""The UMKM catalogue: sellers, products, photos and bundles."""

import io
from typing import Any

import pytest
from PIL import Image

from gotong.accounts.models import Role
from gotong.core.exceptions import PermissionDenied, ValidationFailed
from gotong.registry.models import OrganisationStatus
from gotong.registry.tests.factories import OrganisationFactory

from ... import services
from ...models import (
    Product,
)
from ..factories import Market, verified

pytestmark = pytest.mark.django_db


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
