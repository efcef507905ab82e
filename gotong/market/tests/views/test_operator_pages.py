"""Pages for UMKM sellers, operators and couriers: each page for its role and 403 for the
others; every form through its service, with the refusals shown and nothing saved."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gotong.accounts.models import Membership, Role
from gotong.registry.models import OrganisationStatus
from gotong.registry.tests.factories import OrganisationFactory
from gotong.transparency.models import LogEntry

from ... import services
from ...models import (
    Bundle,
    Courier,
    CycleStatus,
    MarketSettings,
    Order,
    OrderCycle,
    OrderStatus,
    RoutePlan,
    Seller,
)
from ..factories import (
    Market,
    alert_shown,
    anonymous_client,
    closed_with_orders,
    page_url,
)

pytestmark = pytest.mark.django_db


SELLER_PAGES = ["seller_products", "product_new"]


OPERATOR_PAGES = ["ops", "umkm_queue", "bundles", "cycle_new", "couriers", "fee_settings"]


@pytest.mark.parametrize("name", SELLER_PAGES + OPERATOR_PAGES + ["courier_routes"])
def test_anonymous_is_sent_to_login(world: Market, kelurahan: Any, name: str) -> None:
    response = Client().get(page_url(name, kelurahan))
    assert response.status_code == 302 and "/masuk/" in response["Location"]


@pytest.mark.parametrize("name", SELLER_PAGES + OPERATOR_PAGES + ["courier_routes"])
def test_a_resident_is_refused_every_page(
    world: Market, kelurahan: Any, rt: Any, make_member: Any, login: Any, name: str
) -> None:
    assert login(make_member(Role.WARGA, rt)).get(page_url(name, kelurahan)).status_code == 403


@pytest.mark.parametrize("name", SELLER_PAGES + OPERATOR_PAGES)
def test_an_operator_in_a_totp_session_opens_every_page(
    world: Market, kelurahan: Any, login: Any, name: str
) -> None:
    assert login(world.operator).get(page_url(name, kelurahan)).status_code == 200


@pytest.mark.parametrize("name", OPERATOR_PAGES)
def test_an_operator_without_totp_is_refused(world: Market, kelurahan: Any, name: str) -> None:
    client = Client()
    client.force_login(world.operator)  # password or code login, no authenticator code
    assert client.get(page_url(name, kelurahan)).status_code == 403


@pytest.mark.parametrize("name", OPERATOR_PAGES)
def test_a_seller_opens_seller_pages_but_not_operator_pages(
    world: Market, kelurahan: Any, seller: Any, login: Any, name: str
) -> None:
    client = login(seller)
    assert client.get(page_url(name, kelurahan)).status_code == 403
    for own in SELLER_PAGES:
        assert client.get(page_url(own, kelurahan)).status_code == 200


def test_another_kelurahan_operator_is_refused(
    world: Market, kelurahan: Any, other_kelurahan: Any, make_member: Any, login: Any
) -> None:
    outsider = login(make_member(Role.OPERATOR, other_kelurahan))
    assert outsider.get(page_url("ops", kelurahan)).status_code == 403
    assert outsider.get(
        page_url("product_edit", kelurahan, product_id=world.bayam.pk)
    ).status_code == (403)


def test_operator_approves_and_rejects_umkm_through_the_registry(
    world: Market, kelurahan: Any, login: Any
) -> None:
    waiting = OrganisationFactory(kelurahan=kelurahan, status=OrganisationStatus.PENDING)
    other = OrganisationFactory(kelurahan=kelurahan, status=OrganisationStatus.PENDING)
    client = login(world.operator)
    assert waiting.name in client.get(page_url("umkm_queue", kelurahan)).content.decode()
    queue = page_url("umkm_queue", kelurahan)
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
        page_url("umkm_queue", kelurahan),
        {"action": "decide", "organisation": donor.pk, "approve": "1"},
    )
    donor.refresh_from_db()
    assert donor.status == OrganisationStatus.PENDING


def test_operator_adds_a_seller_by_phone(
    world: Market, kelurahan: Any, login: Any, make_member: Any
) -> None:
    client = login(world.operator)
    response = client.post(
        page_url("umkm_queue", kelurahan),
        {"action": "seller", "organisation": world.telur.pk, "phone": "0812 7777 0001"},
    )
    assert response.status_code == 302
    seller = Seller.objects.get(organisation=world.telur)
    assert seller.user.phone == "+6281277770001"
    assert Membership.objects.filter(user=seller.user, role=Role.UMKM, rw=None).exists()
    page = login(seller.user).get(page_url("seller_products", kelurahan)).content.decode()
    assert "Telur" in page and "Bayam" not in page
    # A second UMKM for the same person: no second role.
    client.post(
        page_url("umkm_queue", kelurahan),
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
    response = login(world.operator).post(page_url("umkm_queue", kelurahan), data)
    assert response.status_code == 422 and alert_shown(response)
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
    response = client.post(page_url("bundles", kelurahan), _bundle_post(world))
    assert response.status_code == 302
    bundle = Bundle.objects.get(name="Paket Sarapan")
    assert {c.product.organisation_id: c.share for c in bundle.components.all()} == {
        world.telur.pk: 15000,
        world.kerupuk.pk: 5000,
    }
    page = client.get(page_url("bundles", kelurahan)).content.decode()
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
        page_url("bundles", kelurahan), _bundle_post(world, **overrides)
    )
    assert response.status_code == 422 and alert_shown(response)
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
    form = client.get(page_url("cycle_new", kelurahan)).content.decode()
    assert "Paket Pasar Minggu Ini" in form and "Beras 5 kg" in form
    response = client.post(page_url("cycle_new", kelurahan), _cycle_post(world))
    cycle = OrderCycle.objects.get(title="Pasar minggu depan")
    assert response.status_code == 302
    assert response["Location"] == page_url("cycle", kelurahan, cycle_id=cycle.pk)
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
    response = login(world.operator).post(
        page_url("cycle_new", kelurahan), _cycle_post(world, **fixed)
    )
    assert response.status_code == 422 and alert_shown(response)
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
    sheet = page_url("cycle", kelurahan, cycle_id=world.cycle.pk)
    assert (
        page_url("cycle_close", kelurahan, cycle_id=world.cycle.pk)
        in client.get(sheet).content.decode()
    )
    close = page_url("cycle_close", kelurahan, cycle_id=world.cycle.pk)
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
    assert page_url("routes_plan", kelurahan, cycle_id=world.cycle.pk) in again


def test_only_operators_close_or_plan(
    world: Market, kelurahan: Any, seller: Any, login: Any
) -> None:
    client = login(seller)
    for name in ("cycle_close", "routes_plan"):
        assert (
            client.post(
                page_url(name, kelurahan, cycle_id=world.cycle.pk), {"confirm": "1"}
            ).status_code
            == 403
        )
    assert (
        "cycle_close"
        not in client.get(page_url("cycle", kelurahan, cycle_id=world.cycle.pk)).content.decode()
    )
    world.cycle.refresh_from_db()
    assert world.cycle.status == CycleStatus.OPEN


def test_plan_routes_refuses_couriers_over_capacity_then_plans(
    world: Market, kelurahan: Any, rt: Any, make_member: Any, login: Any
) -> None:
    orders = closed_with_orders(world, rt, make_member, n=3)
    client = login(world.operator)
    plan = page_url("routes_plan", kelurahan, cycle_id=world.cycle.pk)
    page = client.post(plan, follow=True).content.decode()
    assert "at least one courier" in page and not RoutePlan.objects.exists()
    client.post(page_url("couriers", kelurahan), {"label": "Pak Budi", "capacity": "2"})
    page = client.post(plan, follow=True).content.decode()
    assert "cannot carry every package" in page and not RoutePlan.objects.exists()
    client.post(page_url("couriers", kelurahan), {"label": "Bu Sari", "capacity": "5"})
    page = client.post(plan, follow=True).content.decode()
    assert "Routes planned" in page
    plans = list(RoutePlan.objects.all())
    assert sum(p.load for p in plans) == len(orders)
    assert all(p.load <= p.courier.capacity for p in plans)
    assert page_url("route_sheet", kelurahan, plan_id=plans[0].pk) in page


def test_couriers_page_creates_and_refuses_bad_capacity(
    world: Market, kelurahan: Any, login: Any
) -> None:
    client = login(world.operator)
    for capacity in ("0", "-4", "500"):
        response = client.post(
            page_url("couriers", kelurahan), {"label": "Pak Budi", "capacity": capacity}
        )
        assert response.status_code == 422 and alert_shown(response)
    assert not Courier.objects.exists()
    response = client.post(
        page_url("couriers", kelurahan),
        {"label": "Pak Budi", "capacity": "12", "phone": "0813 5555 0101", "is_paid": "on"},
    )
    courier = Courier.objects.get()
    assert response.status_code == 302 and courier.capacity == 12 and courier.is_paid
    assert Membership.objects.filter(user=courier.user, role=Role.RELAWAN).exists()
    page = client.get(page_url("couriers", kelurahan)).content.decode()
    assert "Pak Budi" in page and "12" in page
    again = client.post(
        page_url("couriers", kelurahan),
        {"label": "Pak Budi lagi", "capacity": "3", "phone": "+6281355550101"},
    )
    assert again.status_code == 422 and Courier.objects.count() == 1


def test_fee_rules_are_set_and_shown_on_the_catalogue_before_ordering(
    world: Market, kelurahan: Any, rt: Any, make_member: Any, login: Any
) -> None:
    client = login(world.operator)
    response = client.post(
        page_url("fee_settings", kelurahan),
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
    catalogue = anonymous_client().get(page_url("catalogue", kelurahan)).content.decode()
    assert "Rp 5.000" in catalogue
    assert "7.5%" in catalogue or "7,5%" in catalogue
    assert "Rp 6.000" in catalogue and "80" in catalogue
    cart = login(make_member(Role.WARGA, rt)).get(
        page_url("order_form", kelurahan, cycle_id=world.cycle.pk)
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
    response = login(world.operator).post(page_url("fee_settings", kelurahan), data)
    assert response.status_code == 422 and alert_shown(response)
    assert not MarketSettings.objects.exists()


def test_ordering_after_the_window_shows_an_error_and_changes_nothing(
    world: Market, kelurahan: Any, rt: Any, make_member: Any, login: Any
) -> None:
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    response = login(make_member(Role.WARGA, rt)).post(
        page_url("order_form", kelurahan, cycle_id=world.cycle.pk),
        {
            f"qty_{world.bundle_offer.pk}": "1",
            "fulfilment": "pickup",
            "rt": str(rt.pk),
            "payment_method": "cod",
        },
    )
    assert response.status_code == 200 and alert_shown(response)
    assert "window is closed" in response.content.decode()
    assert not Order.objects.exists()


def test_navigation_links_each_role_to_its_pages(
    world: Market, kelurahan: Any, seller: Any, rt: Any, make_member: Any, login: Any
) -> None:
    home = reverse("web:home", kwargs={"slug": kelurahan.slug})
    operator_home = login(world.operator).get(home).content.decode()
    assert page_url("ops", kelurahan) in operator_home
    assert page_url("seller_products", kelurahan) in login(seller).get(home).content.decode()
    rider = make_member(Role.RELAWAN, rt)
    assert page_url("courier_routes", kelurahan) in login(rider).get(home).content.decode()
    catalogue = login(world.operator).get(page_url("catalogue", kelurahan)).content.decode()
    assert (
        page_url("ops", kelurahan) in catalogue
        and page_url("seller_products", kelurahan) in catalogue
    )
    desk = login(world.operator).get(page_url("ops", kelurahan)).content.decode()
    for name in ("umkm_queue", "bundles", "cycle_new", "couriers", "fee_settings"):
        assert page_url(name, kelurahan) in desk
    assert page_url("cycle", kelurahan, cycle_id=world.cycle.pk) in desk
    resident_catalogue = login(make_member(Role.WARGA, rt)).get(page_url("catalogue", kelurahan))
    assert page_url("ops", kelurahan) not in resident_catalogue.content.decode()


def test_admin_shows_the_market_and_keeps_money_read_only(
    world: Market, kelurahan: Any, rt: Any, make_member: Any
) -> None:
    from gotong.accounts.tests.clients import client_for
    from gotong.accounts.tests.factories import TOTPDeviceFactory, UserFactory

    order = closed_with_orders(world, rt, make_member, n=1)[0]
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
