"""Seller pages: their UMKM's products, edits and photos, through the services."""

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from gotong.registry.models import OrganisationStatus
from gotong.registry.tests.factories import OrganisationFactory
from gotong.transparency.models import LogEntry

from ...models import (
    Product,
)
from ..factories import (
    Market,
    alert_shown,
    anonymous_client,
    jpeg_with_exif,
    page_url,
)

pytestmark = pytest.mark.django_db


def test_seller_lists_only_their_products_and_lists_a_new_one(
    world: Market, kelurahan: Any, seller: Any, login: Any
) -> None:
    client = login(seller)
    page = client.get(page_url("seller_products", kelurahan)).content.decode()
    assert "Bayam" in page and "Telur" not in page
    response = client.post(
        page_url("product_new", kelurahan),
        {
            "organisation": world.sayur.pk,
            "name": "Kangkung",
            "category": "sayur",
            "unit": "ikat",
            "price": "2500",
            "daily_capacity": "40",
            "halal_certificate": "",
            "pirt_number": "",
        },
    )
    product = Product.objects.get(name="Kangkung")
    assert response.status_code == 302
    assert response["Location"] == page_url("product_edit", kelurahan, product_id=product.pk)
    assert product.organisation == world.sayur and product.daily_capacity == 40
    assert LogEntry.objects.filter(type="market.product_listed").count() == 5


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"price": "-500"}, "above zero"),
        ({"price": "0"}, "above zero"),
        ({"stock": "", "daily_capacity": ""}, "Give the stock"),
        ({"organisation": "telur"}, "valid choice"),  # not their UMKM: not offered at all
    ],
)
def test_bad_product_input_shows_an_error_and_saves_nothing(
    world: Market, kelurahan: Any, seller: Any, login: Any, changes: dict[str, str], message: str
) -> None:
    data = {
        "organisation": str(world.sayur.pk),
        "name": "Kangkung",
        "category": "sayur",
        "unit": "ikat",
        "price": "2500",
        "stock": "10",
    }
    data.update(changes)
    if data["organisation"] == "telur":
        data["organisation"] = str(world.telur.pk)
    response = login(seller).post(page_url("product_new", kelurahan), data)
    assert response.status_code == 200 and alert_shown(response)
    assert message in response.content.decode()
    assert not Product.objects.filter(name="Kangkung").exists()


def test_a_product_of_an_unapproved_umkm_is_refused_with_the_reason(
    world: Market, kelurahan: Any, login: Any
) -> None:
    pending = OrganisationFactory(kelurahan=kelurahan, status=OrganisationStatus.PENDING)
    client = login(world.operator)
    form = client.get(page_url("product_new", kelurahan)).content.decode()
    assert pending.name in form  # shown with its status, so the operator sees why
    response = client.post(
        page_url("product_new", kelurahan),
        {
            "organisation": pending.pk,
            "name": "Tempe",
            "category": "lauk",
            "unit": "papan",
            "price": "5000",
            "stock": "3",
        },
    )
    assert response.status_code == 200 and "not been approved" in response.content.decode()
    assert not Product.objects.filter(name="Tempe").exists()


def test_seller_edits_price_category_certificates_and_active_flag(
    world: Market, kelurahan: Any, seller: Any, login: Any
) -> None:
    client = login(seller)
    edit = page_url("product_edit", kelurahan, product_id=world.beras.pk)
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        {
            "category": "sembako",
            "unit": "karung",
            "price": "65000",
            "daily_capacity": "25",
            "stock": "",
            "description": "Beras medium",
            "halal_certificate": "ID35110000777",
            "pirt_number": "",
            # is_active unticked: taken off the catalogue
        },
    )
    assert response.status_code == 302
    world.beras.refresh_from_db()
    assert (world.beras.price, world.beras.daily_capacity, world.beras.is_active) == (
        65000,
        25,
        False,
    )
    assert world.beras.halal_certificate == "ID35110000777"
    entry = LogEntry.objects.filter(type="market.product_updated").latest("index")
    assert "ID35110000777" not in entry.body and '"halal":true' in entry.body
    catalogue = anonymous_client().get(page_url("catalogue", kelurahan)).content.decode()
    assert "Beras 5 kg" not in catalogue.split("Products of local UMKM")[-1]


def test_a_negative_price_edit_changes_nothing(
    world: Market, kelurahan: Any, seller: Any, login: Any
) -> None:
    response = login(seller).post(
        page_url("product_edit", kelurahan, product_id=world.bayam.pk),
        {"category": "sayur", "unit": "ikat", "price": "-3000", "stock": "20", "is_active": "on"},
    )
    assert response.status_code == 200 and alert_shown(response)
    world.bayam.refresh_from_db()
    assert world.bayam.price == 3000


def test_a_seller_cannot_open_another_umkm_product(
    world: Market, kelurahan: Any, seller: Any, login: Any
) -> None:
    client = login(seller)
    other = page_url("product_edit", kelurahan, product_id=world.telur_kg.pk)
    assert client.get(other).status_code == 403
    assert client.post(other, {"price": "1"}).status_code == 403
    assert client.get(page_url("product_edit", kelurahan, product_id=999_999)).status_code == 404
    photo = page_url("product_photo_upload", kelurahan, product_id=world.telur_kg.pk)
    assert client.post(photo, {"photo": jpeg_with_exif()}).status_code == 403
    assert not Product.objects.get(pk=world.telur_kg.pk).photo_name


def test_photo_upload_page_strips_metadata_and_the_photo_view_serves_it(
    world: Market, kelurahan: Any, other_kelurahan: Any, seller: Any, login: Any
) -> None:
    photo_url = page_url("product_photo", kelurahan, product_id=world.bayam.pk)
    assert Client().get(photo_url).status_code == 404  # no photo yet
    client = login(seller)
    response = client.post(
        page_url("product_photo_upload", kelurahan, product_id=world.bayam.pk),
        {"photo": jpeg_with_exif()},
    )
    assert response.status_code == 302
    served = Client().get(photo_url)
    body = b"".join(served.streaming_content)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert "max-age" in served["Cache-Control"]
    assert b"PhoneMaker" not in body and b"Exif" not in body
    assert max(Image.open(io.BytesIO(body)).size) == 480
    # The catalogue shows it; another kelurahan's address does not find it.
    assert photo_url in anonymous_client().get(page_url("catalogue", kelurahan)).content.decode()
    elsewhere = reverse(
        "market:product_photo", kwargs={"slug": other_kelurahan.slug, "product_id": world.bayam.pk}
    )
    assert Client().get(elsewhere).status_code == 404


def test_a_file_that_is_not_a_photo_is_refused(
    world: Market, kelurahan: Any, seller: Any, login: Any
) -> None:
    response = login(seller).post(
        page_url("product_photo_upload", kelurahan, product_id=world.bayam.pk),
        {"photo": SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")},
    )
    assert response.status_code == 422 and alert_shown(response)
    world.bayam.refresh_from_db()
    assert not world.bayam.photo_name
