"""Pages for UMKM sellers, operators and couriers: each page for its role and 403 for the
others; every form through its service, with the refusals shown and nothing saved."""

import datetime as dt
import io
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw

from gotong.accounts.models import Membership, Role
from gotong.registry.models import OrganisationStatus
from gotong.registry.tests.factories import OrganisationFactory
from gotong.transparency.models import LogEntry

from .. import selectors, services
from ..models import (
    Bundle,
    Courier,
    CycleStatus,
    MarketSettings,
    Order,
    OrderCycle,
    OrderStatus,
    Product,
    RoutePlan,
    Seller,
)
from .factories import Market

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(login: Any) -> Any:
    """Logged-in clients reading the pages in English (the messages' source text)."""

    def english_client(user: Any) -> Client:
        client = login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return english_client


def anon() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def url(name: str, kelurahan: Any, **kwargs: Any) -> str:
    return reverse(f"market:{name}", kwargs={"slug": kelurahan.slug, **kwargs})


def _jpeg_with_exif() -> SimpleUploadedFile:
    image = Image.new("RGB", (900, 600), (30, 160, 60))
    ImageDraw.Draw(image).ellipse((100, 100, 500, 400), fill=(200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    raw = io.BytesIO()
    image.save(raw, "JPEG", exif=exif)
    return SimpleUploadedFile("bayam.jpg", raw.getvalue(), content_type="image/jpeg")


def _alert(response: Any) -> bool:
    return 'role="alert"' in response.content.decode()


@pytest.fixture
def seller(world: Market, kelurahan: Any, make_member: Any) -> Any:
    """Sells for the vegetable UMKM (world.sayur)."""
    user = make_member(Role.UMKM, kelurahan)
    services.seller_add(actor=world.operator, organisation=world.sayur, user=user)
    return user


def _closed_with_orders(world: Market, rt: Any, make_member: Any, n: int = 3) -> list[Order]:
    orders = [
        services.order_place(
            actor=make_member(Role.WARGA, rt),
            cycle=world.cycle,
            lines=[services.LineSpec(offer=world.bundle_offer, quantity=1)],
            fulfilment="delivery",
            rt=rt,
            address_note=f"Gang Melati {i}",
            location=(-7.63 + i / 1000, 111.52),
        )
        for i in range(n)
    ]
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    return orders


# --------------------------------------------------------------------------- who sees what

SELLER_PAGES = ["seller_products", "product_new"]
OPERATOR_PAGES = ["ops", "umkm_queue", "bundles", "cycle_new", "couriers", "fee_settings"]


@pytest.mark.parametrize("name", SELLER_PAGES + OPERATOR_PAGES + ["courier_routes"])
def test_anonymous_is_sent_to_login(world: Market, kelurahan: Any, name: str) -> None:
    response = Client().get(url(name, kelurahan))
    assert response.status_code == 302 and "/masuk/" in response["Location"]


@pytest.mark.parametrize("name", SELLER_PAGES + OPERATOR_PAGES + ["courier_routes"])
def test_a_resident_is_refused_every_page(
    world: Market, kelurahan: Any, rt: Any, make_member: Any, login: Any, name: str
) -> None:
    assert login(make_member(Role.WARGA, rt)).get(url(name, kelurahan)).status_code == 403


@pytest.mark.parametrize("name", SELLER_PAGES + OPERATOR_PAGES)
def test_an_operator_in_a_totp_session_opens_every_page(
    world: Market, kelurahan: Any, login: Any, name: str
) -> None:
    assert login(world.operator).get(url(name, kelurahan)).status_code == 200


@pytest.mark.parametrize("name", OPERATOR_PAGES)
def test_an_operator_without_totp_is_refused(world: Market, kelurahan: Any, name: str) -> None:
    client = Client()
    client.force_login(world.operator)  # password or code login, no authenticator code
    assert client.get(url(name, kelurahan)).status_code == 403


@pytest.mark.parametrize("name", OPERATOR_PAGES)
def test_a_seller_opens_seller_pages_but_not_operator_pages(
    world: Market, kelurahan: Any, seller: Any, login: Any, name: str
) -> None:
    client = login(seller)
    assert client.get(url(name, kelurahan)).status_code == 403
    for own in SELLER_PAGES:
        assert client.get(url(own, kelurahan)).status_code == 200


def test_another_kelurahan_operator_is_refused(
    world: Market, kelurahan: Any, other_kelurahan: Any, make_member: Any, login: Any
) -> None:
    outsider = login(make_member(Role.OPERATOR, other_kelurahan))
    assert outsider.get(url("ops", kelurahan)).status_code == 403
    assert outsider.get(url("product_edit", kelurahan, product_id=world.bayam.pk)).status_code == (
        403
    )


# ------------------------------------------------------------------------------ sellers


def test_seller_lists_only_their_products_and_lists_a_new_one(
    world: Market, kelurahan: Any, seller: Any, login: Any
) -> None:
    client = login(seller)
    page = client.get(url("seller_products", kelurahan)).content.decode()
    assert "Bayam" in page and "Telur" not in page
    response = client.post(
        url("product_new", kelurahan),
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
    assert response["Location"] == url("product_edit", kelurahan, product_id=product.pk)
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
    response = login(seller).post(url("product_new", kelurahan), data)
    assert response.status_code == 200 and _alert(response)
    assert message in response.content.decode()
    assert not Product.objects.filter(name="Kangkung").exists()


def test_a_product_of_an_unapproved_umkm_is_refused_with_the_reason(
    world: Market, kelurahan: Any, login: Any
) -> None:
    pending = OrganisationFactory(kelurahan=kelurahan, status=OrganisationStatus.PENDING)
    client = login(world.operator)
    form = client.get(url("product_new", kelurahan)).content.decode()
    assert pending.name in form  # shown with its status, so the operator sees why
    response = client.post(
        url("product_new", kelurahan),
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
    edit = url("product_edit", kelurahan, product_id=world.beras.pk)
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
    catalogue = anon().get(url("catalogue", kelurahan)).content.decode()
    assert "Beras 5 kg" not in catalogue.split("Products of local UMKM")[-1]


def test_a_negative_price_edit_changes_nothing(
    world: Market, kelurahan: Any, seller: Any, login: Any
) -> None:
    response = login(seller).post(
        url("product_edit", kelurahan, product_id=world.bayam.pk),
        {"category": "sayur", "unit": "ikat", "price": "-3000", "stock": "20", "is_active": "on"},
    )
    assert response.status_code == 200 and _alert(response)
    world.bayam.refresh_from_db()
    assert world.bayam.price == 3000


def test_a_seller_cannot_open_another_umkm_product(
    world: Market, kelurahan: Any, seller: Any, login: Any
) -> None:
    client = login(seller)
    other = url("product_edit", kelurahan, product_id=world.telur_kg.pk)
    assert client.get(other).status_code == 403
    assert client.post(other, {"price": "1"}).status_code == 403
    assert client.get(url("product_edit", kelurahan, product_id=999_999)).status_code == 404
    photo = url("product_photo_upload", kelurahan, product_id=world.telur_kg.pk)
    assert client.post(photo, {"photo": _jpeg_with_exif()}).status_code == 403
    assert not Product.objects.get(pk=world.telur_kg.pk).photo_name


def test_photo_upload_page_strips_metadata_and_the_photo_view_serves_it(
    world: Market, kelurahan: Any, other_kelurahan: Any, seller: Any, login: Any
) -> None:
    photo_url = url("product_photo", kelurahan, product_id=world.bayam.pk)
    assert Client().get(photo_url).status_code == 404  # no photo yet
    client = login(seller)
    response = client.post(
        url("product_photo_upload", kelurahan, product_id=world.bayam.pk),
        {"photo": _jpeg_with_exif()},
    )
    assert response.status_code == 302
    served = Client().get(photo_url)
    body = b"".join(served.streaming_content)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert "max-age" in served["Cache-Control"]
    assert b"PhoneMaker" not in body and b"Exif" not in body
    assert max(Image.open(io.BytesIO(body)).size) == 480
    # The catalogue shows it; another kelurahan's address does not find it.
    assert photo_url in anon().get(url("catalogue", kelurahan)).content.decode()
    elsewhere = reverse(
        "market:product_photo", kwargs={"slug": other_kelurahan.slug, "product_id": world.bayam.pk}
    )
    assert Client().get(elsewhere).status_code == 404


def test_a_file_that_is_not_a_photo_is_refused(
    world: Market, kelurahan: Any, seller: Any, login: Any
) -> None:
    response = login(seller).post(
        url("product_photo_upload", kelurahan, product_id=world.bayam.pk),
        {"photo": SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")},
    )
    assert response.status_code == 422 and _alert(response)
    world.bayam.refresh_from_db()
    assert not world.bayam.photo_name


# ----------------------------------------------------------------------------- operators


def test_operator_approves_and_rejects_umkm_through_the_registry(
    world: Market, kelurahan: Any, login: Any
) -> None:
    waiting = OrganisationFactory(kelurahan=kelurahan, status=OrganisationStatus.PENDING)
    other = OrganisationFactory(kelurahan=kelurahan, status=OrganisationStatus.PENDING)
    client = login(world.operator)
    assert waiting.name in client.get(url("umkm_queue", kelurahan)).content.decode()
    queue = url("umkm_queue", kelurahan)
    client.post(queue, {"action": "decide", "organisation": waiting.pk, "approve": "1"})
    client.post(queue, {"action": "decide", "organisation": other.pk, "approve": "0"})
    waiting.refresh_from_db()
    other.refresh_from_db()
    assert waiting.status == OrganisationStatus.APPROVED
    assert waiting.decided_by_id == world.operator.pk
    assert other.status == OrganisationStatus.REJECTED
    assert LogEntry.objects.filter(type="organisation.approved").exists()
    # Deciding twice is refused by the registry's service and changes nothing.
    response = client.post(
        queue, {"action": "decide", "organisation": other.pk, "approve": "1"}, follow=True
    )
    assert "already been decided" in response.content.decode()
    other.refresh_from_db()
    assert other.status == OrganisationStatus.REJECTED


def test_the_queue_decides_only_umkm(world: Market, kelurahan: Any, login: Any) -> None:
    donor = OrganisationFactory(
        kelurahan=kelurahan, kind="donor", status=OrganisationStatus.PENDING
    )
    login(world.operator).post(
        url("umkm_queue", kelurahan),
        {"action": "decide", "organisation": donor.pk, "approve": "1"},
    )
    donor.refresh_from_db()
    assert donor.status == OrganisationStatus.PENDING


def test_operator_adds_a_seller_by_phone(
    world: Market, kelurahan: Any, login: Any, make_member: Any
) -> None:
    client = login(world.operator)
    response = client.post(
        url("umkm_queue", kelurahan),
        {"action": "seller", "organisation": world.telur.pk, "phone": "0812 7777 0001"},
    )
    assert response.status_code == 302
    seller = Seller.objects.get(organisation=world.telur)
    assert seller.user.phone == "+6281277770001"
    assert Membership.objects.filter(user=seller.user, role=Role.UMKM, rw=None).exists()
    page = login(seller.user).get(url("seller_products", kelurahan)).content.decode()
    assert "Telur" in page and "Bayam" not in page
    # A second UMKM for the same person: no second role.
    client.post(
        url("umkm_queue", kelurahan),
        {"action": "seller", "organisation": world.kerupuk.pk, "phone": "+6281277770001"},
    )
    assert Membership.objects.filter(user=seller.user, role=Role.UMKM).count() == 1
    assert Seller.objects.filter(user=seller.user).count() == 2


@pytest.mark.parametrize("case", ["bad_phone", "pending_umkm"])
def test_adding_a_seller_refuses_bad_input(
    world: Market, kelurahan: Any, login: Any, case: str
) -> None:
    pending = OrganisationFactory(kelurahan=kelurahan, status=OrganisationStatus.PENDING)
    data = {"action": "seller", "organisation": world.telur.pk, "phone": "0812 7777 0002"}
    if case == "bad_phone":
        data["phone"] = "12"
    else:
        data["organisation"] = pending.pk
    response = login(world.operator).post(url("umkm_queue", kelurahan), data)
    assert response.status_code == 422 and _alert(response)
    assert not Seller.objects.exclude(organisation=world.sayur).exists()
    assert not Membership.objects.filter(role=Role.UMKM).exists()


def _bundle_post(world: Market, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Paket Sarapan",
        "category": "sembako",
        "price": "20000",
        "description": "",
        "c-TOTAL_FORMS": "6",
        "c-INITIAL_FORMS": "0",
        "c-MIN_NUM_FORMS": "0",
        "c-MAX_NUM_FORMS": "12",
        "c-0-product": world.telur_kg.pk,
        "c-0-quantity": "1",
        "c-0-share": "15000",
        "c-1-product": world.kerupuk_pack.pk,
        "c-1-quantity": "1",
        "c-1-share": "5000",
    }
    data.update(overrides)
    return data


def test_operator_creates_a_bundle_split_between_umkm(
    world: Market, kelurahan: Any, login: Any
) -> None:
    client = login(world.operator)
    response = client.post(url("bundles", kelurahan), _bundle_post(world))
    assert response.status_code == 302
    bundle = Bundle.objects.get(name="Paket Sarapan")
    assert {c.product.organisation_id: c.share for c in bundle.components.all()} == {
        world.telur.pk: 15000,
        world.kerupuk.pk: 5000,
    }
    page = client.get(url("bundles", kelurahan)).content.decode()
    assert "Paket Sarapan" in page and "Rp 15.000" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"c-1-share": "4000"}, "add up"),
        ({"price": "-20000"}, "above zero"),
        ({"c-0-product": "", "c-1-product": ""}, "at least one product"),
        ({"c-1-product": "", "c-0-share": "20000", "c-0-quantity": ""}, "Give the quantity"),
    ],
)
def test_a_bad_bundle_is_refused_and_nothing_is_saved(
    world: Market, kelurahan: Any, login: Any, overrides: dict[str, str], message: str
) -> None:
    response = login(world.operator).post(
        url("bundles", kelurahan), _bundle_post(world, **overrides)
    )
    assert response.status_code == 422 and _alert(response)
    assert message in response.content.decode()
    assert not Bundle.objects.filter(name="Paket Sarapan").exists()


def _cycle_post(world: Market, **overrides: Any) -> dict[str, Any]:
    now = timezone.localtime()
    data: dict[str, Any] = {
        "title": "Pasar minggu depan",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + dt.timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M"),
        "delivery_date": (now + dt.timedelta(days=2)).date().isoformat(),
        "offer": [f"b{world.bundle.pk}", f"p{world.beras.pk}"],
        f"threshold_p{world.beras.pk}": "8",
        f"rule_p{world.beras.pk}": "confirm",
    }
    data.update(overrides)
    return data


def test_operator_opens_a_cycle_with_a_bulk_threshold(
    world: Market, kelurahan: Any, login: Any
) -> None:
    client = login(world.operator)
    form = client.get(url("cycle_new", kelurahan)).content.decode()
    assert "Paket Pasar Minggu Ini" in form and "Beras 5 kg" in form
    response = client.post(url("cycle_new", kelurahan), _cycle_post(world))
    cycle = OrderCycle.objects.get(title="Pasar minggu depan")
    assert response.status_code == 302
    assert response["Location"] == url("cycle", kelurahan, cycle_id=cycle.pk)
    offers = {o.bundle_id or o.product_id: o for o in cycle.offers.all()}
    assert offers[world.beras.pk].threshold == 8
    assert offers[world.beras.pk].threshold_rule == "confirm"
    assert offers[world.bundle.pk].threshold is None
    assert set(cycle.sellers.values_list("pk", flat=True)) == {
        world.sayur.pk,
        world.telur.pk,
        world.kerupuk.pk,
    }
    assert (cycle.closes_at - cycle.opens_at) == dt.timedelta(hours=24)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"offer": []}, "at least one product or bundle"),
        ({"closes_at": "2020-01-01T10:00"}, "close after it opens"),
        ({"delivery_date": "2020-01-01"}, "delivery date cannot be before"),
        ({"threshold_p{beras}": "banyak"}, "whole number above zero"),
        ({"threshold_p{beras}": "-3"}, "threshold must be above zero"),
        ({"rule_p{beras}": "maybe"}, "Choose the rule"),
    ],
)
def test_a_bad_cycle_is_refused_and_nothing_is_opened(
    world: Market, kelurahan: Any, login: Any, overrides: dict[str, Any], message: str
) -> None:
    fixed = {k.replace("{beras}", str(world.beras.pk)): v for k, v in overrides.items()}
    response = login(world.operator).post(url("cycle_new", kelurahan), _cycle_post(world, **fixed))
    assert response.status_code == 422 and _alert(response)
    assert message in response.content.decode()
    assert not OrderCycle.objects.filter(title="Pasar minggu depan").exists()


def test_close_button_needs_confirmation_then_closes(
    world: Market, kelurahan: Any, rt: Any, make_member: Any, login: Any
) -> None:
    services.order_place(
        actor=make_member(Role.WARGA, rt),
        cycle=world.cycle,
        lines=[services.LineSpec(offer=world.bundle_offer, quantity=1)],
        fulfilment="pickup",
        rt=rt,
    )
    client = login(world.operator)
    sheet = url("cycle", kelurahan, cycle_id=world.cycle.pk)
    assert (
        url("cycle_close", kelurahan, cycle_id=world.cycle.pk) in client.get(sheet).content.decode()
    )
    close = url("cycle_close", kelurahan, cycle_id=world.cycle.pk)
    assert client.get(close).status_code == 405
    page = client.post(close, {}, follow=True).content.decode()
    assert "Tick the box" in page
    world.cycle.refresh_from_db()
    assert world.cycle.status == CycleStatus.OPEN
    page = client.post(close, {"confirm": "1"}, follow=True).content.decode()
    world.cycle.refresh_from_db()
    assert world.cycle.status == CycleStatus.CLOSED and "pick lists are ready" in page
    assert Order.objects.get().status == OrderStatus.CONFIRMED
    again = client.post(close, {"confirm": "1"}, follow=True).content.decode()
    assert "not open" in again
    assert url("routes_plan", kelurahan, cycle_id=world.cycle.pk) in again


def test_only_operators_close_or_plan(
    world: Market, kelurahan: Any, seller: Any, login: Any
) -> None:
    client = login(seller)
    for name in ("cycle_close", "routes_plan"):
        assert (
            client.post(url(name, kelurahan, cycle_id=world.cycle.pk), {"confirm": "1"}).status_code
            == 403
        )
    assert (
        "cycle_close"
        not in client.get(url("cycle", kelurahan, cycle_id=world.cycle.pk)).content.decode()
    )
    world.cycle.refresh_from_db()
    assert world.cycle.status == CycleStatus.OPEN


def test_plan_routes_refuses_couriers_over_capacity_then_plans(
    world: Market, kelurahan: Any, rt: Any, make_member: Any, login: Any
) -> None:
    orders = _closed_with_orders(world, rt, make_member, n=3)
    client = login(world.operator)
    plan = url("routes_plan", kelurahan, cycle_id=world.cycle.pk)
    page = client.post(plan, follow=True).content.decode()
    assert "at least one courier" in page and not RoutePlan.objects.exists()
    client.post(url("couriers", kelurahan), {"label": "Pak Budi", "capacity": "2"})
    page = client.post(plan, follow=True).content.decode()
    assert "cannot carry every package" in page and not RoutePlan.objects.exists()
    client.post(url("couriers", kelurahan), {"label": "Bu Sari", "capacity": "5"})
    page = client.post(plan, follow=True).content.decode()
    assert "Routes planned" in page
    plans = list(RoutePlan.objects.all())
    assert sum(p.load for p in plans) == len(orders)
    assert all(p.load <= p.courier.capacity for p in plans)
    assert url("route_sheet", kelurahan, plan_id=plans[0].pk) in page


def test_couriers_page_creates_and_refuses_bad_capacity(
    world: Market, kelurahan: Any, login: Any
) -> None:
    client = login(world.operator)
    for capacity in ("0", "-4", "500"):
        response = client.post(
            url("couriers", kelurahan), {"label": "Pak Budi", "capacity": capacity}
        )
        assert response.status_code == 422 and _alert(response)
    assert not Courier.objects.exists()
    response = client.post(
        url("couriers", kelurahan),
        {"label": "Pak Budi", "capacity": "12", "phone": "0813 5555 0101", "is_paid": "on"},
    )
    courier = Courier.objects.get()
    assert response.status_code == 302 and courier.capacity == 12 and courier.is_paid
    assert Membership.objects.filter(user=courier.user, role=Role.RELAWAN).exists()
    page = client.get(url("couriers", kelurahan)).content.decode()
    assert "Pak Budi" in page and "12" in page
    again = client.post(
        url("couriers", kelurahan),
        {"label": "Pak Budi lagi", "capacity": "3", "phone": "+6281355550101"},
    )
    assert again.status_code == 422 and Courier.objects.count() == 1


def test_fee_rules_are_set_and_shown_on_the_catalogue_before_ordering(
    world: Market, kelurahan: Any, rt: Any, make_member: Any, login: Any
) -> None:
    client = login(world.operator)
    response = client.post(
        url("fee_settings", kelurahan),
        {
            "operations_fee_pct": "7.5",
            "delivery_fee": "6000",
            "courier_share_pct": "80",
            "baseline_cycles": "2",
        },
    )
    assert response.status_code == 302
    fees = MarketSettings.objects.get(kelurahan=kelurahan)
    assert (fees.operations_fee_bp, fees.delivery_fee, fees.courier_share_bp) == (750, 6000, 8000)
    # The open cycle keeps the rules it opened with; the new ones are shown for the next.
    catalogue = anon().get(url("catalogue", kelurahan)).content.decode()
    assert "Rp 5.000" in catalogue
    assert "7.5%" in catalogue or "7,5%" in catalogue
    assert "Rp 6.000" in catalogue and "80" in catalogue
    cart = login(make_member(Role.WARGA, rt)).get(
        url("order_form", kelurahan, cycle_id=world.cycle.pk)
    )
    assert "Rp 5.000" in cart.content.decode() and "Rp 6.000" not in cart.content.decode()


@pytest.mark.parametrize(
    "overrides",
    [{"operations_fee_pct": "45"}, {"delivery_fee": "-1"}, {"courier_share_pct": "120"}],
)
def test_bad_fee_rules_change_nothing(
    world: Market, kelurahan: Any, login: Any, overrides: dict[str, str]
) -> None:
    data = {
        "operations_fee_pct": "5",
        "delivery_fee": "5000",
        "courier_share_pct": "100",
        "baseline_cycles": "2",
    }
    data.update(overrides)
    response = login(world.operator).post(url("fee_settings", kelurahan), data)
    assert response.status_code == 422 and _alert(response)
    assert not MarketSettings.objects.exists()


def test_ordering_after_the_window_shows_an_error_and_changes_nothing(
    world: Market, kelurahan: Any, rt: Any, make_member: Any, login: Any
) -> None:
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    response = login(make_member(Role.WARGA, rt)).post(
        url("order_form", kelurahan, cycle_id=world.cycle.pk),
        {
            f"qty_{world.bundle_offer.pk}": "1",
            "fulfilment": "pickup",
            "rt": str(rt.pk),
            "payment_method": "cod",
        },
    )
    assert response.status_code == 200 and _alert(response)
    assert "window is closed" in response.content.decode()
    assert not Order.objects.exists()


# ------------------------------------------------------------------------------ couriers


@pytest.fixture
def routed(world: Market, kelurahan: Any, rt: Any, make_member: Any) -> dict[str, Any]:
    """A closed cycle of three COD deliveries, all on one courier's route."""
    rider = make_member(Role.RELAWAN, rt)
    courier = services.courier_create(
        actor=world.operator, kelurahan=kelurahan, label="Mas Joko", capacity=10, user=rider
    )
    orders = _closed_with_orders(world, rt, make_member, n=3)
    [plan] = services.routes_plan(actor=world.operator, cycle=world.cycle, couriers=[courier])
    return {"rider": rider, "plan": plan, "orders": orders}


def test_courier_sees_their_printable_route_sheet(
    world: Market, kelurahan: Any, routed: dict[str, Any], login: Any
) -> None:
    client = login(routed["rider"])
    listing = client.get(url("courier_routes", kelurahan)).content.decode()
    sheet_url = url("route_sheet", kelurahan, plan_id=routed["plan"].pk)
    assert sheet_url in listing
    sheet = client.get(sheet_url).content.decode()
    for order in routed["orders"]:
        assert order.code in sheet and order.address_note in sheet
        assert url("dropoff", kelurahan, plan_id=routed["plan"].pk, order_id=order.pk) in sheet
    assert "Rp 45.000" in sheet  # 40.000 bundle + 5.000 delivery, in cash
    assert "market/market.css" in sheet  # print styles
    assert world.sayur.name in sheet  # the pick-ups come first
    assert login(world.operator).get(sheet_url).status_code == 200


def test_another_volunteer_cannot_open_the_route_or_record(
    world: Market, kelurahan: Any, rt: Any, routed: dict[str, Any], make_member: Any, login: Any
) -> None:
    other = login(make_member(Role.RELAWAN, rt))
    plan = routed["plan"]
    order = routed["orders"][0]
    assert other.get(url("route_sheet", kelurahan, plan_id=plan.pk)).status_code == 403
    drop = url("dropoff", kelurahan, plan_id=plan.pk, order_id=order.pk)
    code = selectors.recipient_code(order)
    assert other.post(drop, {"code": code, "cash_collected": "45000"}).status_code == 403
    assert login(make_member(Role.WARGA, rt)).get(drop).status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "000000", "cash_collected": "45000"}, "does not match"),
        ({"code": "{code}", "cash_collected": "40000"}, "Cash on delivery"),
        ({"code": "{code}"}, "Cash on delivery"),
        ({"cash_collected": "45000"}, "code or take a photo"),
    ],
)
def test_a_bad_dropoff_is_refused_and_the_order_waits(
    world: Market,
    kelurahan: Any,
    routed: dict[str, Any],
    login: Any,
    data: dict[str, str],
    message: str,
) -> None:
    order = routed["orders"][0]
    posted = {k: v.replace("{code}", selectors.recipient_code(order)) for k, v in data.items()}
    response = login(routed["rider"]).post(
        url("dropoff", kelurahan, plan_id=routed["plan"].pk, order_id=order.pk), posted
    )
    assert response.status_code == 422 and _alert(response)
    assert message in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED and order.cash_collected is None


def test_courier_records_dropoffs_by_code_and_by_photo(
    world: Market, kelurahan: Any, routed: dict[str, Any], login: Any
) -> None:
    from gotong.activities.tests.factories import photo

    client = login(routed["rider"])
    plan = routed["plan"]
    first, second, third = routed["orders"]
    page = client.get(url("dropoff", kelurahan, plan_id=plan.pk, order_id=first.pk))
    assert page.status_code == 200 and "Rp 45.000" in page.content.decode()
    response = client.post(
        url("dropoff", kelurahan, plan_id=plan.pk, order_id=first.pk),
        {"code": selectors.recipient_code(first), "cash_collected": "45000"},
    )
    assert response.status_code == 302
    response = client.post(
        url("dropoff", kelurahan, plan_id=plan.pk, order_id=second.pk),
        {"photo": photo(), "cash_collected": "45000"},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == OrderStatus.DELIVERED and first.delivery_proof == "code"
    assert second.status == OrderStatus.DELIVERED and second.delivery_proof not in ("", "code")
    assert second.cash_collected == 45000
    # Recorded twice: refused.
    again = client.post(
        url("dropoff", kelurahan, plan_id=plan.pk, order_id=first.pk),
        {"code": selectors.recipient_code(first), "cash_collected": "45000"},
    )
    assert again.status_code == 422 and "not waiting for delivery" in again.content.decode()
    # An order that is not on this route is not found here.
    assert (
        client.get(url("dropoff", kelurahan, plan_id=plan.pk, order_id=999_999)).status_code == 404
    )
    client.post(
        url("dropoff", kelurahan, plan_id=plan.pk, order_id=third.pk),
        {"code": selectors.recipient_code(third), "cash_collected": "45000"},
    )
    world.cycle.refresh_from_db()
    assert world.cycle.status == CycleStatus.FULFILLED


# ---------------------------------------------------------------------------- navigation


def test_navigation_links_each_role_to_its_pages(
    world: Market, kelurahan: Any, seller: Any, rt: Any, make_member: Any, login: Any
) -> None:
    home = reverse("web:home", kwargs={"slug": kelurahan.slug})
    operator_home = login(world.operator).get(home).content.decode()
    assert url("ops", kelurahan) in operator_home
    assert url("seller_products", kelurahan) in login(seller).get(home).content.decode()
    rider = make_member(Role.RELAWAN, rt)
    assert url("courier_routes", kelurahan) in login(rider).get(home).content.decode()
    catalogue = login(world.operator).get(url("catalogue", kelurahan)).content.decode()
    assert url("ops", kelurahan) in catalogue and url("seller_products", kelurahan) in catalogue
    desk = login(world.operator).get(url("ops", kelurahan)).content.decode()
    for name in ("umkm_queue", "bundles", "cycle_new", "couriers", "fee_settings"):
        assert url(name, kelurahan) in desk
    assert url("cycle", kelurahan, cycle_id=world.cycle.pk) in desk
    resident_catalogue = login(make_member(Role.WARGA, rt)).get(url("catalogue", kelurahan))
    assert url("ops", kelurahan) not in resident_catalogue.content.decode()


# --------------------------------------------------------------------------------- admin


def test_admin_shows_the_market_and_keeps_money_read_only(
    world: Market, kelurahan: Any, rt: Any, make_member: Any
) -> None:
    from gotong.accounts.tests.clients import client_for
    from gotong.accounts.tests.factories import TOTPDeviceFactory, UserFactory

    order = _closed_with_orders(world, rt, make_member, n=1)[0]
    courier = services.courier_create(
        actor=world.operator, kelurahan=kelurahan, label="Mas Joko", capacity=5
    )
    [plan] = services.routes_plan(actor=world.operator, cycle=world.cycle, couriers=[courier])
    staff = UserFactory(is_staff=True, is_superuser=True)
    TOTPDeviceFactory(user=staff)
    client = client_for(staff)
    for model, obj in [
        ("product", world.bayam),
        ("bundle", world.bundle),
        ("ordercycle", world.cycle),
        ("order", order),
        ("courier", courier),
        ("routeplan", plan),
        ("seller", None),
        ("marketsettings", None),
        ("orderrating", None),
    ]:
        assert client.get(reverse(f"admin:market_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:market_{model}_add")).status_code == 403
        if obj is not None:
            page = client.get(reverse(f"admin:market_{model}_change", args=[obj.pk]))
            assert page.status_code == 200
    # Nothing changes here: products, bundles, cycles and orders change through the
    # market pages (services), so a post is refused and changes nothing.
    refused = client.post(
        reverse("admin:market_product_change", args=[world.bayam.pk]),
        {"name": "Bayam hijau", "description": "", "price": "1"},
    )
    assert refused.status_code == 403
    world.bayam.refresh_from_db()
    assert world.bayam.price == 3000 and world.bayam.name != "Bayam hijau"
