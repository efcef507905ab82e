"""Bank statements: matching pending donations, bad columns or rows post nothing, another
kelurahan's statement is not found."""

from typing import Any

import pytest
from django.utils import timezone

from gotong.accounts.models import Role
from gotong.funds import services
from gotong.funds.models import (
    StatementImport,
    Transfer,
)
from gotong.funds.tests.factories import officer
from gotong.funds.tests.views.pages import (
    bendahara_url,
    donation_pending,
    english_client,
)

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- statements


def _csv(*rows: str, header: str = "tanggal;keterangan;jumlah") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = "\n".join([header, *rows]).encode()
    return SimpleUploadedFile("mutasi.csv", body, content_type="text/csv")


def test_a_statement_matches_a_pending_donation_and_lists_the_rest(money: Any) -> None:
    donation = donation_pending(money, 150_000)
    client = english_client(money.treasurer)
    today = timezone.localdate().isoformat()
    upload = _csv(
        f"{today};TRF {donation.payment_reference} DARI BUDI;150.000",
        f"{today};SETORAN TANPA BERITA;99.000",
    )

    response = client.post(bendahara_url(money) + "mutasi-bank/", {"file": upload})

    statement = StatementImport.objects.get()
    assert response["Location"].endswith(f"/bendahara/mutasi-bank/{statement.pk}/")
    page = client.get(response["Location"]).content.decode()
    assert donation.payment_reference in page and "SETORAN TANPA BERITA" in page
    assert "Rp 99.000" in page
    donation.refresh_from_db()
    assert donation.status == "recorded" and Transfer.objects.count() == 0
    assert "mutasi.csv" in client.get(bendahara_url(money) + "mutasi-bank/").content.decode()

    again = client.post(
        bendahara_url(money) + "mutasi-bank/",
        {
            "file": _csv(
                f"{today};TRF {donation.payment_reference} DARI BUDI;150.000",
                f"{today};SETORAN TANPA BERITA;99.000",
            )
        },
    )
    assert "This statement file was already imported." in again.content.decode()
    assert StatementImport.objects.count() == 1


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        (
            lambda ref: _csv(f"2026-01-05;{ref};75000", header="date;description;amount"),
            "The statement needs the columns tanggal, keterangan, jumlah; missing:",
        ),
        (lambda ref: _csv(f"2026-01-05;{ref};75000,5"), "Row 2: the amount must be"),
        (lambda ref: _csv(f"kemarin;{ref};75000"), "Row 2: the date must be"),
    ],
)
def test_a_statement_with_wrong_columns_or_rows_posts_nothing(
    money: Any, upload: Any, error: str
) -> None:
    donation = donation_pending(money)

    response = english_client(money.treasurer).post(
        bendahara_url(money) + "mutasi-bank/", {"file": upload(donation.payment_reference)}
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    assert StatementImport.objects.count() == 0
    donation.refresh_from_db()
    assert donation.status == "pending"


def test_another_kelurahans_statement_is_not_found(
    money: Any, other_kelurahan: Any, make_member: Any
) -> None:
    services.statement_import(
        actor=money.treasurer,
        kelurahan=money.kelurahan,
        file_name="a.csv",
        content=b"tanggal,keterangan,jumlah\n2026-01-05,X,1000\n",
    )
    statement = StatementImport.objects.get()
    other = english_client(officer(other_kelurahan, Role.BENDAHARA, make_member))

    url = f"/k/{other_kelurahan.slug}/bendahara/mutasi-bank/{statement.pk}/"
    assert other.get(url).status_code == 404
    own = english_client(money.treasurer).get(bendahara_url(money) + f"mutasi-bank/{statement.pk}/")
    assert own.status_code == 200
