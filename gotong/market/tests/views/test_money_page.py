"""The money page of a cycle: payments, settlement and payouts by role."""

from typing import Any

import pytest

from gotong.accounts.models import Role
from gotong.activities.tests.factories import photo
from gotong.core.exceptions import Conflict
from gotong.funds.models import Disbursement

from ... import selectors, services
from ...models import CourierPayout, Order
from ..factories import (
    Market,
    Officers,
    deliver_all,
    order_for,
)

pytestmark = pytest.mark.django_db


def test_money_page_for_officers_and_the_treasurer(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers, login: Any
) -> None:
    order = order_for(world, resident(), rt, (world.bundle_offer, 1), payment_method="qris")
    page = f"/k/{kelurahan.slug}/pasar/siklus/{world.cycle.pk}/keuangan/"
    assert login(resident()).get(page).status_code == 403
    treasurer = login(officers.treasurer)
    assert order.code in treasurer.get(page).content.decode()
    treasurer.post(page, {"action": "confirm", "order": order.pk, "receipt": photo()})
    assert Order.objects.get(pk=order.pk).paid_amount == 45_000
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    deliver_all(world)
    operator = login(world.operator)
    sheet = operator.get(f"/k/{kelurahan.slug}/pasar/siklus/{world.cycle.pk}/").content.decode()
    assert 'id="cycle-money"' in sheet
    assert 'id="settle"' in operator.get(page).content.decode()
    operator.post(page, {"action": "settle"})
    operator.post(page, {"action": "payouts", "pay_by_cash": "1"})
    world.cycle.refresh_from_db()
    assert world.cycle.settled_at is not None
    body = login(officers.lurah).get(page).content.decode()
    assert body.count(">Approve<") + body.count(">Setujui<") == 3
    refused = operator.post(page, {"action": "settle"}, follow=True).content.decode()
    assert "already settled" in refused or "sudah" in refused


def _routed_cycle(world: Market, kelurahan: Any, rt: Any, resident: Any, make_member: Any) -> Any:
    """Five delivered orders and one pickup on two couriers' routes, settled, with the
    courier's share at 80% of the 5.000 delivery fee."""
    rider = make_member(Role.RELAWAN, rt)
    small = services.courier_create(
        actor=world.operator, kelurahan=kelurahan, label="Kurir A", capacity=2, user=rider
    )
    big = services.courier_create(
        actor=world.operator, kelurahan=kelurahan, label="Kurir B", capacity=5
    )
    world.cycle.courier_share_bp = 8000
    world.cycle.save(update_fields=["courier_share_bp"])
    for i in range(5):
        order_for(
            world, resident(), rt, (world.bundle_offer, 1), location=(-7.63 + i / 500, 111.52)
        )
    order_for(world, resident(), rt, (world.telur_offer, 1), fulfilment="pickup", address_note="")
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    services.routes_plan(actor=world.operator, cycle=world.cycle, couriers=[small, big])
    deliver_all(world)
    return small, big


def test_fees_of_orders_on_no_route_are_shown_and_stay_in_the_account(
    world: Market, kelurahan: Any, rt: Any, resident: Any, login: Any, officers: Officers
) -> None:
    order_for(world, resident(), rt, (world.bundle_offer, 1))
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    deliver_all(world)  # an officer recorded it without a route plan
    services.cycle_settle(actor=world.operator, cycle=world.cycle)
    [share] = selectors.courier_shares(cycle=world.cycle)
    assert share.courier is None and share.amount == 5000
    with pytest.raises(Conflict, match="waiting"):
        services.cycle_courier_payouts_request(actor=world.operator, cycle=world.cycle)
    page = login(world.operator).get(f"/k/{kelurahan.slug}/pasar/siklus/{world.cycle.pk}/keuangan/")
    assert "Rp 5.000" in page.content.decode() and 'id="ask-courier-payouts"' not in (
        page.content.decode()
    )


def test_courier_payouts_from_the_money_page(
    world: Market,
    kelurahan: Any,
    rt: Any,
    resident: Any,
    make_member: Any,
    officers: Officers,
    login: Any,
) -> None:
    _routed_cycle(world, kelurahan, rt, resident, make_member)
    services.cycle_settle(actor=world.operator, cycle=world.cycle)
    page = f"/k/{kelurahan.slug}/pasar/siklus/{world.cycle.pk}/keuangan/"
    operator = login(world.operator)
    assert 'id="ask-courier-payouts"' in operator.get(page).content.decode()
    operator.post(page, {"action": "courier_payouts", "pay_by_cash": "1"})
    payouts = list(CourierPayout.objects.order_by("pk"))
    assert len(payouts) == 2 and all(p.disbursement_id for p in payouts)
    for officer in (officers.lurah, officers.admin):
        client = login(officer)
        for payout in payouts:
            client.post(page, {"action": "approve", "courier_payout": payout.pk})
    treasurer = login(officers.treasurer)
    for payout in payouts:
        treasurer.post(page, {"action": "pay", "courier_payout": payout.pk, "receipt": photo()})
    assert {d.status for d in Disbursement.objects.all()} == {"paid"}
    body = treasurer.get(page).content.decode()
    assert body.count('id="courier-payout-') == 2
    api = login(world.operator).post(
        f"/api/v1/k/{kelurahan.slug}/market/cycles/{world.cycle.pk}/courier-payouts",
        {"pay_by_cash": False},
        content_type="application/json",
    )
    assert api.status_code == 409
