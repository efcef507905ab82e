"""The officers' money pages under /k/<slug>/bendahara/: each page admits its roles, refuses
the others (403) and sends visitors to the login; bad input shows the error and changes
nothing (a second confirm, a statement with wrong columns, a reverse without a reason, a
reverse twice). Also the ledger API (accounts, transfers, reverse) and the read-only admin."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gotong.accounts.models import Role
from gotong.accounts.tests.clients import client_for
from gotong.accounts.tests.factories import TOTPDeviceFactory, UserFactory
from gotong.funds import services
from gotong.funds.models import (
    AccountKind,
    Campaign,
    Donation,
    MatchPledge,
    StatementImport,
    Transfer,
    TransferKind,
)
from gotong.funds.tests.factories import campaign, confirmed_donation, csr, officer, photo
from gotong.transparency.models import Evidence

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    """A logged-in client that reads the pages in English (the msgids), so the checks do
    not depend on the Indonesian catalogue."""
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _base(money: Any) -> str:
    return f"/k/{money.kelurahan.slug}/bendahara/"


def _as(role: Role, money: Any, make_member: Callable[..., Any]) -> Client:
    """A client logged in with ``role`` (officers in a TOTP-verified session)."""
    unit = money.rt if role in (Role.WARGA, Role.KETUA_RT, Role.UMKM) else money.kelurahan
    if role == Role.KETUA_RW:
        unit = money.rt.rw
    return _client(make_member(role, unit))


def _pending(money: Any, amount: int = 75_000, **fields: Any) -> Donation:
    values: dict[str, Any] = {"campaign": money.campaign}
    values.update(fields)
    return services.donation_create(
        kelurahan=money.kelurahan, donor=UserFactory(), amount=amount, **values
    )


def _recorded(money: Any, amount: int = 75_000) -> Donation:
    donation = _pending(money, amount)
    return services.donation_record(
        actor=money.treasurer,
        kelurahan=money.kelurahan,
        donation=donation,
        receipt=photo(),
        channel="bank",
    )


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --------------------------------------------------------------------------- gates

PAGES = [
    # (path below /bendahara/, a role that may open it, a role that may not)
    ("", Role.BENDAHARA, Role.WARGA),
    ("", Role.AUDITOR, Role.KETUA_RT),
    ("kampanye/", Role.OPERATOR, Role.BENDAHARA),
    ("kampanye/baru/", Role.KETUA_RW, Role.BENDAHARA),
    ("pencocokan/", Role.BENDAHARA, Role.AUDITOR),
    ("pencocokan/baru/", Role.OPERATOR, Role.KETUA_RW),
    ("donasi/catat/", Role.BENDAHARA, Role.OPERATOR),
    ("antrian/", Role.BENDAHARA, Role.LURAH),
    ("antrian/?status=pending", Role.ADMIN, Role.OPERATOR),
    ("mutasi-bank/", Role.BENDAHARA, Role.OPERATOR),
    ("buku-besar/", Role.AUDITOR, Role.WARGA),
    ("buku-besar/transfer/", Role.KOMITE_ETIKA, Role.UMKM),
]


@pytest.mark.parametrize(("path", "allowed", "refused"), PAGES)
def test_each_page_admits_its_role_refuses_others_and_asks_visitors_to_log_in(
    money: Any, make_member: Any, path: str, allowed: Role, refused: Role
) -> None:
    url = _base(money) + path

    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/masuk/")
    assert _as(allowed, money, make_member).get(url).status_code == 200
    denied = _as(refused, money, make_member).get(url)
    assert denied.status_code == 403
    assert "Not allowed" in denied.content.decode()


def test_an_officer_without_the_totp_step_has_no_treasurer_rights(money: Any) -> None:
    client = Client()
    client.force_login(money.treasurer)  # password only: no verified device in the session

    assert client.get(_base(money)).status_code == 403
    assert client.get(_base(money) + "antrian/").status_code == 403


def test_the_hub_links_only_to_what_the_role_may_open(money: Any, make_member: Any) -> None:
    treasurer = _client(money.treasurer).get(_base(money)).content.decode()
    auditor = _as(Role.AUDITOR, money, make_member).get(_base(money)).content.decode()

    assert "/bendahara/antrian/" in treasurer and "/bendahara/mutasi-bank/" in treasurer
    assert "/bendahara/buku-besar/" in treasurer and "/bendahara/pencocokan/" in treasurer
    assert "/bendahara/kampanye/" not in treasurer
    assert "/bendahara/buku-besar/" in auditor
    assert "/bendahara/antrian/" not in auditor and "/bendahara/pencocokan/" not in auditor


# --------------------------------------------------------------------------- campaigns


def _campaign_form(**fields: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data = {
        "title": "Posyandu Sehat",
        "purpose": "Makanan tambahan untuk balita di posyandu RW 01.",
        "target_amount": "5.000.000",
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=30)).isoformat(),
        "owner_kind": "kelurahan",
        "earmark_kind": "category",
        "earmark_category": "posyandu",
    }
    data.update(fields)
    return data


def test_an_operator_opens_an_earmarked_campaign_and_closes_it_once(money: Any) -> None:
    client = _client(money.operator)

    response = client.post(_base(money) + "kampanye/baru/", _campaign_form())

    created = Campaign.objects.get(title="Posyandu Sehat")
    assert response.status_code == 302
    assert response["Location"] == f"/k/{money.kelurahan.slug}/donasi/{created.pk}/"
    assert (created.target_amount, created.earmark_category) == (5_000_000, "posyandu")
    assert created.account.kind == AccountKind.EARMARK
    close = _base(money) + f"kampanye/{created.pk}/tutup/"
    assert client.post(close).status_code == 302
    again = client.post(close, follow=True)
    assert "The campaign is already closed." in _messages(again)
    created.refresh_from_db()
    assert created.status == "closed"


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"ends_on": "2020-01-01"}, "The campaign ends before it starts."),
        ({"target_amount": "lima juta"}, "The amount must be a whole number of rupiah."),
        ({"target_amount": "0"}, "The amount must be more than zero."),
        ({"earmark_category": ""}, "Choose the category of the earmark."),
        ({"owner_kind": "rw"}, "Choose the RW that owns the campaign."),
    ],
)
def test_a_bad_campaign_form_shows_the_error_and_opens_nothing(
    money: Any, fields: dict[str, Any], error: str
) -> None:
    before = Campaign.objects.count()

    response = _client(money.operator).post(
        _base(money) + "kampanye/baru/", _campaign_form(**fields)
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    assert Campaign.objects.count() == before


def test_an_rw_head_opens_campaigns_only_for_their_own_rw(
    money: Any, make_member: Any, rt_other_rw: Any
) -> None:
    head = _as(Role.KETUA_RW, money, make_member)
    url = _base(money) + "kampanye/baru/"

    for fields in ({}, {"owner_kind": "rw", "owner_rw": rt_other_rw.rw_id}):
        refused = head.post(url, _campaign_form(title="Bukan wilayahku", **fields))
        assert refused.status_code == 200
        assert "Your role does not allow this action in this area." in refused.content.decode()
    assert not Campaign.objects.filter(title="Bukan wilayahku").exists()

    own = head.post(
        url, _campaign_form(title="Kerja bakti RW 01", owner_kind="rw", owner_rw=money.rt.rw_id)
    )
    assert own.status_code == 302
    assert Campaign.objects.get(title="Kerja bakti RW 01").owner_rw_id == money.rt.rw_id


def test_a_treasurer_cannot_close_a_campaign(money: Any) -> None:
    response = _client(money.treasurer).post(_base(money) + f"kampanye/{money.campaign.pk}/tutup/")

    assert response.status_code == 403
    money.campaign.refresh_from_db()
    assert money.campaign.status == "active"


# --------------------------------------------------------------------------- pledges


def test_a_csr_matching_pledge_is_recorded_and_bad_caps_are_refused(money: Any) -> None:
    sponsor = csr(money.kelurahan)
    client = _client(money.operator)
    form = {
        "campaign": money.campaign.pk,
        "sponsor": sponsor.pk,
        "ratio_numerator": 1,
        "ratio_denominator": 1,
        "cap": "0",
    }

    refused = client.post(_base(money) + "pencocokan/baru/", form)
    fraction = client.post(_base(money) + "pencocokan/baru/", {**form, "cap": "1000,5"})
    assert refused.status_code == fraction.status_code == 200
    assert "The amount must be more than zero." in refused.content.decode()
    assert "whole number" in fraction.content.decode()
    assert MatchPledge.objects.count() == 0

    made = client.post(
        _base(money) + "pencocokan/baru/", {**form, "cap": "2.000.000", "max_donation": "100000"}
    )
    assert made.status_code == 302
    pledge = MatchPledge.objects.get()
    assert (pledge.cap, pledge.max_donation, pledge.sponsor_id) == (2_000_000, 100_000, sponsor.pk)
    listing = client.get(_base(money) + "pencocokan/").content.decode()
    assert sponsor.name in listing and "Rp 2.000.000" in listing


# --------------------------------------------------------------------------- money in


def test_the_treasurer_records_cash_with_a_receipt_photo(money: Any) -> None:
    client = _client(money.treasurer)

    response = client.post(
        _base(money) + "donasi/catat/",
        {
            "channel": "cash",
            "amount": "250.000",
            "target": "campaign",
            "campaign": money.campaign.pk,
            "public_name": "Warung Bu Sri",
            "receipt": photo(),
        },
    )

    assert response.status_code == 302 and response["Location"].endswith("/bendahara/antrian/")
    donation = Donation.objects.get()
    assert (donation.amount, donation.channel, donation.status) == (250_000, "cash", "recorded")
    assert donation.receipt_code and donation.recorded_by_id == money.treasurer.pk
    assert Transfer.objects.count() == 0  # nothing counts before it is confirmed


def test_a_double_tap_on_record_shows_the_first_donation_and_saves_nothing(money: Any) -> None:
    client = _client(money.treasurer)
    form = {
        "channel": "cash",
        "amount": "250.000",
        "target": "aid_fund",
        "public_name": "Warung Bu Sri",
    }
    first = client.post(_base(money) + "donasi/catat/", {**form, "receipt": photo(serial=7)})
    assert first.status_code == 302
    donation = Donation.objects.get()

    again = client.post(_base(money) + "donasi/catat/", {**form, "receipt": photo(serial=7)})

    assert again.status_code == 200
    assert (
        f"This receipt photo was already used for donation {donation.payment_reference}."
        in again.content.decode()
    )
    assert Donation.objects.count() == 1 and Evidence.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"receipt": None}, "This field is required."),
        ({"amount": "0"}, "The amount must be more than zero."),
        ({"amount": "100,5"}, "The amount must be a whole number of rupiah."),
        ({"amount": "-5000"}, "The amount must be a whole number of rupiah."),
        ({"campaign": ""}, "Choose the campaign."),
    ],
)
def test_a_bad_record_shows_the_error_and_records_nothing(
    money: Any, fields: dict[str, Any], error: str
) -> None:
    data: dict[str, Any] = {
        "channel": "bank",
        "amount": "100000",
        "target": "campaign",
        "campaign": money.campaign.pk,
        "receipt": photo(),
    }
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}

    response = _client(money.treasurer).post(_base(money) + "donasi/catat/", data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert Donation.objects.count() == 0 and Evidence.objects.count() == 0


def test_recording_a_pending_donation_by_its_reference_checks_the_amount(money: Any) -> None:
    donation = _pending(money, 80_000)
    client = _client(money.treasurer)
    url = _base(money) + "donasi/catat/"
    base = {"reference": donation.payment_reference, "channel": "bank", "target": "aid_fund"}

    assert client.get(f"{url}?ref={donation.payment_reference}").status_code == 200
    wrong = client.post(url, {**base, "amount": "70000", "receipt": photo()})
    unknown = client.post(url, {**base, "reference": "GR-ZZZZZZ", "receipt": photo()})
    assert "The amount received differs from the donation (Rp 80.000)." in wrong.content.decode()
    assert "No donation with this reference in this kelurahan." in unknown.content.decode()
    donation.refresh_from_db()
    assert donation.status == "pending" and Evidence.objects.count() == 0

    assert client.post(url, {**base, "amount": "80.000", "receipt": photo()}).status_code == 302
    donation.refresh_from_db()
    assert donation.status == "recorded" and donation.channel == "bank"


def test_a_second_officer_confirms_once_and_a_second_confirm_changes_nothing(
    money: Any,
) -> None:
    donation = _recorded(money, 120_000)
    url = _base(money) + f"donasi/{donation.pk}/konfirmasi/"

    own = _client(money.treasurer).post(url, {"status": "recorded"}, follow=True)
    assert "Another officer must confirm what you recorded yourself." in _messages(own)
    assert Transfer.objects.count() == 0

    admin = _client(money.admin)
    first = admin.post(url, {"status": "recorded", "page": "1"})
    assert first.status_code == 302 and "status=recorded" in first["Location"]
    second = admin.post(url, {"status": "recorded"}, follow=True)
    assert "This donation was already confirmed." in _messages(second)
    donation.refresh_from_db()
    assert donation.status == "confirmed"
    assert Transfer.objects.filter(kind=TransferKind.DONATION).count() == 1
    assert donation.transfer is not None and donation.transfer.amount == 120_000


def test_the_queue_pages_and_hides_the_button_from_the_recorder(money: Any) -> None:
    for _ in range(31):
        _pending(money, 10_000)
    mine = _recorded(money)
    admin, treasurer = _client(money.admin), _client(money.treasurer)
    url = _base(money) + "antrian/"

    first = admin.get(url + "?status=pending").content.decode()
    second = admin.get(url + "?status=pending&page=2").content.decode()
    assert first.count("Cancel (never paid)") == 30 and second.count("Cancel (never paid)") == 1
    assert "Page 1 of 2" in first and "status=pending&amp;page=2" in first
    assert f"donasi/{mine.pk}/konfirmasi/" in admin.get(url).content.decode()
    own = treasurer.get(url).content.decode()
    assert f"donasi/{mine.pk}/konfirmasi/" not in own
    assert "You recorded this one: another officer confirms it." in own


def test_cancelling_a_pending_donation_works_once(money: Any) -> None:
    donation = _pending(money)
    recorded = _recorded(money)
    client = _client(money.treasurer)

    assert client.post(_base(money) + f"donasi/{donation.pk}/batal/").status_code == 302
    again = client.post(_base(money) + f"donasi/{donation.pk}/batal/", follow=True)
    late = client.post(_base(money) + f"donasi/{recorded.pk}/batal/", follow=True)
    msg = "Only a donation still waiting for payment can be cancelled."
    assert msg in _messages(again) and msg in _messages(late)
    donation.refresh_from_db()
    recorded.refresh_from_db()
    assert (donation.status, recorded.status) == ("cancelled", "recorded")


def test_an_operator_cannot_confirm_and_visitors_are_sent_to_log_in(money: Any) -> None:
    donation = _recorded(money)
    url = _base(money) + f"donasi/{donation.pk}/konfirmasi/"

    assert _client(money.operator).post(url).status_code == 403
    visitor = Client().post(url)
    assert visitor.status_code == 302 and visitor["Location"].startswith("/masuk/")
    donation.refresh_from_db()
    assert donation.status == "recorded"


# --------------------------------------------------------------------------- statements


def _csv(*rows: str, header: str = "tanggal;keterangan;jumlah") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = "\n".join([header, *rows]).encode()
    return SimpleUploadedFile("mutasi.csv", body, content_type="text/csv")


def test_a_statement_matches_a_pending_donation_and_lists_the_rest(money: Any) -> None:
    donation = _pending(money, 150_000)
    client = _client(money.treasurer)
    today = timezone.localdate().isoformat()
    upload = _csv(
        f"{today};TRF {donation.payment_reference} DARI BUDI;150.000",
        f"{today};SETORAN TANPA BERITA;99.000",
    )

    response = client.post(_base(money) + "mutasi-bank/", {"file": upload})

    statement = StatementImport.objects.get()
    assert response["Location"].endswith(f"/bendahara/mutasi-bank/{statement.pk}/")
    page = client.get(response["Location"]).content.decode()
    assert donation.payment_reference in page and "SETORAN TANPA BERITA" in page
    assert "Rp 99.000" in page
    donation.refresh_from_db()
    assert donation.status == "recorded" and Transfer.objects.count() == 0
    assert "mutasi.csv" in client.get(_base(money) + "mutasi-bank/").content.decode()

    again = client.post(
        _base(money) + "mutasi-bank/",
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
    donation = _pending(money)

    response = _client(money.treasurer).post(
        _base(money) + "mutasi-bank/", {"file": upload(donation.payment_reference)}
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
    other = _client(officer(other_kelurahan, Role.BENDAHARA, make_member))

    url = f"/k/{other_kelurahan.slug}/bendahara/mutasi-bank/{statement.pk}/"
    assert other.get(url).status_code == 404
    own = _client(money.treasurer).get(_base(money) + f"mutasi-bank/{statement.pk}/")
    assert own.status_code == 200


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
    auditor = _as(Role.AUDITOR, money, make_member)

    ledger = auditor.get(_base(money) + "buku-besar/").content.decode()
    assert "Ledger reconciled" in ledger and "Rp 250.000" in ledger and "Rp 200.000" in ledger
    first = auditor.get(_base(money) + "buku-besar/transfer/").content.decode()
    second = auditor.get(_base(money) + "buku-besar/transfer/?page=2").content.decode()
    assert first.count("<strong>T-") == 50 and second.count("<strong>T-") == 1
    assert f"T-{donation.transfer_id}</strong>" in second
    campaign_only = auditor.get(
        _base(money) + f"buku-besar/transfer/?akun={money.campaign.account_id}"
    ).content.decode()
    assert campaign_only.count("<strong>T-") == 1
    donations = auditor.get(_base(money) + "buku-besar/transfer/?jenis=donation").content.decode()
    assert donations.count("<strong>T-") == 1
    detail = auditor.get(_base(money) + f"buku-besar/transfer/{donation.transfer_id}/")
    assert detail.status_code == 200
    assert "Rp 250.000" in detail.content.decode()
    assert "Reason for the correction" not in detail.content.decode()  # auditors only look


def test_a_reverse_needs_a_reason_happens_once_and_keeps_the_reason(money: Any) -> None:
    donation = confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 40_000, campaign=money.campaign
    )
    client = _client(money.treasurer)
    url = _base(money) + f"buku-besar/transfer/{donation.transfer_id}/koreksi/"
    page = client.get(_base(money) + f"buku-besar/transfer/{donation.transfer_id}/")
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
    url = _base(money) + f"buku-besar/transfer/{donation.transfer_id}/koreksi/"

    assert _client(money.operator).post(url, {"reason": "salah"}).status_code == 403
    assert Transfer.objects.filter(kind=TransferKind.REVERSAL).count() == 0
    _client(money.treasurer).post(url, {"reason": "salah"})
    mirror = Transfer.objects.get(kind=TransferKind.REVERSAL)
    back = _client(money.treasurer).post(
        _base(money) + f"buku-besar/transfer/{mirror.pk}/koreksi/", {"reason": "balik"}
    )
    assert "corrected by its own step" in back.content.decode()
    assert Transfer.objects.filter(kind=TransferKind.REVERSAL).count() == 1


# --------------------------------------------------------------------------- API


def test_the_ledger_api_lists_accounts_and_transfers(money: Any, make_member: Any) -> None:
    donation = confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 60_000, campaign=money.campaign
    )
    api = f"/api/v1/k/{money.kelurahan.slug}/funds"
    auditor = _as(Role.AUDITOR, money, make_member)

    accounts = auditor.get(f"{api}/accounts").json()
    assert {a["code"]: a["balance"] for a in accounts}["bank"] == 60_000
    listing = auditor.get(f"{api}/transfers?kind=donation&limit=10").json()
    assert [t["id"] for t in listing] == [donation.transfer_id]
    assert sorted(p["amount"] for p in listing[0]["postings"]) == [-60_000, 60_000]
    assert auditor.get(f"{api}/transfers?offset=1").json() == []
    detail = auditor.get(f"{api}/transfers/{donation.transfer_id}").json()
    assert detail["kind"] == "donation" and detail["reversed_by_id"] is None
    assert _as(Role.WARGA, money, make_member).get(f"{api}/transfers").status_code == 403
    assert Client().get(f"{api}/accounts").status_code == 401


def test_the_reverse_api_replays_a_key_and_refuses_a_second_reverse(
    money: Any, other_kelurahan: Any, make_member: Any
) -> None:
    donation = confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 60_000, campaign=money.campaign
    )
    url = f"/api/v1/k/{money.kelurahan.slug}/funds/transfers/{donation.transfer_id}/reverse"
    treasurer = _client(money.treasurer)

    def post(client: Client, body: dict[str, Any], key: str = "") -> Any:
        headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
        return client.post(url, body, content_type="application/json", **headers)

    assert post(treasurer, {}).status_code == 422
    assert post(treasurer, {"reason": "  "}).status_code == 422
    assert post(_client(money.operator), {"reason": "salah"}).status_code == 403
    other = _client(officer(other_kelurahan, Role.BENDAHARA, make_member))
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
    return _client(user)


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
    client = _client(money.treasurer)

    page = client.get(_base(money) + f"buku-besar/transfer/{donation.transfer_id}/")
    assert page.status_code == 404
    reverse_ = client.post(
        _base(money) + f"buku-besar/transfer/{donation.transfer_id}/koreksi/", {"reason": "x"}
    )
    assert reverse_.status_code == 404
    assert Transfer.objects.filter(kind=TransferKind.REVERSAL).count() == 0
