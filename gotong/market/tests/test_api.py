"""Market API operations for operators and UMKM: close a cycle, plan its routes, read the
pick lists; each with its refusals (role, state, another kelurahan)."""

from typing import Any

import pytest

from gotong.accounts.models import Role

from .. import services
from ..models import CycleStatus, Order, OrderStatus, RoutePlan
from .factories import Market

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
