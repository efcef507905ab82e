"""Pages and API: a donor gives to an earmarked campaign and follows it, the treasurer
confirms with a replayable key, a UMKM redeems on its phone, the monthly report (HTML,
PDF, API) balances, and nothing of another kelurahan leaks."""

from typing import Any

import pytest
from django.utils import timezone

from gotong.accounts.tests.factories import UserFactory
from gotong.funds import selectors, services
from gotong.funds.models import Donation
from gotong.funds.tests.factories import campaign, confirmed_donation, csr, photo

pytestmark = pytest.mark.django_db


def test_a_donor_gives_sees_the_match_and_follows_the_money(money: Any, login: Any) -> None:
    sponsor = csr(money.kelurahan)
    pledge = services.pledge_create(
        actor=money.operator, campaign=money.campaign, sponsor=sponsor, cap=500_000
    )
    confirmed_donation(
        money.treasurer,
        money.admin,
        money.kelurahan,
        500_000,
        target="pledge",
        pledge=pledge,
        donor_organisation=sponsor,
    )
    donor = UserFactory()
    client = login(donor)
    page = f"/k/{money.kelurahan.slug}/donasi/{money.campaign.pk}/"
    response = client.post(page, {"amount": "100000", "public_name": "Ibu Ani"})
    assert response.status_code == 302
    donation = Donation.objects.get(donor_user_id=donor.pk)
    assert client.get(response["Location"]).status_code == 200
    services.donation_record(
        actor=money.treasurer,
        kelurahan=money.kelurahan,
        donation=donation,
        receipt=photo(),
        channel="bank",
    )

    treasurer = login(money.admin)
    key = f"confirm-{donation.pk}"
    url = f"/api/v1/k/{money.kelurahan.slug}/funds/donations/{donation.pk}/confirm"
    first = treasurer.post(url, HTTP_IDEMPOTENCY_KEY=key, content_type="application/json")
    again = treasurer.post(url, HTTP_IDEMPOTENCY_KEY=key, content_type="application/json")
    assert first.status_code == again.status_code == 200, first.content
    assert first.json() == again.json()
    assert Donation.objects.get(pk=donation.pk).matches.get().amount == 100_000

    public = client.get(page).content.decode()
    assert "Ibu Ani" in public and "Rp 200.000" in public
    mine = client.get(f"/k/{money.kelurahan.slug}/donasi/saya/").content.decode()
    assert donation.payment_reference in mine


def test_a_umkm_redeems_on_its_phone_and_a_replay_is_answered(money: Any, login: Any) -> None:
    confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 300_000, campaign=money.campaign
    )
    [(voucher, code)] = services.voucher_issue(
        actor=money.operator,
        source=money.campaign.account,
        category="sembako",
        value=150_000,
        count=1,
        rt=money.rt,
    )
    seller = login(money.seller)
    assert seller.get(f"/k/{money.kelurahan.slug}/voucher/tukar/?kode={code}").status_code == 200
    url = f"/api/v1/k/{money.kelurahan.slug}/funds/vouchers/redeem"
    body = {"code": services.voucher_qr_payload(code)}
    first = seller.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="r1")
    again = seller.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="r1")
    other = seller.post(
        url, {"code": code, "amount": 5}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="r1"
    )
    reuse = seller.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="r2")
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert other.status_code == 422
    assert reuse.status_code == 409
    voucher.refresh_from_db()
    assert voucher.status == "redeemed" and voucher.redemptions.count() == 1


def test_the_monthly_report_balances_in_html_pdf_and_api(money: Any, client: Any) -> None:
    confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 420_000, campaign=money.campaign
    )
    now = timezone.localdate()
    base = f"/k/{money.kelurahan.slug}/laporan-keuangan/{now.year}/{now.month}/"
    html = client.get(base).content.decode()
    assert "Rp 420.000" in html
    pdf = client.get(base + "pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    api = client.get(f"/api/v1/k/{money.kelurahan.slug}/funds/reports/{now.year}/{now.month}")
    assert api.json()["reconciled"] is True
    assert client.get(f"/k/{money.kelurahan.slug}/donasi/").status_code == 200


def test_bad_donation_input_is_refused_with_a_clear_message(money: Any, login: Any) -> None:
    client = login(UserFactory())
    url = f"/api/v1/k/{money.kelurahan.slug}/funds/donations"
    for amount in (0, -100):
        response = client.post(
            url,
            {"amount": amount, "campaign_id": money.campaign.pk},
            content_type="application/json",
        )
        assert response.status_code == 422 and response.json()["message"]
    assert Donation.objects.count() == 0


def test_no_selector_returns_another_kelurahans_rows(
    money: Any, other_kelurahan: Any, make_member: Any
) -> None:
    from gotong.accounts.models import Role
    from gotong.funds.tests.factories import officer

    confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 100_000, campaign=money.campaign
    )
    services.voucher_issue(
        actor=money.operator,
        source=money.campaign.account,
        category="sembako",
        value=10_000,
        count=1,
        rt=money.rt,
    )
    other_operator = officer(other_kelurahan, Role.OPERATOR, make_member)
    campaign(other_operator, other_kelurahan, title="Lain")
    k = other_kelurahan
    assert [s.campaign.title for s in selectors.campaign_summaries(kelurahan=k)] == ["Lain"]
    assert selectors.funds_summary(kelurahan=k).raised == 0
    assert selectors.transfer_list(kelurahan=k).count() == 0
    assert selectors.voucher_list(kelurahan=k).count() == 0
    assert selectors.donation_queue(kelurahan=k, status="confirmed").count() == 0
    assert selectors.merchant_list(kelurahan=k).count() == 0
    assert selectors.goods_summary(kelurahan=k) == []
    assert selectors.monthly_report(kelurahan=k, year=2026, month=1).lines == []
    assert selectors.ledger_reconcile(kelurahan=k).balanced
    from gotong.core.exceptions import NotFound

    with pytest.raises(NotFound):
        selectors.campaign_get(kelurahan=k, pk=money.campaign.pk)
    with pytest.raises(NotFound):
        selectors.account_get(kelurahan=k, pk=money.campaign.account_id)
