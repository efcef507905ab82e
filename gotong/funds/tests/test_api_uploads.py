"""API routes that take a photo (multipart/form-data): the treasurer records a donation
with its receipt and pays a disbursement with its proof. The file arrives and is stored
as evidence; without it the answer is a clear 422 and nothing changes; one receipt photo
cannot record two donations."""

import hashlib
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gotong.accounts.tests.clients import client_for
from gotong.funds import services
from gotong.funds.models import Disbursement, Donation
from gotong.funds.tests.factories import confirmed_donation
from gotong.transparency.models import Evidence
from gotong.transparency.tests.images import FAKE_JPEG_TEXT, jpeg_plain

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _jpeg(seed: int, name: str = "struk.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_plain(seed), content_type="image/jpeg")


def _pending(money: Any, amount: int = 125_000) -> Donation:
    return services.donation_create(
        kelurahan=money.kelurahan, donor=None, amount=amount, target="aid_fund"
    )


def _record_url(money: Any, donation: Donation) -> str:
    return f"/api/v1/k/{money.kelurahan.slug}/funds/donations/{donation.pk}/record"


def _missing(response: Any, field: str) -> bool:
    errors = response.json()["extra"]["errors"]
    return any(e["loc"][-1] == field and e["type"] == "missing" for e in errors)


def test_the_treasurer_records_a_donation_with_a_receipt_photo_upload(money: Any) -> None:
    donation = _pending(money)
    treasurer = _client(money.treasurer)

    response = treasurer.post(
        _record_url(money, donation), {"channel": "cash", "receipt": _jpeg(1)}
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "recorded"
    donation.refresh_from_db()
    assert donation.channel == "cash" and donation.recorded_by_id == money.treasurer.pk
    evidence = Evidence.objects.get(code=donation.receipt_code)
    assert evidence.subject == f"donation:{donation.pk}" and evidence.media_type == "image/jpeg"
    assert evidence.sha256 == hashlib.sha256(jpeg_plain(1)).hexdigest()
    assert donation.receipt_sha256 == evidence.sha256


def test_recording_without_a_photo_or_with_a_fake_one_is_a_clear_422(money: Any) -> None:
    donation = _pending(money)
    treasurer = _client(money.treasurer)
    url = _record_url(money, donation)

    without = treasurer.post(url, {"channel": "bank"})
    fake = treasurer.post(
        url,
        {"receipt": SimpleUploadedFile("struk.jpg", FAKE_JPEG_TEXT, content_type="image/jpeg")},
    )

    assert without.status_code == 422
    assert without.json()["message"] == "The request is not valid."
    assert _missing(without, "receipt")
    assert fake.status_code == 422
    assert fake.json()["message"] == "Only JPEG, PNG or WebP photos can be uploaded."
    donation.refresh_from_db()
    assert donation.status == "pending" and donation.receipt_code == ""
    assert not Evidence.objects.exists()


def test_the_same_receipt_photo_cannot_record_a_second_donation(money: Any) -> None:
    first, second = _pending(money), _pending(money)
    treasurer = _client(money.treasurer)
    assert treasurer.post(_record_url(money, first), {"receipt": _jpeg(2)}).status_code == 200

    again = treasurer.post(_record_url(money, second), {"receipt": _jpeg(2)})

    assert again.status_code == 409
    assert again.json()["message"].startswith(
        f"This receipt photo was already used for donation {first.payment_reference}."
    )
    assert again.json()["extra"]["reference"] == first.payment_reference
    second.refresh_from_db()
    assert second.status == "pending" and Evidence.objects.count() == 1


def _approved_payment(money: Any) -> Disbursement:
    confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 500_000, campaign=money.campaign
    )
    [(_voucher, code)] = services.voucher_issue(
        actor=money.operator,
        source=money.campaign.account,
        category="sembako",
        value=200_000,
        count=1,
        rt=money.rt,
    )
    services.voucher_redeem(actor=money.seller, kelurahan=money.kelurahan, code=code)
    payment = services.disbursement_request(
        actor=money.operator,
        kelurahan=money.kelurahan,
        kind="settlement",
        amount=200_000,
        purpose="Pelunasan voucher",
        category="sembako",
        merchant=money.merchant,
    )
    services.disbursement_approve(actor=money.lurah, disbursement=payment)
    services.disbursement_approve(actor=money.admin, disbursement=payment)
    return payment


def test_the_treasurer_pays_with_a_proof_photo_upload_and_not_without(money: Any) -> None:
    payment = _approved_payment(money)
    treasurer = _client(money.treasurer)
    url = f"/api/v1/k/{money.kelurahan.slug}/funds/disbursements/{payment.pk}/pay"

    without = treasurer.post(url, {}, HTTP_IDEMPOTENCY_KEY="pay-1")
    assert without.status_code == 422 and _missing(without, "proof")
    payment.refresh_from_db()
    assert payment.status == "approved" and payment.transfer_id is None

    paid = treasurer.post(url, {"proof": _jpeg(3)}, HTTP_IDEMPOTENCY_KEY="pay-1")

    assert paid.status_code == 200, paid.content
    assert paid.json()["status"] == "paid"
    payment.refresh_from_db()
    assert payment.receipt_code and payment.transfer is not None
    assert payment.transfer.receipt_code == payment.receipt_code
    evidence = Evidence.objects.get(code=payment.receipt_code)
    assert evidence.sha256 == hashlib.sha256(jpeg_plain(3)).hexdigest()
