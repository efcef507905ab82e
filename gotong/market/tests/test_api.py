"""Market API operations for operators and UMKM: close a cycle, plan its routes, read the
pick lists; each with its refusals (role, state, another kelurahan)."""

from typing import Any

import pytest

from gotong.accounts.models import Role
from gotong.activities.tests.factories import photo
from gotong.funds import services as funds_services
from gotong.funds.models import Transfer, TransferKind, Voucher

from .. import services
from ..models import (
    CycleStatus,
    Order,
    OrderStatus,
    RoutePlan,
)
from .factories import (
    Market,
    Officers,
    deliver_all,
    delivered_order,
    order_for,
    settlement_matches_breakdown,
    static_qris,
    voucher_code_for,
)

pytestmark = pytest.mark.django_db


pytestmark = pytest.mark.django_db


def _api(kelurahan: Any, path: str) -> str:
    return f"/api/v1/k/{kelurahan.slug}/market/{path}"


def _orders(world: Market, rt: Any, make_member: Any, n: int = 2) -> list[Order]:
    return [
        services.order_place(
            actor=make_member(Role.WARGA, rt),
            cycle=world.cycle,
            lines=[services.LineSpec(offer=world.bundle_offer, quantity=1)],
            fulfilment="delivery",
            rt=rt,
            address_note="Dekat musala",
            location=(-7.63 + i / 1000, 111.52),
        )
        for i in range(n)
    ]


def test_operator_closes_a_cycle_through_the_api(
    world: Market, kelurahan: Any, rt: Any, make_member: Any, login: Any
) -> None:
    _orders(world, rt, make_member)
    client = login(world.operator)
    response = client.post(_api(kelurahan, f"cycles/{world.cycle.pk}/close"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == CycleStatus.CLOSED and body["id"] == world.cycle.pk
    assert {o["ordered"] for o in body["offers"] if o["is_bundle"]} == {2}
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.CONFIRMED}
    again = client.post(_api(kelurahan, f"cycles/{world.cycle.pk}/close"))
    assert again.status_code == 409 and again.json()["message"]


def test_closing_is_refused_to_residents_sellers_and_other_tenants(
    world: Market, kelurahan: Any, other_kelurahan: Any, rt: Any, make_member: Any, login: Any
) -> None:
    path = _api(kelurahan, f"cycles/{world.cycle.pk}/close")
    assert login(None).post(path).status_code == 401
    assert login(make_member(Role.WARGA, rt)).post(path).status_code == 403
    assert login(make_member(Role.UMKM, kelurahan)).post(path).status_code == 403
    assert login(make_member(Role.OPERATOR, other_kelurahan)).post(path).status_code == 403
    # Another kelurahan's operator, in their own kelurahan: this cycle is not found there.
    elsewhere = _api(other_kelurahan, f"cycles/{world.cycle.pk}/close")
    assert login(make_member(Role.OPERATOR, other_kelurahan)).post(elsewhere).status_code == 404
    world.cycle.refresh_from_db()
    assert world.cycle.status == CycleStatus.OPEN


def test_routes_are_planned_after_closing_within_capacity(
    world: Market, kelurahan: Any, rt: Any, make_member: Any, login: Any
) -> None:
    orders = _orders(world, rt, make_member, n=3)
    client = login(world.operator)
    path = _api(kelurahan, f"cycles/{world.cycle.pk}/routes")
    early = client.post(path)
    assert early.status_code == 409 and not RoutePlan.objects.exists()
    client.post(_api(kelurahan, f"cycles/{world.cycle.pk}/close"))
    none = client.post(path)
    assert none.status_code == 422 and none.json()["extra"]["field"] == "couriers"
    services.courier_create(actor=world.operator, kelurahan=kelurahan, label="Kurir A", capacity=1)
    over = client.post(path)
    assert over.status_code == 422 and over.json()["extra"]["field"] == "couriers"
    assert not RoutePlan.objects.exists()
    services.courier_create(actor=world.operator, kelurahan=kelurahan, label="Kurir B", capacity=5)
    response = client.post(path)
    assert response.status_code == 200, response.content
    routes = response.json()["routes"]
    assert sum(r["load"] for r in routes) == len(orders)
    assert {r["courier"] for r in routes} <= {"Kurir A", "Kurir B"}
    assert login(make_member(Role.WARGA, rt)).post(path).status_code == 403


def test_pick_lists_show_each_umkm_only_its_own(
    world: Market, kelurahan: Any, rt: Any, make_member: Any, login: Any
) -> None:
    orders = _orders(world, rt, make_member, n=2)
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    path = _api(kelurahan, f"cycles/{world.cycle.pk}/picklists")
    everything = login(world.operator).get(path)
    assert everything.status_code == 200
    by_umkm = {p["umkm"]: p for p in everything.json()}
    assert set(by_umkm) == {world.sayur.name, world.telur.name, world.kerupuk.name}
    assert by_umkm[world.sayur.name]["items"] == {"Bayam (ikat)": 4}
    assert by_umkm[world.telur.name]["revenue"] == 2 * 27000
    assert sorted(by_umkm[world.kerupuk.name]["orders"]) == sorted(o.code for o in orders)
    seller = make_member(Role.UMKM, kelurahan)
    services.seller_add(actor=world.operator, organisation=world.telur, user=seller)
    own = login(seller).get(path).json()
    assert [p["umkm"] for p in own] == [world.telur.name]
    stranger = make_member(Role.UMKM, kelurahan)  # the role but no UMKM of their own
    assert login(stranger).get(path).json() == []
    assert login(make_member(Role.WARGA, rt)).get(path).status_code == 403
    assert login(world.operator).get(_api(kelurahan, "cycles/999999/picklists")).status_code == 404


def test_api_order_with_a_wrong_voucher_is_refused_and_qris_order_shows_its_code(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers, login: Any
) -> None:
    funds_services.funds_profile_set(
        actor=officers.treasurer, kelurahan=kelurahan, qris_static_payload=static_qris()
    )
    code = voucher_code_for(world, officers, rt, 100_000)
    buyer = login(resident())
    body = {
        "lines": [{"offer_id": world.telur_offer.pk, "quantity": 1}],
        "fulfilment": "pickup",
        "rt_id": rt.pk,
        "payment_method": "voucher",
        "voucher_code": code,
    }
    refused = buyer.post(
        _api(kelurahan, f"cycles/{world.cycle.pk}/orders"), body, content_type="application/json"
    )
    assert refused.status_code == 422 and "Telur" in refused.json()["message"]
    assert not Order.objects.exists() and Voucher.objects.get().remaining == 100_000
    body.update(payment_method="qris", voucher_code="")
    made = buyer.post(
        _api(kelurahan, f"cycles/{world.cycle.pk}/orders"), body, content_type="application/json"
    )
    assert made.status_code == 201, made.content
    order = made.json()
    assert order["balance_due"] == 28_000 and order["payment_reference"] == order["code"]
    facts = funds_services.qris.qris_check(order["qris_payload"])
    assert facts.amount == 28_000 and facts.reference == order["code"]
    shown = buyer.get(_api(kelurahan, f"orders/{order['id']}")).json()
    assert shown["qris_payload"] == order["qris_payload"]
    page = buyer.get(f"/k/{kelurahan.slug}/pasar/pesanan/{order['id']}/").content.decode()
    assert "<svg" in page and order["code"] in page


def test_api_treasurer_confirms_then_operator_settles_once(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers, login: Any
) -> None:
    order = order_for(world, resident(), rt, (world.bundle_offer, 1), payment_method="qris")
    url = _api(kelurahan, f"orders/{order.pk}/payment")
    operator, treasurer = login(world.operator), login(officers.treasurer)
    assert operator.post(url, {"receipt": photo()}).status_code == 403
    assert treasurer.post(url, {}).status_code == 422  # no photo
    first = treasurer.post(url, {"receipt": photo()}, HTTP_IDEMPOTENCY_KEY="pay-1")
    again = treasurer.post(url, {"receipt": photo()}, HTTP_IDEMPOTENCY_KEY="pay-1")
    assert first.status_code == again.status_code == 200, first.content
    assert first.json()["paid"] == again.json()["paid"] == 45_000
    assert Transfer.objects.filter(kind=TransferKind.MARKET_PAYMENT).count() == 1

    settle = _api(kelurahan, f"cycles/{world.cycle.pk}/settle")
    assert operator.post(settle).status_code == 409  # not delivered yet
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    deliver_all(world)
    assert login(resident()).post(settle).status_code == 403
    done = operator.post(settle, HTTP_IDEMPOTENCY_KEY="settle-1")
    replay = operator.post(settle, HTTP_IDEMPOTENCY_KEY="settle-1")
    assert done.status_code == replay.status_code == 200, done.content
    assert done.json() == replay.json() and done.json()["settled"] and done.json()["balance"] == 0
    assert operator.post(settle).status_code == 409
    public = login(None).get(_api(kelurahan, f"cycles/{world.cycle.pk}/settlement")).json()
    assert public["transfer_id"] == done.json()["transfer_id"]
    assert (
        sum(u["net"] for u in public["umkm"])
        + public["operations_fee"]
        + public["courier_share"]
        + public["delivery_to_operations"]
        == public["buyers_paid"]
    )
    payouts = operator.post(
        _api(kelurahan, f"cycles/{world.cycle.pk}/payouts"),
        {"pay_by_cash": False},
        content_type="application/json",
    )
    assert payouts.status_code == 200 and len(payouts.json()) == 3
    settlement_matches_breakdown(world)


def test_api_rating(world: Market, kelurahan: Any, rt: Any, resident: Any, login: Any) -> None:
    buyer = resident()
    order = delivered_order(world, buyer, rt)
    url = f"/api/v1/k/{kelurahan.slug}/market/orders/{order.pk}/rating"
    body = {"ratings": [{"organisation_id": world.kerupuk.pk, "stars": 4}]}
    assert login(resident()).post(url, body, content_type="application/json").status_code == 404
    bad = {"ratings": [{"organisation_id": world.kerupuk.pk, "stars": 0}]}
    assert login(buyer).post(url, bad, content_type="application/json").status_code == 422
    made = login(buyer).post(url, body, content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json() == [{"organisation_id": world.kerupuk.pk, "stars": 4, "comment": ""}]
    assert login(buyer).post(url, body, content_type="application/json").status_code == 409
