"""Donations recorded, confirmed and refused (``services/donations.py``), including the
refusals that must change nothing and one receipt photo per donation."""

from typing import Any

import pytest

from gotong.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from gotong.funds import selectors, services
from gotong.funds.models import (
    AccountKind,
    Donation,
    DonationStatus,
)
from gotong.funds.services import donations
from gotong.funds.tests.factories import photo

pytestmark = pytest.mark.django_db


def _cash(money: Any, receipt: Any, amount: int = 150_000) -> Donation:
    return services.donation_record(
        actor=money.treasurer,
        kelurahan=money.kelurahan,
        receipt=receipt,
        channel="cash",
        amount=amount,
        target="aid_fund",
    )


def test_nothing_counts_until_the_treasurer_confirms(money: Any) -> None:
    donation = services.donation_create(
        kelurahan=money.kelurahan, donor=None, amount=50_000, campaign=money.campaign
    )
    with pytest.raises(ValidationFailed):
        services.donation_confirm(actor=money.treasurer, donation=donation)
    services.donation_record(
        actor=money.treasurer,
        kelurahan=money.kelurahan,
        donation=donation,
        receipt=photo(),
        channel="cash",
    )
    assert selectors.account_balance(account=money.campaign.account) == 0
    with pytest.raises(PermissionDenied):  # who recorded it does not confirm it
        services.donation_confirm(actor=money.treasurer, donation=donation)
    with pytest.raises(PermissionDenied):  # an operator is not the treasurer
        services.donation_confirm(actor=money.operator, donation=donation)
    services.donation_confirm(actor=money.admin, donation=donation)
    cash = services.accounts_ensure(kelurahan=money.kelurahan)[AccountKind.CASH]
    assert selectors.account_balance(account=cash) == 50_000


@pytest.mark.parametrize("amount", [0, -5_000, 1500.5, "12,5", None, True])
def test_bad_amounts_are_refused_with_nothing_created(money: Any, amount: Any) -> None:
    with pytest.raises(ValidationFailed):
        services.donation_create(
            kelurahan=money.kelurahan, donor=None, amount=amount, campaign=money.campaign
        )
    assert Donation.objects.count() == 0


def test_one_receipt_photo_records_one_donation_a_double_tap_saves_nothing(money: Any) -> None:
    from gotong.transparency.models import Evidence

    first = _cash(money, photo(serial=9001))
    evidence = Evidence.objects.get(code=first.receipt_code)
    assert first.receipt_sha256 == evidence.sha256  # the hash its evidence keeps
    with pytest.raises(Conflict) as tapped_twice:
        _cash(money, photo(serial=9001))
    assert str(tapped_twice.value.message) == (
        f"This receipt photo was already used for donation {first.payment_reference}. "
        "Nothing was recorded; if it is another payment, take a photo of its own receipt."
    )
    assert tapped_twice.value.extra == {
        "field": "receipt",
        "reason": "receipt_used",
        "reference": first.payment_reference,
    }
    pending = services.donation_create(
        kelurahan=money.kelurahan, donor=None, amount=80_000, target="aid_fund"
    )
    with pytest.raises(Conflict):
        services.donation_record(
            actor=money.treasurer,
            kelurahan=money.kelurahan,
            donation=pending,
            receipt=photo(serial=9001),
            channel="bank",
        )
    pending.refresh_from_db()
    assert pending.status == DonationStatus.PENDING and pending.receipt_code == ""
    assert Donation.objects.count() == 2 and Evidence.objects.count() == 1
    # Another photo is another receipt.
    assert _cash(money, photo(serial=9002)).status == DonationStatus.RECORDED


def test_a_reversed_donations_receipt_may_back_its_correction(money: Any) -> None:
    wrong = _cash(money, photo(serial=9101), amount=150_000)
    services.donation_confirm(actor=money.admin, donation=wrong)
    wrong.refresh_from_db()
    services.transfer_reverse(
        actor=money.treasurer, transfer=wrong.transfer, reason="Jumlah salah ketik"
    )
    wrong.refresh_from_db()
    assert wrong.status == DonationStatus.CANCELLED
    corrected = _cash(money, photo(serial=9101), amount=105_000)
    assert corrected.receipt_sha256 == wrong.receipt_sha256


def test_the_database_refuses_one_receipt_for_two_donations_recorded_at_once(
    money: Any, monkeypatch: Any
) -> None:
    """Two taps racing past the check: the unique constraint refuses the second, with the
    same message, and its donation is not saved."""
    first = _cash(money, photo(serial=9201))
    real = selectors.donation_with_receipt
    calls: list[str] = []

    def raced(*, kelurahan: Any, receipt_sha256: str) -> Any:
        calls.append(receipt_sha256)
        return None if len(calls) == 1 else real(kelurahan=kelurahan, receipt_sha256=receipt_sha256)

    monkeypatch.setattr(donations, "donation_with_receipt", raced)
    with pytest.raises(Conflict) as refused:
        _cash(money, photo(serial=9201))
    assert first.payment_reference in str(refused.value.message)
    assert len(calls) == 2 and Donation.objects.count() == 1
