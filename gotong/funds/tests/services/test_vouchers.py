"""Vouchers issued, redeemed, partly spent and expired (``services/vouchers.py``)."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gotong.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from gotong.funds import selectors, services
from gotong.funds.models import (
    Redemption,
    Transfer,
    Voucher,
    VoucherStatus,
)
from gotong.funds.tests.factories import campaign_funded, photo, umkm

pytestmark = pytest.mark.django_db


def test_a_umkm_redeems_a_voucher_once_and_is_settled_with_proof(money: Any) -> None:
    campaign_funded(money)
    [(voucher, code)] = services.voucher_issue(
        actor=money.operator,
        source=money.campaign.account,
        category="sembako",
        value=150_000,
        count=1,
        rt=money.rt,
    )
    redemption = services.voucher_redeem(
        actor=money.seller, kelurahan=money.kelurahan, code=services.voucher_qr_payload(code)
    )
    assert redemption.amount == 150_000
    with pytest.raises(Conflict):
        services.voucher_redeem(actor=money.seller, kelurahan=money.kelurahan, code=code)
    assert selectors.account_balance(account=money.merchant.account) == 150_000

    request = services.disbursement_request(
        actor=money.operator,
        kelurahan=money.kelurahan,
        kind="settlement",
        amount=150_000,
        purpose="Pelunasan voucher",
        category="sembako",
        merchant=money.merchant,
    )
    services.disbursement_approve(actor=money.lurah, disbursement=request)
    with pytest.raises(PermissionDenied):
        services.disbursement_approve(actor=money.lurah, disbursement=request)
    services.disbursement_approve(actor=money.treasurer, disbursement=request)
    paid = services.disbursement_pay(actor=money.treasurer, disbursement=request, proof=photo())
    assert paid.status == "paid" and paid.receipt_code
    assert selectors.account_balance(account=money.merchant.account) == 0
    assert selectors.ledger_reconcile(kelurahan=money.kelurahan).balanced


def test_voucher_refusals_change_nothing(money: Any, rt: Any) -> None:
    campaign_funded(money)
    [(voucher, code)] = services.voucher_issue(
        actor=money.operator,
        source=money.campaign.account,
        category="posyandu",
        value=50_000,
        count=1,
        rt=rt,
    )
    pharmacy, chemist = umkm(rt, categories=("posyandu",), operator=money.operator)
    before = Transfer.objects.count()
    with pytest.raises(NotFound):
        services.voucher_redeem(
            actor=money.seller, kelurahan=money.kelurahan, code="ABCD-EFGH-JKLM"
        )
    with pytest.raises(ValidationFailed) as category:
        services.voucher_redeem(actor=money.seller, kelurahan=money.kelurahan, code=code)
    assert category.value.extra["reason"] == "category"
    with pytest.raises(ValidationFailed):  # not partial: must be used in full
        services.voucher_redeem(actor=chemist, kelurahan=money.kelurahan, code=code, amount=10_000)
    with pytest.raises(ValidationFailed):
        services.voucher_redeem(actor=chemist, kelurahan=money.kelurahan, code=code + ":forged")
    assert Transfer.objects.count() == before and Redemption.objects.count() == 0
    voucher.refresh_from_db()
    assert voucher.remaining == 50_000


def test_partial_vouchers_and_expiry_return_the_rest_to_the_source(money: Any) -> None:
    campaign_funded(money, 300_000)
    [(voucher, code)] = services.voucher_issue(
        actor=money.operator,
        source=money.campaign.account,
        category="sembako",
        value=100_000,
        count=1,
        rt=money.rt,
        allow_partial=True,
    )
    services.voucher_redeem(actor=money.seller, kelurahan=money.kelurahan, code=code, amount=40_000)
    assert selectors.account_balance(account=money.campaign.account) == 200_000
    expired = services.vouchers_expire_due(now=timezone.now() + dt.timedelta(days=31))
    assert expired == 1
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.EXPIRED
    assert selectors.account_balance(account=money.campaign.account) == 260_000
    with pytest.raises(Conflict):
        services.voucher_redeem(actor=money.seller, kelurahan=money.kelurahan, code=code)


def test_voucher_list_shows_no_codes_and_other_kelurahan_vouchers_are_unknown(
    money: Any, other_kelurahan: Any
) -> None:
    campaign_funded(money)
    [(voucher, code)] = services.voucher_issue(
        actor=money.operator,
        source=money.campaign.account,
        category="sembako",
        value=10_000,
        count=1,
        rt=money.rt,
    )
    assert code not in str(Voucher.objects.values().get())
    assert voucher.code_hint == code[-4:]
