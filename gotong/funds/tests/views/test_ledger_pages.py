"""The ledger: balances and transfers paged, reversals (a reason, once, by the treasurer),
the ledger API and the read-only admin."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gotong.accounts.models import Role
from gotong.accounts.tests.factories import TOTPDeviceFactory, UserFactory
from gotong.funds import services
from gotong.funds.models import (
    AccountKind,
    Transfer,
    TransferKind,
)
from gotong.funds.tests.factories import campaign, confirmed_donation, officer
from gotong.funds.tests.views.pages import (
    bendahara_url,
    client_as,
    english_client,
)

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- ledger


def test_the_ledger_shows_balances_and_pages_transfers(money: Any, make_member: Any) -> None:
    donation = confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 250_000, campaign=money.campaign
    )
    accounts = services.accounts_ensure(kelurahan=money.kelurahan)
    for _ in range(50):
        services.transfer_internal(
            actor=money.treasurer,
            kelurahan=money.kelurahan,
            source=accounts[AccountKind.BANK],
            destination=accounts[AccountKind.CASH],
            amount=1_000,
            memo="Tarik tunai",
        )
    auditor = client_as(Role.AUDITOR, money, make_member)

    ledger = auditor.get(bendahara_url(money) + "buku-besar/").content.decode()
    assert "Ledger reconciled" in ledger and "Rp 250.000" in ledger and "Rp 200.000" in ledger
    first = auditor.get(bendahara_url(money) + "buku-besar/transfer/").content.decode()
    second = auditor.get(bendahara_url(money) + "buku-besar/transfer/?page=2").content.decode()
    assert first.count("<strong>T-") == 50 and second.count("<strong>T-") == 1
    assert f"T-{donation.transfer_id}</strong>" in second
    campaign_only = auditor.get(
        bendahara_url(money) + f"buku-besar/transfer/?akun={money.campaign.account_id}"
    ).content.decode()
    assert campaign_only.count("<strong>T-") == 1
    donations = auditor.get(
        bendahara_url(money) + "buku-besar/transfer/?jenis=donation"
    ).content.decode()
    assert donations.count("<strong>T-") == 1
    detail = auditor.get(bendahara_url(money) + f"buku-besar/transfer/{donation.transfer_id}/")
    assert detail.status_code == 200
    assert "Rp 250.000" in detail.content.decode()
    assert "Reason for the correction" not in detail.content.decode()  # auditors only look


def test_a_reverse_needs_a_reason_happens_once_and_keeps_the_reason(money: Any) -> None:
    donation = confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 40_000, campaign=money.campaign
    )
    client = english_client(money.treasurer)
    url = bendahara_url(money) + f"buku-besar/transfer/{donation.transfer_id}/koreksi/"
    page = client.get(bendahara_url(money) + f"buku-besar/transfer/{donation.transfer_id}/")
    assert "Reason for the correction" in page.content.decode()

    for reason in ("", "   "):
        refused = client.post(url, {"reason": reason})
        assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    assert Transfer.objects.filter(kind=TransferKind.REVERSAL).count() == 0

    done = client.post(url, {"reason": "Nominal salah catat"})
    mirror = Transfer.objects.get(kind=TransferKind.REVERSAL)
    assert done["Location"].endswith(f"/bendahara/buku-besar/transfer/{mirror.pk}/")
    assert mirror.reverses_id == donation.transfer_id and "Nominal salah catat" in mirror.memo
    twice = client.post(url, {"reason": "Sekali lagi"})
    assert "This transfer was already reversed." in twice.content.decode()
    assert Transfer.objects.filter(kind=TransferKind.REVERSAL).count() == 1
    donation.refresh_from_db()
    assert donation.status == "cancelled"
    money.campaign.account.refresh_from_db()
    assert money.campaign.account.balance == 0


def test_only_the_treasurer_reverses_and_a_reversal_is_not_reversed(money: Any) -> None:
    donation = confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 40_000, campaign=money.campaign
    )
    url = bendahara_url(money) + f"buku-besar/transfer/{donation.transfer_id}/koreksi/"

    assert english_client(money.operator).post(url, {"reason": "salah"}).status_code == 403
    assert Transfer.objects.filter(kind=TransferKind.REVERSAL).count() == 0
    english_client(money.treasurer).post(url, {"reason": "salah"})
    mirror = Transfer.objects.get(kind=TransferKind.REVERSAL)
    back = english_client(money.treasurer).post(
        bendahara_url(money) + f"buku-besar/transfer/{mirror.pk}/koreksi/", {"reason": "balik"}
    )
    assert "corrected by its own step" in back.content.decode()
    assert Transfer.objects.filter(kind=TransferKind.REVERSAL).count() == 1


# --------------------------------------------------------------------------- API


def test_the_ledger_api_lists_accounts_and_transfers(money: Any, make_member: Any) -> None:
    donation = confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 60_000, campaign=money.campaign
    )
    api = f"/api/v1/k/{money.kelurahan.slug}/funds"
    auditor = client_as(Role.AUDITOR, money, make_member)

    accounts = auditor.get(f"{api}/accounts").json()
    assert {a["code"]: a["balance"] for a in accounts}["bank"] == 60_000
    listing = auditor.get(f"{api}/transfers?kind=donation&limit=10").json()
    assert [t["id"] for t in listing] == [donation.transfer_id]
    assert sorted(p["amount"] for p in listing[0]["postings"]) == [-60_000, 60_000]
    assert auditor.get(f"{api}/transfers?offset=1").json() == []
    detail = auditor.get(f"{api}/transfers/{donation.transfer_id}").json()
    assert detail["kind"] == "donation" and detail["reversed_by_id"] is None
    assert client_as(Role.WARGA, money, make_member).get(f"{api}/transfers").status_code == 403
    assert Client().get(f"{api}/accounts").status_code == 401


def test_the_reverse_api_replays_a_key_and_refuses_a_second_reverse(
    money: Any, other_kelurahan: Any, make_member: Any
) -> None:
    donation = confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 60_000, campaign=money.campaign
    )
    url = f"/api/v1/k/{money.kelurahan.slug}/funds/transfers/{donation.transfer_id}/reverse"
    treasurer = english_client(money.treasurer)

    def post(client: Client, body: dict[str, Any], key: str = "") -> Any:
        headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
        return client.post(url, body, content_type="application/json", **headers)

    assert post(treasurer, {}).status_code == 422
    assert post(treasurer, {"reason": "  "}).status_code == 422
    assert post(english_client(money.operator), {"reason": "salah"}).status_code == 403
    other = english_client(officer(other_kelurahan, Role.BENDAHARA, make_member))
    foreign = other.post(
        f"/api/v1/k/{other_kelurahan.slug}/funds/transfers/{donation.transfer_id}/reverse",
        {"reason": "salah"},
        content_type="application/json",
    )
    assert foreign.status_code == 404
    assert Transfer.objects.filter(kind=TransferKind.REVERSAL).count() == 0

    first = post(treasurer, {"reason": "Salah kampanye"}, key="rev-1")
    replay = post(treasurer, {"reason": "Salah kampanye"}, key="rev-1")
    assert first.status_code == replay.status_code == 201, first.content
    assert first.json() == replay.json()
    assert first.json()["reverses_id"] == donation.transfer_id
    twice = post(treasurer, {"reason": "Lagi"}, key="rev-2")
    assert twice.status_code == 409
    assert Transfer.objects.filter(kind=TransferKind.REVERSAL).count() == 1
    detail = treasurer.get(
        f"/api/v1/k/{money.kelurahan.slug}/funds/transfers/{donation.transfer_id}"
    ).json()
    assert detail["reversed_by_id"] == first.json()["id"]


# --------------------------------------------------------------------------- admin


@pytest.fixture
def superuser_client(db: Any) -> Client:
    user = UserFactory(is_staff=True, is_superuser=True)
    TOTPDeviceFactory(user=user)
    return english_client(user)


def test_the_admin_shows_the_ledger_read_only(money: Any, superuser_client: Client) -> None:
    donation = confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 30_000, campaign=money.campaign
    )
    transfer = donation.transfer
    assert transfer is not None
    for model in (
        "account",
        "transfer",
        "campaign",
        "donation",
        "matchpledge",
        "statementimport",
        "vouchercodefailure",
    ):
        changelist = superuser_client.get(reverse(f"admin:funds_{model}_changelist"))
        assert changelist.status_code == 200, model
        assert superuser_client.get(reverse(f"admin:funds_{model}_add")).status_code == 403

    change = reverse("admin:funds_transfer_change", args=[transfer.pk])
    page = superuser_client.get(change)
    assert page.status_code == 200 and "30000" in page.content.decode().replace(".", "")
    assert 'name="_save"' not in page.content.decode()
    assert superuser_client.post(change, {"memo": "diubah"}).status_code == 403
    delete = reverse("admin:funds_transfer_delete", args=[transfer.pk])
    assert superuser_client.get(delete).status_code == 403
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    transfer.refresh_from_db()
    assert transfer.memo == donation.payment_reference
    assert Transfer.objects.filter(pk=transfer.pk).exists()


def test_a_treasurer_sees_no_other_kelurahans_transfer(
    money: Any, other_kelurahan: Any, make_member: Any
) -> None:
    other_operator = officer(other_kelurahan, Role.OPERATOR, make_member)
    theirs = campaign(other_operator, other_kelurahan, title="Lain")
    donation = confirmed_donation(
        officer(other_kelurahan, Role.BENDAHARA, make_member),
        officer(other_kelurahan, Role.ADMIN, make_member),
        other_kelurahan,
        10_000,
        campaign=theirs,
    )
    client = english_client(money.treasurer)

    page = client.get(bendahara_url(money) + f"buku-besar/transfer/{donation.transfer_id}/")
    assert page.status_code == 404
    reverse_ = client.post(
        bendahara_url(money) + f"buku-besar/transfer/{donation.transfer_id}/koreksi/",
        {"reason": "x"},
    )
    assert reverse_.status_code == 404
    assert Transfer.objects.filter(kind=TransferKind.REVERSAL).count() == 0
