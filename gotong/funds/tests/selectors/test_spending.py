"""One definition of "spent" (``selectors/spending.py``): the kelurahan's figure is the
sum of its campaigns' figures plus what the aid fund spent outside any campaign."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gotong.funds import selectors, services
from gotong.funds.models import AccountKind, TransferKind
from gotong.funds.tests.factories import campaign_funded, confirmed_donation, photo

pytestmark = pytest.mark.django_db


def _vouchers(money: Any, source: Any, value: int, count: int = 1) -> list[str]:
    issued = services.voucher_issue(
        actor=money.operator,
        source=source,
        category="sembako",
        value=value,
        count=count,
        rt=money.rt,
        allow_partial=True,
    )
    return [code for _voucher, code in issued]


def _by_campaign(money: Any) -> dict[int, int]:
    return {s.campaign.pk: s.spent for s in selectors.campaign_summaries(kelurahan=money.kelurahan)}


def test_vouchers_issued_but_not_redeemed_are_not_spent_by_the_campaign_either(
    money: Any,
) -> None:
    # The old campaign figure counted issued vouchers (Rp 300.000) while the kelurahan's
    # counted only redeemed ones (Rp 0): a campaign had spent more than everyone together.
    campaign_funded(money, 1_000_000)
    _vouchers(money, money.campaign.account, 100_000, count=3)
    summary = selectors.funds_summary(kelurahan=money.kelurahan)
    assert summary.vouchers_outstanding == 300_000
    assert _by_campaign(money)[money.campaign.pk] == 0
    assert summary.spent == 0


def test_the_total_is_the_campaigns_plus_the_aid_fund_outside_any_campaign(money: Any) -> None:
    campaign_funded(money, 1_000_000)
    confirmed_donation(money.treasurer, money.admin, money.kelurahan, 400_000, target="aid_fund")
    campaign_codes = _vouchers(money, money.campaign.account, 100_000, count=3)
    aid_fund = selectors.account_of_kind(kelurahan=money.kelurahan, kind=AccountKind.AID_FUND)
    [aid_code] = _vouchers(money, aid_fund, 80_000)
    services.voucher_redeem(actor=money.seller, kelurahan=money.kelurahan, code=campaign_codes[0])
    services.voucher_redeem(
        actor=money.seller, kelurahan=money.kelurahan, code=campaign_codes[1], amount=40_000
    )
    services.voucher_redeem(actor=money.seller, kelurahan=money.kelurahan, code=aid_code)

    summary = selectors.funds_summary(kelurahan=money.kelurahan)
    per_campaign = _by_campaign(money)
    assert per_campaign[money.campaign.pk] == 140_000
    assert summary.spent_outside_campaigns == 80_000
    assert summary.spent == sum(per_campaign.values()) + summary.spent_outside_campaigns
    assert sum(per_campaign.values()) <= summary.spent
    for spent in per_campaign.values():
        assert spent <= summary.spent


def test_a_refund_to_a_voucher_gives_the_spent_value_back(money: Any) -> None:
    campaign_funded(money, 500_000)
    [code] = _vouchers(money, money.campaign.account, 100_000)
    services.voucher_market_pay(
        actor=money.operator,
        kelurahan=money.kelurahan,
        code=code,
        items=[("Beras 5 kg", "sembako")],
        amount_max=100_000,
        market_order_id=7,
    )
    assert selectors.spent_totals(kelurahan=money.kelurahan).of(money.campaign) == 100_000
    voucher = selectors.voucher_list(kelurahan=money.kelurahan).get(campaign=money.campaign)
    services.voucher_market_refund(
        actor=money.operator,
        kelurahan=money.kelurahan,
        voucher_id=voucher.pk,
        amount=30_000,
        market_order_id=7,
    )
    totals = selectors.spent_totals(kelurahan=money.kelurahan)
    assert totals.of(money.campaign) == 70_000
    assert selectors.funds_summary(kelurahan=money.kelurahan).spent == totals.total == 70_000
    lines = selectors.spend_lines(
        kelurahan=money.kelurahan,
        transfers=selectors.spending_transfers(kelurahan=money.kelurahan, campaign=money.campaign),
    )
    assert [line.amount for line in lines] == [-30_000, 100_000]
    assert sum(line.amount for line in lines) == totals.of(money.campaign)


def test_a_umkm_settlement_is_not_counted_a_second_time(money: Any) -> None:
    campaign_funded(money, 500_000)
    [code] = _vouchers(money, money.campaign.account, 150_000)
    services.voucher_redeem(actor=money.seller, kelurahan=money.kelurahan, code=code)
    before = selectors.spent_totals(kelurahan=money.kelurahan)
    settlement = services.disbursement_request(
        actor=money.operator,
        kelurahan=money.kelurahan,
        kind="settlement",
        purpose="Pelunasan voucher",
        category="sembako",
        merchant=money.merchant,
        amount=150_000,
    )
    services.disbursement_approve(actor=money.lurah, disbursement=settlement)
    services.disbursement_approve(actor=money.admin, disbursement=settlement)
    services.disbursement_pay(actor=money.treasurer, disbursement=settlement, proof=photo())
    assert selectors.funds_summary(kelurahan=money.kelurahan).owed_to_umkm == 0
    assert before.of(money.campaign) == 150_000
    assert selectors.spent_totals(kelurahan=money.kelurahan) == before


def test_a_reversed_spending_cancels_out_and_leaves_the_list(money: Any) -> None:
    campaign_funded(money, 500_000)
    bank = selectors.account_of_kind(kelurahan=money.kelurahan, kind=AccountKind.BANK)
    account = money.campaign.account
    spend = services.transfer_post(
        kelurahan=money.kelurahan,
        kind=TransferKind.SPEND,
        postings=[(account, 50_000), (bank, -50_000)],
        actor=money.treasurer,
        campaign=money.campaign,
    )
    assert selectors.spent_totals(kelurahan=money.kelurahan).of(money.campaign) == 50_000
    services.transfer_post(
        kelurahan=money.kelurahan,
        kind=TransferKind.REVERSAL,
        postings=[(bank, 50_000), (account, -50_000)],
        actor=money.treasurer,
        campaign=money.campaign,
        reverses=spend,
    )
    assert selectors.spent_totals(kelurahan=money.kelurahan).of(money.campaign) == 0
    assert not selectors.spending_transfers(kelurahan=money.kelurahan, campaign=money.campaign)


def test_goods_given_to_a_campaign_are_not_counted_as_money_raised(money: Any) -> None:
    # The campaign used to count goods' declared value as "raised" while the kelurahan's
    # figure did not: one campaign had raised more than the whole kelurahan.
    campaign_funded(money, 200_000)
    goods = services.donation_record(
        actor=money.treasurer,
        kelurahan=money.kelurahan,
        receipt=photo(),
        target="campaign",
        campaign=money.campaign,
        amount=600_000,
        kind="in_kind",
        goods_name="Beras 5 kg",
        goods_unit="karung",
        goods_quantity=10,
        goods_category="sembako",
        goods_expires_on=timezone.localdate() + dt.timedelta(days=90),
    )
    services.donation_confirm(actor=money.admin, donation=goods)

    [campaign] = selectors.campaign_summaries(kelurahan=money.kelurahan)
    overall = selectors.funds_summary(kelurahan=money.kelurahan)
    assert (campaign.raised, campaign.goods_in) == (200_000, 600_000)
    assert (overall.raised, overall.goods_value_in) == (200_000, 600_000)
    assert campaign.progress_percent == 800_000 * 100 // money.campaign.target_amount
