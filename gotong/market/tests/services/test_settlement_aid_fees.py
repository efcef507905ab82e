"""Aid money never reaches the operational fund (issues 7 and 8): the operations fee is
charged only on what buyers paid in cash or by QRIS; the part of an order paid with aid
money (an aid order, the voucher-paid part of an order) goes wholly to the UMKM, and the
delivery fees it paid wholly to the couriers. Cash-only, voucher-only, aid-only and mixed
cycles, thresholds met and not met, each settled to zero and equal to the breakdown."""

from typing import Any

import pytest
from django.urls import reverse

from gotong.accounts.models import Role
from gotong.funds.models import AccountKind, Transfer
from gotong.funds.tests.factories import confirmed_donation

from ... import selectors, services
from ...models import Order, OrderCycle, OrderStatus
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


@pytest.fixture(autouse=True)
def couriers_get_80_percent(world: Market) -> None:
    """5% operations fee, Rp 5.000 delivery, 80% of it to the courier (so the operational
    fund would get a part of every delivery fee paid in cash)."""
    OrderCycle.objects.filter(pk=world.cycle.pk).update(
        operations_fee_bp=500, delivery_fee=5000, courier_share_bp=8000
    )
    world.cycle.refresh_from_db()


def _settle(world: Market) -> tuple[selectors.Breakdown, int]:
    """Close, deliver and settle; the split and what the operational fund received."""
    kelurahan = world.cycle.kelurahan
    operational = ledger_account(kelurahan, AccountKind.OPERATIONAL_FUND)
    before = balance_of(operational)
    if world.cycle.status == "open":
        services.cycle_close(actor=world.operator, cycle=world.cycle)
    deliver_all(world)
    services.cycle_settle(actor=world.operator, cycle=world.cycle)
    settlement_matches_breakdown(world)
    split = selectors.cycle_breakdown(cycle=world.cycle)
    assert split.balance == 0
    assert split.buyers_paid == sum(
        o.total for o in Order.objects.filter(cycle=world.cycle).exclude(status="cancelled")
    )
    return split, balance_of(operational) - before


def _aid(split: selectors.Breakdown, world: Market) -> dict[int, tuple[int, int, int, int]]:
    """Per UMKM: (gross, aid-paid part, fee, net)."""
    return {
        pk: (gross, aid, fee, net)
        for pk, (_name, gross, aid, fee, net) in zip(split.umkm_ids, split.rows, strict=True)
    }


def test_cash_only_thresholds_not_met_charges_the_fee_on_everything(
    world: Market, rt: Any, resident: Any
) -> None:
    for _n in range(2):
        order_for(world, resident(), rt, (world.bundle_offer, 1))
    lone_rice = order_for(world, resident(), rt, (world.beras_offer, 1))  # sack not filled
    split, operational = _settle(world)
    lone_rice.refresh_from_db()
    assert lone_rice.status == OrderStatus.CANCELLED
    assert split.aid_goods == split.aid_delivery == 0
    assert _aid(split, world) == {
        world.sayur.pk: (12000, 0, 600, 11400),
        world.telur.pk: (54000, 0, 2700, 51300),
        world.kerupuk.pk: (14000, 0, 700, 13300),
    }
    assert split.courier_share == 8000 and split.delivery_to_operations == 2000
    assert operational == 4000 + 2000


def test_cash_only_thresholds_met(world: Market, rt: Any, resident: Any) -> None:
    for _n in range(5):
        order_for(world, resident(), rt, (world.beras_offer, 2))
    split, operational = _settle(world)
    world.beras_offer.refresh_from_db()
    assert world.beras_offer.threshold_met is True
    assert _aid(split, world) == {world.sayur.pk: (600000, 0, 30000, 570000)}
    assert operational == 30000 + 5 * 1000


def test_voucher_only_thresholds_not_met_pays_no_fee_and_nothing_to_operations(
    world: Market, rt: Any, resident: Any, officers: Officers
) -> None:
    kelurahan = world.cycle.kelurahan
    big = voucher_code_for(world, officers, rt, 200_000, partial=True)
    exact = voucher_code_for(world, officers, rt, 45_000)
    first = order_for(
        world,
        resident(),
        rt,
        (world.bundle_offer, 1),
        (world.beras_offer, 1),  # the sack is not filled: its 60.000 go back to the voucher
        payment_method="voucher",
        voucher_code=big,
    )
    order_for(
        world,
        resident(),
        rt,
        (world.bundle_offer, 1),
        payment_method="voucher",
        voucher_code=exact,
    )
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    first.refresh_from_db()
    assert first.returned_amount == 60_000 and first.balance_due == 0
    split, operational = _settle(world)
    assert split.aid_goods == 80_000 and split.aid_delivery == 10_000
    assert split.operations_fee == 0 and split.delivery_to_operations == 0
    assert split.courier_share == 10_000  # the aid-paid delivery fees go wholly to couriers
    assert _aid(split, world) == {
        world.sayur.pk: (12000, 12000, 0, 12000),
        world.telur.pk: (54000, 54000, 0, 54000),
        world.kerupuk.pk: (14000, 14000, 0, 14000),
    }
    assert operational == 0
    transfer = Transfer.objects.get(pk=world.cycle.settlement_transfer_id or 0)
    operational_account = ledger_account(kelurahan, AccountKind.OPERATIONAL_FUND)
    assert not transfer.postings.filter(account=operational_account).exists()


def test_aid_only_cycle_pays_no_fee(
    world: Market, kelurahan: Any, rt: Any, officers: Officers, make_member: Any
) -> None:
    from gotong.activities.tests.conftest import plan
    from gotong.activities.tests.factories import approved_need, elderly, volunteer

    rw_head = make_member(Role.KETUA_RW, rt.rw)
    need = approved_need(make_member(Role.KETUA_RT, rt), rw_head, elderly(rt))
    activity = plan(rt, rw_head, volunteer(rt), [need])
    confirmed_donation(officers.treasurer, officers.admin, kelurahan, 500_000, target="aid_fund")
    order = services.aid_order_place(
        actor=world.operator, activity=activity, need=need, offer=world.bundle_offer
    )
    assert selectors.order_aid_paid(order=order) == order.total == 45_000
    split, operational = _settle(world)
    assert split.aid_goods == 40_000 and split.aid_delivery == 5_000
    assert split.operations_fee == 0 and split.delivery_to_operations == 0
    assert split.courier_share == 5_000
    assert [net for *_r, net in split.umkm] == [gross for _n, gross, _f, _net in split.umkm]
    assert operational == 0


def test_mixed_cycle_thresholds_met_fee_only_on_the_cash_part(
    world: Market, rt: Any, resident: Any, officers: Officers
) -> None:
    """A voucher pays 33.333 of a 45.000 bundle order (the rest in cash at the door); five
    cash orders fill the rice sack. The voucher part of the bundle is shared among its
    three UMKM by their goods (6.000/27.000/7.000), largest remainder: 4.999,95 ->
    5.000, 22.499,775 -> 22.500, 5.833,275 -> 5.833 (adds up to 33.333)."""
    code = voucher_code_for(world, officers, rt, 33_333)
    mixed = order_for(
        world,
        resident(),
        rt,
        (world.bundle_offer, 1),
        payment_method="voucher",
        voucher_code=code,
    )
    assert mixed.voucher_amount == 33_333 and mixed.balance_due == 45_000 - 33_333
    for _n in range(5):
        order_for(world, resident(), rt, (world.beras_offer, 2))
    split, operational = _settle(world)
    world.beras_offer.refresh_from_db()
    assert world.beras_offer.threshold_met is True
    mixed.refresh_from_db()
    assert mixed.cash_collected == 45_000 - 33_333
    assert split.aid_goods == 33_333 and split.aid_delivery == 0
    assert _aid(split, world) == {
        # cash part 601.000 -> fee 30.050
        world.sayur.pk: (606_000, 5_000, 30_050, 575_950),
        # cash part 4.500 -> fee 225
        world.telur.pk: (27_000, 22_500, 225, 26_775),
        # cash part 1.167 -> fee 58 (rounded down)
        world.kerupuk.pk: (7_000, 5_833, 58, 6_942),
    }
    assert sum(aid for *_r, aid, _f, _n in split.rows) == 33_333
    cash_goods = split.goods - split.aid_goods
    assert split.operations_fee == 30_333 <= cash_goods * 500 // 10000
    assert split.courier_share == 6 * 4000 and split.delivery_to_operations == 6 * 1000
    assert operational == 30_333 + 6_000


def test_voucher_covering_goods_and_part_of_the_delivery(
    world: Market, rt: Any, resident: Any, officers: Officers
) -> None:
    """Aid money pays the goods first, then the delivery fee: a 42.000 voucher on a 45.000
    order pays 40.000 of goods and 2.000 of delivery (to the couriers in full)."""
    code = voucher_code_for(world, officers, rt, 42_000)
    order_for(
        world, resident(), rt, (world.bundle_offer, 1), payment_method="voucher", voucher_code=code
    )
    split, operational = _settle(world)
    assert split.aid_goods == 40_000 and split.aid_delivery == 2_000
    assert split.operations_fee == 0
    # cash 3.000 of delivery: 80% to the courier; the aid-paid 2.000 wholly
    assert split.courier_share == 2_400 + 2_000 and split.delivery_to_operations == 600
    assert operational == 600
    [share] = selectors.courier_shares(cycle=world.cycle)
    assert share.amount == split.courier_share


def test_a_cycle_settled_under_the_old_rule_keeps_it(
    world: Market, rt: Any, resident: Any, officers: Officers
) -> None:
    """Cycles settled before the rule (migration 0004 sets ``aid_fee_exempt`` False) keep
    the fee on aid money, so their breakdown still equals what they posted."""
    OrderCycle.objects.filter(pk=world.cycle.pk).update(aid_fee_exempt=False)
    world.cycle.refresh_from_db()
    code = voucher_code_for(world, officers, rt, 45_000)
    order_for(
        world, resident(), rt, (world.bundle_offer, 1), payment_method="voucher", voucher_code=code
    )
    split, operational = _settle(world)
    assert split.aid_goods == 0 and split.operations_fee == 300 + 1350 + 350
    assert operational == 2000 + 1000


def test_the_catalogue_and_cycle_sheet_show_the_aid_rule(
    world: Market, kelurahan: Any, client: Any, login: Any
) -> None:
    from django.utils import translation

    with translation.override("en"):
        page = client.get(reverse("market:catalogue", kwargs={"slug": kelurahan.slug}))
    assert page.status_code == 200
    assert b'id="aid-fee-exempt"' in page.content
    sheet = login(world.operator).get(
        reverse("market:cycle", kwargs={"slug": kelurahan.slug, "cycle_id": world.cycle.pk})
    )
    assert sheet.status_code == 200 and b'id="aid-split"' in sheet.content
