"""The public campaign page lists its spending lines, newest first, page by page: date,
amount, purpose in Indonesian (the payment's or the transfer's kind, never a name or a
typed purpose) and a link to the receipt or the public log entry."""

import re
from typing import Any

import pytest
from django.test import Client

from gotong.funds import selectors, services
from gotong.funds.selectors.spending import SPENDING_PAGE_SIZE
from gotong.funds.tests.factories import campaign_funded, confirmed_donation, photo
from gotong.registry.tests.factories import PersonFactory
from gotong.transparency.services import queue_drain

pytestmark = pytest.mark.django_db

TYPED_PURPOSE = "Bantuan tunai untuk Bu Sulastri yang sakit"


def _cash_aid(money: Any, amount: int) -> Any:
    person = PersonFactory(rt=money.rt, created_by=money.operator, full_name="Sulastri (uji)")
    payout = services.payout_account_propose(
        actor=money.treasurer, person=person, bank_name="BRI", account_number="0123456789"
    )
    services.payout_account_approve(actor=money.lurah, payout=payout)
    request = services.disbursement_request(
        actor=money.operator,
        kelurahan=money.kelurahan,
        kind="cash_aid",
        amount=amount,
        purpose=TYPED_PURPOSE,
        category="kesehatan",
        source=money.campaign.account,
        payout=payout,
    )
    services.disbursement_approve(actor=money.lurah, disbursement=request)
    services.disbursement_approve(actor=money.admin, disbursement=request)
    return services.disbursement_pay(actor=money.treasurer, disbursement=request, proof=photo())


def _page(money: Any, query: str = "") -> str:
    response = Client().get(
        f"/k/{money.kelurahan.slug}/donasi/{money.campaign.pk}/{query}",
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert response.status_code == 200
    return response.content.decode()


def _spending(html: str) -> str:
    return html.split('id="pengeluaran"', 1)[1].split("</ul>", 1)[0]


def test_a_campaign_without_spending_says_so_in_indonesian(money: Any) -> None:
    spending = _spending(_page(money))
    assert "Belum ada pengeluaran dari kampanye ini" in spending
    assert "<a " not in spending


def test_a_cash_aid_line_shows_its_purpose_and_proof_but_no_personal_data(money: Any) -> None:
    campaign_funded(money, 1_000_000)
    paid = _cash_aid(money, 250_000)
    queue_drain(kelurahan_id=money.kelurahan.pk)
    spending = _spending(_page(money))
    assert "Rp 250.000" in spending
    assert "Bantuan tunai ke rekening bank penerima" in spending  # the kind, in Indonesian
    assert "Kesehatan" in spending
    for private in ("Sulastri", TYPED_PURPOSE, "0123456789", "6789", "BRI"):
        assert private not in spending
    links = re.findall(r'href="([^"]+)"', spending)
    assert f"/k/{money.kelurahan.slug}/bukti/{paid.receipt_code}/" in links
    assert any("/log/" in link for link in links)
    client = Client()
    for link in links:
        assert client.get(link).status_code == 200, link


def test_spending_lines_come_newest_first_a_page_at_a_time(money: Any) -> None:
    campaign_funded(money, 1_000_000)
    [(_voucher, code)] = services.voucher_issue(
        actor=money.operator,
        source=money.campaign.account,
        category="sembako",
        value=500_000,
        count=1,
        rt=money.rt,
        allow_partial=True,
    )
    for n in range(1, SPENDING_PAGE_SIZE + 2):  # one line more than a page
        services.voucher_redeem(
            actor=money.seller, kelurahan=money.kelurahan, code=code, amount=1_000 * n
        )
    queue_drain(kelurahan_id=money.kelurahan.pk)
    first = _page(money)
    amounts = re.findall(r"<strong>(Rp [\d.]+)</strong>", _spending(first))
    assert len(amounts) == SPENDING_PAGE_SIZE
    assert amounts[0] == "Rp 21.000" and amounts[-1] == "Rp 2.000"  # newest first
    assert "Voucher ditukarkan di UMKM" in _spending(first)
    assert money.merchant.organisation.name not in first
    assert "?page=2" in first and "Halaman 1 dari 2" in first
    second = re.findall(r"<strong>(Rp [\d.]+)</strong>", _spending(_page(money, "?page=2")))
    assert second == ["Rp 1.000"]
    total = selectors.campaign_summaries(kelurahan=money.kelurahan)[0].spent
    assert total == sum(1_000 * n for n in range(1, SPENDING_PAGE_SIZE + 2))


def test_the_overall_spent_shows_what_the_aid_fund_spent_outside_campaigns(money: Any) -> None:
    confirmed_donation(money.treasurer, money.admin, money.kelurahan, 200_000, target="aid_fund")
    aid_fund = selectors.account_of_kind(kelurahan=money.kelurahan, kind="aid_fund")
    [(_voucher, code)] = services.voucher_issue(
        actor=money.operator,
        source=aid_fund,
        category="sembako",
        value=75_000,
        count=1,
        rt=money.rt,
    )
    services.voucher_redeem(actor=money.seller, kelurahan=money.kelurahan, code=code)
    response = Client().get(f"/k/{money.kelurahan.slug}/donasi/", HTTP_ACCEPT_LANGUAGE="id")
    html = response.content.decode()
    assert "Terpakai: <strong>Rp 75.000</strong>" in re.sub(r"\s+", " ", html)
    assert "Rp 75.000 berasal dari dana bantuan di luar kampanye" in html
