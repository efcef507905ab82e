"""Courier pages: their printable route sheet and drop-offs."""

from typing import Any

import pytest

from gotong.accounts.models import Role

from ... import selectors, services
from ...models import (
    CycleStatus,
    OrderStatus,
)
from ..factories import (
    Market,
    alert_shown,
    closed_with_orders,
    page_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(world: Market, kelurahan: Any, rt: Any, make_member: Any) -> dict[str, Any]:
    """A closed cycle of three COD deliveries, all on one courier's route."""
    rider = make_member(Role.RELAWAN, rt)
    courier = services.courier_create(
        actor=world.operator, kelurahan=kelurahan, label="Mas Joko", capacity=10, user=rider
    )
    orders = closed_with_orders(world, rt, make_member, n=3)
    [plan] = services.routes_plan(actor=world.operator, cycle=world.cycle, couriers=[courier])
    return {"rider": rider, "plan": plan, "orders": orders}


def test_courier_sees_their_printable_route_sheet(
    world: Market, kelurahan: Any, routed: dict[str, Any], login: Any
) -> None:
    client = login(routed["rider"])
    listing = client.get(page_url("courier_routes", kelurahan)).content.decode()
    sheet_url = page_url("route_sheet", kelurahan, plan_id=routed["plan"].pk)
    assert sheet_url in listing
    sheet = client.get(sheet_url).content.decode()
    for order in routed["orders"]:
        assert order.code in sheet and order.address_note in sheet
        assert page_url("dropoff", kelurahan, plan_id=routed["plan"].pk, order_id=order.pk) in sheet
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
    assert other.get(page_url("route_sheet", kelurahan, plan_id=plan.pk)).status_code == 403
    drop = page_url("dropoff", kelurahan, plan_id=plan.pk, order_id=order.pk)
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
        page_url("dropoff", kelurahan, plan_id=routed["plan"].pk, order_id=order.pk), posted
    )
    assert response.status_code == 422 and alert_shown(response)
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
    page = client.get(page_url("dropoff", kelurahan, plan_id=plan.pk, order_id=first.pk))
    assert page.status_code == 200 and "Rp 45.000" in page.content.decode()
    response = client.post(
        page_url("dropoff", kelurahan, plan_id=plan.pk, order_id=first.pk),
        {"code": selectors.recipient_code(first), "cash_collected": "45000"},
    )
    assert response.status_code == 302
    response = client.post(
        page_url("dropoff", kelurahan, plan_id=plan.pk, order_id=second.pk),
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
        page_url("dropoff", kelurahan, plan_id=plan.pk, order_id=first.pk),
        {"code": selectors.recipient_code(first), "cash_collected": "45000"},
    )
    assert again.status_code == 422 and "not waiting for delivery" in again.content.decode()
    # An order that is not on this route is not found here.
    assert (
        client.get(page_url("dropoff", kelurahan, plan_id=plan.pk, order_id=999_999)).status_code
        == 404
    )
    client.post(
        page_url("dropoff", kelurahan, plan_id=plan.pk, order_id=third.pk),
        {"code": selectors.recipient_code(third), "cash_collected": "45000"},
    )
    world.cycle.refresh_from_db()
    assert world.cycle.status == CycleStatus.FULFILLED
