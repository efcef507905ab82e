"""Bank statement import (``services/statements.py``): matching by reference and amount,
bad files refused whole."""

from typing import Any

import pytest

from gotong.core.exceptions import ValidationFailed
from gotong.funds import selectors, services
from gotong.funds.models import (
    DonationStatus,
    StatementImport,
)
from gotong.funds.services import statements

pytestmark = pytest.mark.django_db


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
