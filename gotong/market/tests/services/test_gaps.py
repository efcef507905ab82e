"""Gap campaigns: a campaign buys what a group buy misses for households with open needs."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gotong.core.exceptions import ValidationFailed
from gotong.funds.tests.factories import campaign as make_campaign
from gotong.funds.tests.factories import confirmed_donation
from gotong.needs.models import Need
from gotong.needs.tests.factories import resident as registered_resident
from gotong.transparency.models import LogEntry

from ... import services
from ...models import LineStatus, Order, OrderStatus, ThresholdRule
from ..factories import (
    Market,
    Officers,
    deliver_all,
    order_for,
    settlement_matches_breakdown,
)

pytestmark = pytest.mark.django_db


def _needs(kelurahan: Any, rt: Any, count: int) -> list[Need]:
    return [
        Need.objects.create(
            kelurahan=kelurahan,
            rt=rt,
            category="pangan",
            description="Beras untuk lansia",
            urgency="tinggi",
            needed_by=timezone.now() + dt.timedelta(days=3),
            beneficiary_person=registered_resident(rt),
            raised_via="self",
            status="approved",
        )
        for _ in range(count)
    ]


def _gap_world(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers, balance: int
) -> Any:
    fund = make_campaign(world.operator, kelurahan, title="Beras bersama")
    if balance:
        confirmed_donation(officers.treasurer, officers.admin, kelurahan, balance, campaign=fund)
    services.offer_gap_campaign_set(actor=world.operator, offer=world.beras_offer, campaign=fund)
    for _n in range(8):
        order_for(world, resident(), rt, (world.beras_offer, 1), fb0=world.telur_offer)
    _needs(kelurahan, rt, 3)
    return fund


def test_a_campaign_fills_the_gap_of_a_group_buy_for_open_needs(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers
) -> None:
    fund = _gap_world(world, kelurahan, rt, resident, officers, 200_000)
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    world.beras_offer.refresh_from_db()
    assert world.beras_offer.threshold_met is True and world.beras_offer.gap_filled == 2
    aid = Order.objects.filter(cycle=world.cycle, payment_method="aid")
    assert aid.count() == 2 and {o.status for o in aid} == {OrderStatus.CONFIRMED}
    assert len({o.need_id for o in aid}) == 2
    fund.account.refresh_from_db()
    assert fund.account.balance == 200_000 - 2 * (60_000 + 5_000)
    assert {line.status for o in Order.objects.all() for line in o.lines.all()} == {
        LineStatus.CONFIRMED
    }
    deliver_all(world)
    services.cycle_settle(actor=world.operator, cycle=world.cycle)
    settlement_matches_breakdown(world)


def test_without_enough_campaign_money_the_normal_rule_applies(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers
) -> None:
    fund = _gap_world(world, kelurahan, rt, resident, officers, 100_000)
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    world.beras_offer.refresh_from_db()
    assert world.beras_offer.threshold_met is False and world.beras_offer.gap_filled == 0
    assert not Order.objects.filter(payment_method="aid").exists()
    assert {line.status for o in Order.objects.all() for line in o.lines.all()} == {
        LineStatus.FALLBACK
    }
    fund.account.refresh_from_db()
    assert fund.account.balance == 100_000
    assert LogEntry.objects.filter(type="market.gap_not_filled").exists()


def test_a_gap_campaign_needs_a_threshold_and_an_aid_item(world: Market, kelurahan: Any) -> None:
    fund = make_campaign(world.operator, kelurahan)
    with pytest.raises(ValidationFailed):
        services.offer_gap_campaign_set(
            actor=world.operator, offer=world.telur_offer, campaign=fund
        )
    assert world.telur_offer.threshold_rule == ThresholdRule.CANCEL
