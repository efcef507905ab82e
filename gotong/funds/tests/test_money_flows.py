"""Donations, matching, statement import, vouchers, goods, payouts and disbursements,
through the services, including the refusals that must change nothing."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gotong.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from gotong.funds import selectors, services
from gotong.funds.models import (
    AccountKind,
    Disbursement,
    Donation,
    DonationStatus,
    Redemption,
    StatementImport,
    Transfer,
    Voucher,
    VoucherStatus,
)
from gotong.funds.services import donations, statements
from gotong.funds.tests.factories import confirmed_donation, csr, photo, umkm
from gotong.registry.tests.factories import PersonFactory

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


def test_statement_import_matches_by_reference_and_amount_and_lists_the_rest(money: Any) -> None:
    first = services.donation_create(
        kelurahan=money.kelurahan,
        donor=None,
        amount=150_000,
        campaign=money.campaign,
        channel="bank",
    )
    second = services.donation_create(
        kelurahan=money.kelurahan,
        donor=None,
        amount=80_000,
        campaign=money.campaign,
        channel="qris",
    )
    csv_text = (
        "tanggal,keterangan,jumlah,referensi\n"
        f"2026-11-02,TRSF {first.payment_reference.lower()} DARI BUDI,150.000,A1\n"
        f"2026-11-02,QRIS {second.payment_reference},75000,A2\n"
        "2026-11-03,SETORAN TANPA BERITA,20000,A3\n"
    )
    statement = services.statement_import(
        actor=money.treasurer,
        kelurahan=money.kelurahan,
        file_name="mutasi.csv",
        content=csv_text.encode(),
    )
    assert (statement.lines_total, statement.lines_matched) == (3, 1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == DonationStatus.RECORDED and second.status == DonationStatus.PENDING
    unmatched = [line.row for line in statement.lines.all() if line.donation_id is None]
    assert unmatched == [3, 4]
    # The statement is bank evidence: the importer may confirm it.
    services.donation_confirm(actor=money.treasurer, donation=first)
    assert selectors.account_balance(account=money.campaign.account) == 150_000


@pytest.mark.parametrize(
    "content",
    [
        b"date,description,amount\n2026-11-01,x,1000\n",
        b"tanggal,keterangan,jumlah\n2026-11-01,x,10.5\n",
        b"tanggal,keterangan,jumlah\nkemarin,x,1000\n",
        b"",
    ],
)
def test_a_bad_statement_file_is_refused_and_nothing_is_recorded(
    money: Any, content: bytes
) -> None:
    pending = services.donation_create(
        kelurahan=money.kelurahan, donor=None, amount=1000, campaign=money.campaign, channel="bank"
    )
    with pytest.raises(ValidationFailed):
        services.statement_import(
            actor=money.treasurer, kelurahan=money.kelurahan, file_name="x.csv", content=content
        )
    pending.refresh_from_db()
    assert pending.status == DonationStatus.PENDING


def test_a_statement_file_over_the_size_limit_is_refused_by_the_service(
    money: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = b"tanggal,keterangan,jumlah\n2026-11-02,GR-ABCDEF,1000\n"
    monkeypatch.setattr(statements, "STATEMENT_MAX_BYTES", len(content) - 1)
    with pytest.raises(ValidationFailed, match="too large"):
        services.statement_import(
            actor=money.treasurer, kelurahan=money.kelurahan, file_name="x.csv", content=content
        )
    assert not StatementImport.objects.exists()


def test_a_umkm_settlement_cannot_ask_for_what_another_request_already_takes(
    money: Any,
) -> None:
    _funded(money)
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


def _funded(money: Any, amount: int = 1_000_000) -> None:
    confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, amount, campaign=money.campaign
    )


def test_a_umkm_redeems_a_voucher_once_and_is_settled_with_proof(money: Any) -> None:
    _funded(money)
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
    _funded(money)
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
    _funded(money, 300_000)
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


def test_cash_aid_needs_a_second_officer_for_the_account_and_two_approvals(money: Any) -> None:
    _funded(money)
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


def test_in_kind_goods_go_in_out_to_an_activity_and_are_counted(money: Any) -> None:
    from gotong.activities.models import Activity
    from gotong.transparency.services import evidence_upload

    donation = services.donation_record(
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
    services.donation_confirm(actor=money.admin, donation=donation)
    item = selectors.goods_list(kelurahan=money.kelurahan).get()
    assert item.quantity == 10 and item.unit_value == 60_000
    activity = Activity.objects.create(
        kelurahan=money.kelurahan,
        rt=money.rt,
        kind="delivery",
        title="Antar beras",
        starts_at=timezone.now(),
        ends_at=timezone.now() + dt.timedelta(hours=2),
        created_by=money.operator,
        coordinator=money.operator,
    )
    with pytest.raises(ValidationFailed):  # no evidence of the activity yet
        services.goods_issue(actor=money.operator, item=item, quantity=4, activity_id=activity.pk)
    evidence_upload(
        kelurahan=money.kelurahan,
        uploader=money.operator,
        subject=f"activity:{activity.pk}",
        upload=photo(),
    )
    services.goods_issue(actor=money.operator, item=item, quantity=4, activity_id=activity.pk)
    with pytest.raises(ValidationFailed):
        services.goods_issue(actor=money.operator, item=item, quantity=7, activity_id=activity.pk)
    assert activity.resources.get().external_id == f"goods:{item.pk}"
    count = services.stock_count(actor=money.operator, item=item, counted=5, note="1 rusak")
    assert count.quantity == -1
    lines = selectors.goods_summary(kelurahan=money.kelurahan)
    assert (lines[0].quantity_in, lines[0].quantity_out, lines[0].in_stock) == (10, 4, 5)
    assert selectors.ledger_reconcile(kelurahan=money.kelurahan).balanced
    store = services.accounts_ensure(kelurahan=money.kelurahan)[AccountKind.IN_KIND]
    assert selectors.account_balance(account=store) == 5 * 60_000


def test_voucher_list_shows_no_codes_and_other_kelurahan_vouchers_are_unknown(
    money: Any, other_kelurahan: Any
) -> None:
    _funded(money)
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


def test_only_an_operator_or_the_daily_task_draws_the_call_back_sample(
    money: Any, make_member: Any
) -> None:
    from gotong.accounts.models import Role
    from gotong.accounts.tests.factories import UserFactory
    from gotong.funds.models import Callback
    from gotong.funds.tests.factories import officer
    from gotong.registry.models import ConsentPurpose, Household

    household = Household.objects.create(kelurahan=money.kelurahan, rt=money.rt, size=2)
    household.head = PersonFactory(  # type: ignore[assignment]
        rt=money.rt,
        household=household,
        phone="+6281355550009",
        consents=[ConsentPurpose.AID, ConsentPurpose.NOTIFICATIONS],
    )
    household.save(update_fields=["head"])
    confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 100_000, campaign=money.campaign
    )
    services.voucher_issue(
        actor=money.operator,
        source=money.campaign.account,
        category="sembako",
        value=50_000,
        count=1,
        rt=money.rt,
        household=household,
    )
    cycle = timezone.localdate().strftime("%Y-%m")
    auditor = officer(money.kelurahan, Role.AUDITOR, make_member)
    operator_by_code = make_member(Role.OPERATOR, money.kelurahan)  # no TOTP session
    refused = [money.seller, UserFactory(), auditor, operator_by_code]
    for actor in refused:
        with pytest.raises(PermissionDenied):
            services.callbacks_sample(actor=actor, kelurahan=money.kelurahan, cycle=cycle)
    assert not Callback.objects.exists()
    rows = services.callbacks_sample(actor=money.operator, kelurahan=money.kelurahan, cycle=cycle)
    assert len(rows) == 1 and rows[0].voucher is not None
    with pytest.raises(PermissionDenied):  # nor may they read the drawn sample back
        services.callbacks_sample(actor=auditor, kelurahan=money.kelurahan, cycle=cycle)
    again = services.callbacks_sample(actor=None, kelurahan=money.kelurahan, cycle=cycle)
    assert [c.pk for c in again] == [rows[0].pk]


def _cash(money: Any, receipt: Any, amount: int = 150_000) -> Donation:
    return services.donation_record(
        actor=money.treasurer,
        kelurahan=money.kelurahan,
        receipt=receipt,
        channel="cash",
        amount=amount,
        target="aid_fund",
    )


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
