"""Courier payouts (asked for by the market for each courier of a settled cycle) are a
disbursement kind of their own, "Paying a courier's delivery share": the payee is named
only as the market courier's id, two officers other than the requester approve, the
treasurer pays with proof, and the money settles the couriers' payable (a settlement
transfer), so the public summary does not count it as aid spent. Existing courier
payouts recorded as UMKM settlements are converted by the migration."""

import datetime as dt
import importlib
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.utils import timezone

from gotong.accounts.tests.clients import client_for
from gotong.core.exceptions import PermissionDenied, ValidationFailed
from gotong.funds import selectors, services
from gotong.funds.models import (
    AccountKind,
    Category,
    Disbursement,
    DisbursementKind,
    TransferKind,
)
from gotong.funds.tests.factories import photo
from gotong.market import services as market_services
from gotong.market.models import CourierPayout, CycleStatus, OrderCycle
from gotong.transparency.models import LogEntry
from gotong.transparency.services import queue_drain

pytestmark = pytest.mark.django_db

OWED = 30_000
COURIER_ID = 41


@pytest.fixture
def login() -> Callable[[Any], Client]:
    def make(user: Any) -> Client:
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def _owed_to_couriers(money: Any, amount: int = OWED) -> Any:
    """What a market settlement leaves in the couriers' payable (cash taken at the door)."""
    accounts = services.market_accounts(kelurahan=money.kelurahan)
    services.transfer_post(
        kelurahan=money.kelurahan,
        kind=TransferKind.MARKET_SETTLEMENT,
        postings=[
            (accounts[AccountKind.CASH], amount),
            (accounts[AccountKind.COURIER_PAYABLE], -amount),
        ],
        actor=None,
        memo="Siklus pasar",
    )
    return accounts[AccountKind.COURIER_PAYABLE]


def _request(money: Any, **fields: Any) -> Disbursement:
    values: dict[str, Any] = {
        "actor": money.operator,
        "kelurahan": money.kelurahan,
        "courier_id": COURIER_ID,
        "amount": OWED,
        "purpose": "Kurir Pasar Gotong Royong: Minggu 1 (kurir #41)",
        "pay_by_cash": True,
    }
    values.update(fields)
    return services.courier_payout_request(**values)


def test_a_courier_payout_has_its_own_kind_and_is_paid_as_a_settlement_not_aid(
    money: Any,
) -> None:
    payable = _owed_to_couriers(money)
    before = selectors.funds_summary(kelurahan=money.kelurahan)
    payment = _request(money)
    assert payment.kind == DisbursementKind.COURIER
    assert payment.get_kind_display() == "Paying a courier's delivery share"
    assert payment.courier_id == COURIER_ID and payment.merchant_id is None
    assert payment.source_account_id == payable.pk
    queue_drain(kelurahan_id=money.kelurahan.pk)  # what the after-commit callback does
    entry = LogEntry.objects.filter(type="funds.disbursement_requested").latest("pk")
    assert f'"courier":"courier:{COURIER_ID}"' in entry.body
    assert '"kind":"courier"' in entry.body

    with pytest.raises(PermissionDenied, match="own request"):
        services.disbursement_approve(actor=money.operator, disbursement=payment)
    services.disbursement_approve(actor=money.lurah, disbursement=payment)
    with pytest.raises(PermissionDenied, match="different officer"):
        services.disbursement_approve(actor=money.lurah, disbursement=payment)
    with pytest.raises(ValidationFailed, match="two approvals"):
        services.disbursement_pay(actor=money.treasurer, disbursement=payment, proof=photo())
    services.disbursement_approve(actor=money.admin, disbursement=payment)
    with pytest.raises(PermissionDenied):
        services.disbursement_pay(actor=money.lurah, disbursement=payment, proof=photo())
    paid = services.disbursement_pay(actor=money.treasurer, disbursement=payment, proof=photo())

    assert paid.status == "paid" and paid.receipt_code
    assert paid.transfer is not None and paid.transfer.kind == TransferKind.SETTLEMENT
    assert paid.transfer.memo == "Paying a courier's delivery share"
    payable.refresh_from_db()
    assert payable.balance == 0
    after = selectors.funds_summary(kelurahan=money.kelurahan)
    assert after.spent == before.spent  # a payable settled, not aid spent
    assert after.balance == before.balance


def test_bad_courier_payout_requests_are_refused_and_nothing_is_recorded(money: Any) -> None:
    _owed_to_couriers(money)
    for courier_id in (0, -3, None, "41", True):
        with pytest.raises(ValidationFailed, match="Name the courier"):
            _request(money, courier_id=courier_id)
    with pytest.raises(ValidationFailed, match="owed only"):
        _request(money, amount=OWED + 1)
    with pytest.raises(ValidationFailed):
        _request(money, amount=0)
    with pytest.raises(ValidationFailed, match="what the money is for"):
        _request(money, purpose="   ")
    with pytest.raises(PermissionDenied):
        _request(money, actor=money.seller)
    # The generic request form cannot make a courier payout (the market asks for it).
    with pytest.raises(ValidationFailed, match="money page"):
        services.disbursement_request(
            actor=money.operator,
            kelurahan=money.kelurahan,
            kind=DisbursementKind.COURIER,
            amount=OWED,
            purpose="Kurir",
            category=Category.OTHER,
        )
    assert not Disbursement.objects.exists()
    queue_drain(kelurahan_id=money.kelurahan.pk)
    assert not LogEntry.objects.filter(type="funds.disbursement_requested").exists()


def test_the_payment_pages_show_the_kind_and_the_courier_by_number_only(
    money: Any, login: Any
) -> None:
    _owed_to_couriers(money)
    payment = _request(money)
    operator = login(money.operator)
    listing = operator.get(f"/k/{money.kelurahan.slug}/bendahara/pencairan/").content.decode()
    assert "Paying a courier&#x27;s delivery share" in listing
    assert f"Market courier #{COURIER_ID}" in listing
    assert "Settling a UMKM" not in listing
    detail = operator.get(
        f"/k/{money.kelurahan.slug}/bendahara/pencairan/{payment.pk}/"
    ).content.decode()
    assert "Paying a courier&#x27;s delivery share" in detail
    assert f"Market courier #{COURIER_ID}" in detail


def test_the_migration_converts_courier_payouts_recorded_as_umkm_settlements(
    money: Any,
) -> None:
    """The data step of 0005: a disbursement drawn on the couriers' payable becomes a
    courier payout naming the courier of the market's CourierPayout row; a UMKM's
    settlement is left alone."""
    payable = _owed_to_couriers(money, 50_000)
    bank = services.accounts_ensure(kelurahan=money.kelurahan)[AccountKind.BANK]
    common = {
        "kelurahan": money.kelurahan,
        "pay_from": bank,
        "category": Category.OTHER,
        "requested_by": money.operator,
        "purpose": "Kurir",
    }
    linked = Disbursement.objects.create(
        kind="settlement", source_account=payable, amount=20_000, **common
    )
    unlinked = Disbursement.objects.create(
        kind="settlement", source_account=payable, amount=10_000, **common
    )
    umkm = Disbursement.objects.create(
        kind="settlement",
        source_account=money.merchant.account,
        merchant=money.merchant,
        amount=5_000,
        **common,
    )
    courier = market_services.courier_create(
        actor=money.operator, kelurahan=money.kelurahan, label="Kurir A", capacity=5
    )
    now = timezone.now()
    cycle = OrderCycle.objects.create(
        kelurahan=money.kelurahan,
        title="Pasar Minggu 1",
        opens_at=now - dt.timedelta(days=3),
        closes_at=now - dt.timedelta(days=2),
        delivery_date=timezone.localdate(),
        status=CycleStatus.CLOSED,
    )
    CourierPayout.objects.create(
        cycle=cycle, courier=courier, amount=20_000, disbursement_id=linked.pk
    )

    migration = importlib.import_module("gotong.funds.migrations.0005_disbursement_courier_kind")
    migration.courier_payouts_convert(apps, None)

    for row in (linked, unlinked, umkm):
        row.refresh_from_db()
    assert (linked.kind, linked.courier_id) == ("courier", courier.pk)
    assert (unlinked.kind, unlinked.courier_id) == ("courier", None)
    assert (umkm.kind, umkm.courier_id) == ("settlement", None)

    migration.courier_payouts_revert(apps, None)
    linked.refresh_from_db()
    assert (linked.kind, linked.courier_id) == ("settlement", None)
