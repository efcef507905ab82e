"""Matching pledges and earmarks (``services/campaigns.py``), through the services."""

from typing import Any

import pytest

from gotong.core.exceptions import ValidationFailed
from gotong.funds import selectors, services
from gotong.funds.tests.factories import confirmed_donation, csr

pytestmark = pytest.mark.django_db


def _pledge(money: Any, cap: int, **fields: Any) -> Any:
    sponsor = csr(money.kelurahan)
    pledge = services.pledge_create(
        actor=money.operator, campaign=money.campaign, sponsor=sponsor, cap=cap, **fields
    )
    confirmed_donation(
        money.treasurer,
        money.admin,
        money.kelurahan,
        cap,
        target="pledge",
        pledge=pledge,
        donor_organisation=sponsor,
    )
    return pledge


def test_matched_funding_stops_exactly_at_its_cap(money: Any) -> None:
    pledge = _pledge(money, 250_000)
    for _ in range(4):
        confirmed_donation(
            money.treasurer, money.admin, money.kelurahan, 100_000, campaign=money.campaign
        )
    pledge.refresh_from_db()
    assert pledge.matched_total == 250_000
    assert [m.amount for m in pledge.matches.order_by("pk")] == [100_000, 100_000, 50_000]
    assert selectors.account_balance(account=pledge.account) == 0
    assert selectors.account_balance(account=money.campaign.account) == 650_000
    summary = selectors.funds_summary(kelurahan=money.kelurahan)
    assert (summary.raised, summary.matched) == (400_000, 250_000)


def test_matching_skips_donations_above_the_size_limit_and_applies_the_ratio(money: Any) -> None:
    pledge = _pledge(money, 1_000_000, ratio_numerator=1, ratio_denominator=2, max_donation=200_000)
    confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 500_000, campaign=money.campaign
    )
    small = confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 150_000, campaign=money.campaign
    )
    pledge.refresh_from_db()
    assert pledge.matched_total == 75_000
    assert [m.donation_id for m in pledge.matches.all()] == [small.pk]


def test_earmarked_money_is_spent_only_inside_its_earmark(money: Any, rt_other_rw: Any) -> None:
    from gotong.funds.tests.factories import campaign

    posyandu = campaign(
        money.operator,
        money.kelurahan,
        title="Posyandu Sehat",
        earmark_kind="category",
        earmark_category="posyandu",
    )
    confirmed_donation(money.treasurer, money.admin, money.kelurahan, 100_000, campaign=posyandu)
    with pytest.raises(ValidationFailed) as refused:
        services.voucher_issue(
            actor=money.operator,
            source=posyandu.account,
            category="sembako",
            value=50_000,
            count=1,
            rt=money.rt,
        )
    assert refused.value.extra["reason"] == "earmark"
    services.voucher_issue(
        actor=money.operator,
        source=posyandu.account,
        category="posyandu",
        value=50_000,
        count=1,
        rt=rt_other_rw,
    )
    rw_campaign = campaign(
        money.operator, money.kelurahan, title="RW 01", earmark_kind="rw", earmark_rw=money.rt.rw
    )
    confirmed_donation(money.treasurer, money.admin, money.kelurahan, 100_000, campaign=rw_campaign)
    with pytest.raises(ValidationFailed):
        services.voucher_issue(
            actor=money.operator,
            source=rw_campaign.account,
            category="sembako",
            value=50_000,
            count=1,
            rt=rt_other_rw,
        )
