"""Bank statement matching for market QRIS payments: the funds statement import offers
each line no donation matched to the market's matcher (registered in
``MarketConfig.ready``), which records the payment of the QRIS order whose code the line
names when the amount is exactly what it owes, the statement line as its evidence; any
other line stays unmatched, and a refused file records nothing."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gotong.activities.tests.factories import photo
from gotong.core.exceptions import ValidationFailed
from gotong.funds import selectors as funds_selectors
from gotong.funds import services as funds_services
from gotong.funds.models import (
    AccountKind,
    Donation,
    DonationStatus,
    StatementImport,
    Transfer,
    TransferKind,
)
from gotong.transparency.models import LogEntry

from ... import selectors, services
from ...models import Order
from ..factories import (
    Market,
    Officers,
    balance_of,
    ledger_account,
    order_for,
)

pytestmark = pytest.mark.django_db


def _import(officers: Officers, kelurahan: Any, *rows: str, header: str = "") -> StatementImport:
    body = "\n".join([header or "tanggal,keterangan,jumlah", *rows]) + "\n"
    return funds_services.statement_import(
        actor=officers.treasurer, kelurahan=kelurahan, file_name="mutasi.csv", content=body.encode()
    )


def _qris(world: Market, resident: Any, rt: Any) -> Order:
    order = order_for(world, resident(), rt, (world.bundle_offer, 1), payment_method="qris")
    assert order.balance_due == 45_000
    return order


def test_the_market_matcher_is_registered() -> None:
    matchers = [m for m, _r in funds_services.statement_matchers()]
    assert services.statement_line_match in matchers


def test_a_line_with_the_order_code_and_amount_records_the_qris_payment(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers
) -> None:
    order = _qris(world, resident, rt)
    bank = ledger_account(kelurahan, AccountKind.BANK)
    before = balance_of(bank)
    statement = _import(
        officers, kelurahan, f"2026-11-02,QRIS NMID ID1020 {order.code.lower()} PEMBELI,45.000"
    )
    assert (statement.lines_total, statement.lines_matched) == (1, 1)
    line = statement.lines.get()
    order.refresh_from_db()
    assert order.paid_net == 45_000 and order.balance_due == 0 and order.paid_at is not None
    assert order.payment_statement_line_id == line.pk and order.payment_receipt == ""
    assert order.payment_confirmed_by_id == officers.treasurer.pk
    assert balance_of(bank) - before == 45_000
    transfer = Transfer.objects.get(kind=TransferKind.MARKET_PAYMENT)
    assert transfer.amount == 45_000
    entry = LogEntry.objects.filter(type="market.order_paid").latest("pk")
    assert f"statement_line:{line.pk}" in entry.body
    assert funds_selectors.statement_other_matches(statement=statement) == {
        line.pk: f"Market order {order.code}"
    }
    # Already paid: the payment is not confirmed a second time.
    assert selectors.order_qris_payload(order=order) is None


@pytest.mark.parametrize(
    "row",
    [
        "2026-11-02,QRIS {code},44.000",  # wrong amount
        "2026-11-02,QRIS {code},90.000",  # paid twice over: not what it owes
        "2026-11-02,QRIS PAAAAAAAAA,45.000",  # unknown code
        "2026-11-02,SETORAN TANPA BERITA,45.000",  # no code
        "2026-11-02,QRIS X{code},45.000",  # the code inside a longer word
    ],
)
def test_a_line_that_does_not_fit_stays_unmatched_and_changes_nothing(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers, row: str
) -> None:
    order = _qris(world, resident, rt)
    statement = _import(officers, kelurahan, row.format(code=order.code))
    assert statement.lines_matched == 0
    order.refresh_from_db()
    assert order.paid_amount == 0 and order.payment_statement_line_id is None
    assert not Transfer.objects.filter(kind=TransferKind.MARKET_PAYMENT).exists()
    assert funds_selectors.statement_other_matches(statement=statement) == {}


def test_an_order_already_paid_or_not_qris_stays_unmatched(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers
) -> None:
    paid = _qris(world, resident, rt)
    services.order_payment_confirm(actor=officers.treasurer, order=paid, receipt=photo())
    cod = order_for(world, resident(), rt, (world.bundle_offer, 1))
    statement = _import(
        officers,
        kelurahan,
        f"2026-11-02,QRIS {paid.code},45.000",
        f"2026-11-02,TRF {cod.code},45.000",
    )
    assert statement.lines_matched == 0
    paid.refresh_from_db()
    cod.refresh_from_db()
    assert paid.paid_net == 45_000 and paid.payment_statement_line_id is None
    assert cod.paid_amount == 0
    assert Transfer.objects.filter(kind=TransferKind.MARKET_PAYMENT).count() == 1


def test_one_line_pays_one_order_and_donations_match_first(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers
) -> None:
    order = _qris(world, resident, rt)
    donation = funds_services.donation_create(
        kelurahan=kelurahan, donor=None, amount=45_000, target="aid_fund", channel="bank"
    )
    statement = _import(
        officers,
        kelurahan,
        f"2026-11-02,TRF {donation.payment_reference} {order.code},45.000",
        f"2026-11-02,QRIS {order.code},45.000",
        f"2026-11-03,QRIS {order.code},45.000",  # the same payment again: not matched
    )
    assert statement.lines_matched == 2
    rows = {line.row: line for line in statement.lines.all()}
    donation.refresh_from_db()
    assert donation.status == DonationStatus.RECORDED and rows[2].donation_id == donation.pk
    order.refresh_from_db()
    assert order.payment_statement_line_id == rows[3].pk and order.paid_net == 45_000
    assert Donation.objects.filter(status=DonationStatus.RECORDED).count() == 1


@pytest.mark.parametrize(
    ("header", "amount"),
    [("date,description,amount", "45000"), ("tanggal,keterangan,jumlah", "45000,5")],
)
def test_a_refused_file_posts_nothing(
    world: Market,
    kelurahan: Any,
    rt: Any,
    resident: Any,
    officers: Officers,
    header: str,
    amount: str,
) -> None:
    order = _qris(world, resident, rt)
    other = _qris(world, resident, rt)
    rows = [f"2026-11-02,QRIS {order.code},45000", f'2026-11-02,QRIS {other.code},"{amount}"']
    with pytest.raises(ValidationFailed):
        _import(officers, kelurahan, *rows, header=header)
    for o in (order, other):
        o.refresh_from_db()
        assert o.paid_amount == 0 and o.payment_statement_line_id is None
    assert not StatementImport.objects.exists()
    assert not Transfer.objects.filter(kind=TransferKind.MARKET_PAYMENT).exists()


def test_the_import_page_and_api_show_lines_matched_to_orders(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers, login: Any
) -> None:
    order = _qris(world, resident, rt)
    client = login(officers.treasurer)
    body = (
        f"tanggal;keterangan;jumlah\n2026-11-02;QRIS {order.code};45.000\n2026-11-02;LAIN;7.000\n"
    )
    response = client.post(
        reverse("funds:statements", kwargs={"slug": kelurahan.slug}),
        {"file": SimpleUploadedFile("mutasi.csv", body.encode(), content_type="text/csv")},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    section = page.split('id="matched-orders"')[1].split("</ul>")[0]
    assert order.code in section and "Rp 45.000" in section and "LAIN" not in section
    order.refresh_from_db()
    assert order.balance_due == 0

    second = _qris(world, resident, rt)
    api_body = f"tanggal,keterangan,jumlah\n2026-11-03,QRIS {second.code},45000\n2026-11-03,X,1\n"
    answer = client.post(
        f"/api/v1/k/{kelurahan.slug}/funds/statements",
        {"file": SimpleUploadedFile("m2.csv", api_body.encode(), content_type="text/csv")},
    )
    assert answer.status_code == 201, answer.content
    data = answer.json()
    assert data["lines_matched"] == 1
    # The label is for people (in the request's language); the order code is in it.
    [matched] = data["matched_other"]
    assert matched["row"] == 2 and matched["amount"] == 45_000
    assert second.code in matched["matched"]
    assert [u["row"] for u in data["unmatched"]] == [3]
