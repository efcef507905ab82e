"""Payout accounts and disbursements (``services/disbursements.py``): second officer,
two approvals, settlements that cannot take the same money twice."""

from typing import Any

import pytest
from django.utils import timezone

from gotong.core.exceptions import PermissionDenied, ValidationFailed
from gotong.funds import selectors, services
from gotong.funds.models import (
    Disbursement,
)
from gotong.funds.tests.factories import campaign_funded, photo
from gotong.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_a_umkm_settlement_cannot_ask_for_what_another_request_already_takes(
    money: Any,
) -> None:
    campaign_funded(money)
    [(_voucher, code)] = services.voucher_issue(
        actor=money.operator,
        source=money.campaign.account,
        category="sembako",
        value=150_000,
        count=1,
        rt=money.rt,
    )
    services.voucher_redeem(actor=money.seller, kelurahan=money.kelurahan, code=code)
    settle = {
        "actor": money.operator,
        "kelurahan": money.kelurahan,
        "kind": "settlement",
        "purpose": "Pelunasan voucher",
        "category": "sembako",
        "merchant": money.merchant,
    }
    services.disbursement_request(amount=100_000, **settle)
    with pytest.raises(ValidationFailed, match="owed only"):
        services.disbursement_request(amount=100_000, **settle)
    assert Disbursement.objects.filter(merchant=money.merchant).count() == 1
    services.disbursement_request(amount=50_000, **settle)  # the rest is still owed


def test_cash_aid_needs_a_second_officer_for_the_account_and_two_approvals(money: Any) -> None:
    campaign_funded(money)
    person = PersonFactory(rt=money.rt, created_by=money.operator)
    with pytest.raises(PermissionDenied):  # the registrar cannot set the payout account
        services.payout_account_propose(
            actor=money.operator, person=person, bank_name="BRI", account_number="0123456789"
        )
    payout = services.payout_account_propose(
        actor=money.treasurer, person=person, bank_name="BRI", account_number="0123 4567 89"
    )
    with pytest.raises(PermissionDenied):
        services.payout_account_approve(actor=money.treasurer, payout=payout)
    with pytest.raises(PermissionDenied):
        services.payout_account_approve(actor=money.operator, payout=payout)
    services.payout_account_approve(actor=money.lurah, payout=payout)
    assert "0123456789" not in payout.account_number_ciphertext

    request = services.disbursement_request(
        actor=money.operator,
        kelurahan=money.kelurahan,
        kind="cash_aid",
        amount=300_000,
        purpose="Bantuan tunai lansia",
        category="sembako",
        source=money.campaign.account,
        payout=payout,
    )
    with pytest.raises(PermissionDenied):
        services.disbursement_approve(actor=money.operator, disbursement=request)
    services.disbursement_approve(actor=money.lurah, disbursement=request)
    with pytest.raises(ValidationFailed):
        services.disbursement_pay(actor=money.treasurer, disbursement=request, proof=photo())
    services.disbursement_approve(actor=money.admin, disbursement=request)
    with pytest.raises(ValidationFailed):  # no proof of payment, nothing paid
        services.disbursement_pay(actor=money.treasurer, disbursement=request)
    services.disbursement_pay(
        actor=money.treasurer, disbursement=request, proof=photo(), idempotency_key="pay-1"
    )
    again = services.disbursement_pay(
        actor=money.treasurer, disbursement=request, proof=photo(), idempotency_key="pay-1"
    )
    assert again.pk == request.pk
    assert selectors.account_balance(account=money.campaign.account) == 700_000
    rows = services.callbacks_sample(
        actor=money.operator,
        kelurahan=money.kelurahan,
        cycle=timezone.localdate().strftime("%Y-%m"),
        size=5,
    )
    assert len(rows) == 1 and rows[0].disbursement_id == request.pk
    services.callback_record(actor=money.operator, callback=rows[0], status="confirmed")
