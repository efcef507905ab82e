"""Paying orders through the funds ledger: aid vouchers and the aid fund."""

from typing import Any

import pytest

from gotong.accounts.models import Role
from gotong.core.exceptions import Conflict, NotFound, ValidationFailed
from gotong.funds.models import AccountKind, Transfer, TransferKind, Voucher
from gotong.funds.tests.factories import confirmed_donation
from gotong.transparency.models import LogEntry

from ... import selectors, services
from ...models import CycleStock, LineStatus, Order
from ..factories import (
    Market,
    Officers,
    balance_of,
    deliver_all,
    ledger_account,
    order_for,
    settlement_matches_breakdown,
    voucher_code_for,
)

pytestmark = pytest.mark.django_db


def test_a_voucher_of_the_wrong_category_is_refused_and_nothing_changes(
    world: Market, rt: Any, resident: Any, officers: Officers
) -> None:
    code = voucher_code_for(world, officers, rt, 100_000)
    entries = LogEntry.objects.count()
    transfers = Transfer.objects.count()
    with pytest.raises(ValidationFailed, match="cannot pay for: Telur"):
        order_for(
            world,
            resident(),
            rt,
            (world.bundle_offer, 1),
            (world.telur_offer, 1),
            payment_method="voucher",
            voucher_code=code,
        )
    with pytest.raises(NotFound):
        order_for(
            world,
            resident(),
            rt,
            (world.bundle_offer, 1),
            payment_method="voucher",
            voucher_code="AAAA-BBBB-CCCC",
        )
    assert not Order.objects.exists()
    assert CycleStock.objects.get(cycle=world.cycle, product=world.telur_kg).used == 0
    assert Voucher.objects.get().remaining == 100_000
    assert LogEntry.objects.count() == entries and Transfer.objects.count() == transfers


def test_a_voucher_pays_up_to_the_total_once_and_cash_pays_the_rest(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers
) -> None:
    full = voucher_code_for(world, officers, rt, 100_000)
    with pytest.raises(ValidationFailed, match="in full"):
        order_for(
            world,
            resident(),
            rt,
            (world.bundle_offer, 1),
            payment_method="voucher",
            voucher_code=full,
        )
    small = voucher_code_for(world, officers, rt, 30_000)
    order = order_for(
        world,
        resident(),
        rt,
        (world.bundle_offer, 1),
        payment_method="voucher",
        voucher_code=small,
    )
    assert order.voucher_amount == 30_000 and order.balance_due == 45_000 - 30_000
    with pytest.raises(Conflict, match="already used"):
        order_for(
            world,
            resident(),
            rt,
            (world.beras_offer, 1),
            payment_method="voucher",
            voucher_code=small,
        )
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    order.refresh_from_db()
    with pytest.raises(ValidationFailed, match="15.000"):
        services.dropoff_record(
            actor=world.operator,
            order=order,
            code=selectors.recipient_code(order),
            cash_collected=45_000,
        )
    deliver_all(world)
    services.cycle_settle(actor=world.operator, cycle=world.cycle)
    settlement_matches_breakdown(world)
    assert balance_of(ledger_account(kelurahan, AccountKind.MARKET_CLEARING)) == 0


def test_a_voucher_line_cancelled_at_closing_gives_the_value_back(
    world: Market, rt: Any, resident: Any, officers: Officers
) -> None:
    code = voucher_code_for(world, officers, rt, 200_000, partial=True)
    order = order_for(
        world,
        resident(),
        rt,
        (world.bundle_offer, 1),
        (world.beras_offer, 1),
        payment_method="voucher",
        voucher_code=code,
    )
    assert Voucher.objects.get().remaining == 200_000 - (40_000 + 60_000 + 5_000)
    services.cycle_close(actor=world.operator, cycle=world.cycle)  # rice: no fallback
    order.refresh_from_db()
    assert order.lines.get(offer=world.beras_offer).status == LineStatus.CANCELLED
    assert order.refund_owed == 0 and order.returned_amount == 60_000
    assert Voucher.objects.get().remaining == 200_000 - 45_000


def test_an_aid_order_is_paid_from_the_aid_fund_and_settled(
    world: Market, kelurahan: Any, rt: Any, officers: Officers, make_member: Any
) -> None:
    from gotong.activities.tests.conftest import plan
    from gotong.activities.tests.factories import approved_need, elderly, volunteer

    rw_head = make_member(Role.KETUA_RW, rt.rw)
    need = approved_need(make_member(Role.KETUA_RT, rt), rw_head, elderly(rt))
    activity = plan(rt, rw_head, volunteer(rt), [need])
    aid = ledger_account(kelurahan, AccountKind.AID_FUND)
    with pytest.raises(ValidationFailed, match="Not enough balance"):
        services.aid_order_place(
            actor=world.operator, activity=activity, need=need, offer=world.bundle_offer
        )
    assert not Order.objects.exists()
    confirmed_donation(officers.treasurer, officers.admin, kelurahan, 500_000, target="aid_fund")
    order = services.aid_order_place(
        actor=world.operator, activity=activity, need=need, offer=world.bundle_offer
    )
    assert order.paid_amount == order.total == 45_000 and order.balance_due == 0
    assert balance_of(aid) == 500_000 - 45_000
    assert Transfer.objects.get(kind=TransferKind.SPEND).activity_id == activity.pk
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    deliver_all(world)
    services.cycle_settle(actor=world.operator, cycle=world.cycle)
    settlement_matches_breakdown(world)
