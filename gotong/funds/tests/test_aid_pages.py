"""Aid-out pages (``/k/<slug>/bendahara/...``): each page for its roles and 403 for the
others; vouchers to a household go out by message, anonymous ones print once for the RT
head; separation of duties seen through the pages (nobody approves their own request,
no second approval by the same officer, a bank account needs a second officer), with
nothing changed on a refusal; goods in, counted, out to an activity; call-backs; and
typed voucher codes rate-limited per UMKM and per IP address."""

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from gotong.accounts.models import Role
from gotong.accounts.tests.clients import client_for
from gotong.accounts.tests.factories import UserFactory
from gotong.funds import services
from gotong.funds.models import (
    Approval,
    Callback,
    Disbursement,
    GoodsItem,
    PayoutAccount,
    Transfer,
    Voucher,
)
from gotong.funds.services import voucher_codes
from gotong.funds.tests.factories import confirmed_donation, photo, umkm
from gotong.registry.models import ConsentPurpose, DataAccess, Household
from gotong.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def login() -> Callable[[Any], Client]:
    """Clients as in the root fixture, reading pages in English (the source language), so
    the checks hold once the Indonesian catalogue translates the new messages."""

    def make(user: Any) -> Client:
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


CODE_RE = re.compile(r"\b[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}\b")

LEDGER_PAGES = [
    "voucher/",
    "voucher/?status=active",
    "umkm/",
    "barang/",
    "barang/mutasi/",
    "barang/selisih/",
    "rekening/",
    "pencairan/",
    "pencairan/?status=paid",
]
OPERATE_PAGES = ["voucher/terbitkan/", "rekening/usul/", "pencairan/ajukan/", "telepon-balik/"]


def _url(money: Any, path: str) -> str:
    return f"/k/{money.kelurahan.slug}/bendahara/{path}"


def _funded(money: Any, amount: int = 600_000) -> None:
    confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, amount, campaign=money.campaign
    )


def _household(rt: Any, consents: tuple[str, ...], phone: str = "+6281355550001") -> Any:
    household = Household.objects.create(kelurahan=rt.kelurahan, rt=rt, size=3)
    head = PersonFactory(rt=rt, household=household, phone=phone, consents=list(consents))
    household.head = head  # type: ignore[assignment]
    household.save(update_fields=["head"])
    return household, head


def _outbox(phone: str) -> list[str]:
    path = Path(settings.GOTONG_NOTIFICATION_FILE_DIR) / f"{phone.lstrip('+')}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line)["body"] for line in path.read_text(encoding="utf-8").splitlines()]


def _issue_form(money: Any, **fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "source": money.campaign.account.pk,
        "category": "sembako",
        "value": 150_000,
        "count": 1,
        "recipient": "rt",
        "rt": money.rt.pk,
        "valid_days": 30,
        "idempotency_key": "issue-1",
    }
    values.update(fields)
    return values


def _text(response: Any) -> str:
    return response.content.decode()


# --------------------------------------------------------------------------- roles


def test_each_page_opens_for_its_roles_and_refuses_the_others(
    money: Any, login: Any, make_member: Any, client: Client
) -> None:
    auditor = make_member(Role.AUDITOR, money.kelurahan)
    rt_head = make_member(Role.KETUA_RT, money.rt)
    outsiders = [login(UserFactory()), login(rt_head), login(money.seller)]
    for path in LEDGER_PAGES:
        for officer in (money.operator, money.treasurer, money.lurah, auditor):
            assert login(officer).get(_url(money, path)).status_code == 200, path
        for outsider in outsiders:
            assert outsider.get(_url(money, path)).status_code == 403, path
    for path in OPERATE_PAGES:
        for officer in (money.operator, money.treasurer, money.admin):
            assert login(officer).get(_url(money, path)).status_code == 200, path
        for refused in (money.lurah, auditor, rt_head, money.seller):
            assert login(refused).get(_url(money, path)).status_code == 403, path
    assert login(money.treasurer).get(_url(money, "barang/masuk/")).status_code == 200
    assert login(money.operator).get(_url(money, "barang/masuk/")).status_code == 403
    anonymous = client.get(_url(money, "voucher/"))
    assert anonymous.status_code == 302 and "/masuk/" in anonymous["Location"]
    # The treasurer's hub links to every aid-out page.
    hub = _text(login(money.treasurer).get(f"/k/{money.kelurahan.slug}/bendahara/"))
    for path in ("voucher/", "umkm/", "barang/", "rekening/", "pencairan/", "telepon-balik/"):
        assert _url(money, path) in hub


# --------------------------------------------------------------------------- vouchers


def test_a_household_voucher_is_sent_by_message_with_its_qr_card(
    money: Any, login: Any, client: Client
) -> None:
    _funded(money)
    household, head = _household(money.rt, (ConsentPurpose.AID, ConsentPurpose.NOTIFICATIONS))
    operator = login(money.operator)
    form = _issue_form(money, recipient="household", household=household.pk, rt="")
    response = operator.post(_url(money, "voucher/terbitkan/"), form)

    assert response.status_code == 302, _text(response)
    voucher = Voucher.objects.get()
    assert voucher.household_id == household.pk and voucher.rt_id == money.rt.pk
    [body] = _outbox(head.phone)
    code = CODE_RE.search(body).group(0)
    assert services.voucher_code_hash(code) == voucher.code_hash
    assert "Rp 150.000" in body
    link = re.search(r"https?://\S+", body).group(0)
    assert "/voucher/kartu/?kode=" in link
    parts = urlsplit(link)
    card = client.get(f"{parts.path}?{parts.query}")
    assert card.status_code == 200 and code in _text(card) and "<svg" in _text(card)
    assert card["Cache-Control"] == "no-store"
    forged = client.get(f"{parts.path}?kode={code}:not-a-signature")
    assert forged.status_code == 404
    # Officers' pages never show the code, only its last characters.
    listing = _text(operator.get(_url(money, "voucher/")))
    assert code not in listing and f"…{voucher.code_hint}" in listing


def test_a_household_nobody_can_receive_a_message_for_is_refused_and_nothing_is_issued(
    money: Any, login: Any
) -> None:
    _funded(money)
    household, head = _household(money.rt, (ConsentPurpose.AID,))
    form = _issue_form(money, recipient="household", household=household.pk, rt="")
    response = login(money.operator).post(_url(money, "voucher/terbitkan/"), form)

    assert response.status_code == 422
    assert "Issue it anonymously through the RT instead" in _text(response)
    assert Voucher.objects.count() == 0
    assert not Transfer.objects.filter(kind="voucher_issue").exists()
    assert _outbox(head.phone) == []


def test_anonymous_vouchers_print_once_for_the_rt_head_who_is_told_how_many(
    money: Any, login: Any, make_member: Any
) -> None:
    _funded(money)
    rt_head = make_member(Role.KETUA_RT, money.rt)
    operator = login(money.operator)
    form = _issue_form(money, count=3, value=50_000, idempotency_key="sheet-1")
    sheet = operator.post(_url(money, "voucher/terbitkan/"), form)

    assert sheet.status_code == 200 and sheet["Cache-Control"] == "no-store"
    codes = set(CODE_RE.findall(_text(sheet)))
    assert len(codes) == 3
    assert {services.voucher_code_hash(c) for c in codes} == set(
        Voucher.objects.values_list("code_hash", flat=True)
    )
    assert _text(sheet).count("<svg") == 3
    [notice] = _outbox(rt_head.phone)
    assert "3 anonymous" in notice and not CODE_RE.search(notice)
    # Reloading the sheet replays the same request: refused, the codes are not shown again.
    again = operator.post(_url(money, "voucher/terbitkan/"), form)
    assert again.status_code == 409 and not CODE_RE.search(_text(again))
    assert Voucher.objects.count() == 3


def test_bad_voucher_input_is_refused_with_a_clear_message(money: Any, login: Any) -> None:
    operator = login(money.operator)
    no_money = operator.post(_url(money, "voucher/terbitkan/"), _issue_form(money))
    assert no_money.status_code == 422 and "Not enough balance" in _text(no_money)
    no_rt = operator.post(_url(money, "voucher/terbitkan/"), _issue_form(money, rt=""))
    assert no_rt.status_code == 200 and "Choose the RT." in _text(no_rt)
    assert Voucher.objects.count() == 0


# --------------------------------------------------------------------------- settlement


def test_a_umkm_is_settled_from_the_merchant_list_with_two_other_officers(
    money: Any, login: Any
) -> None:
    _funded(money)
    operator = login(money.operator)
    sheet = operator.post(_url(money, "voucher/terbitkan/"), _issue_form(money))
    [code] = set(CODE_RE.findall(_text(sheet)))
    seller = login(money.seller)
    redeemed = seller.post(f"/k/{money.kelurahan.slug}/voucher/tukar/", {"code": code})
    assert redeemed.status_code == 302

    merchants = _text(operator.get(_url(money, "umkm/")))
    settle = _url(money, f"umkm/{money.merchant.pk}/pelunasan/")
    assert settle in merchants and "Rp 150.000" in merchants
    assert "Rp 150.000" in _text(operator.get(settle))
    response = operator.post(
        settle, {"amount": 150_000, "purpose": "Pelunasan voucher", "category": "sembako"}
    )
    assert response.status_code == 302
    payment = Disbursement.objects.get()
    assert payment.kind == "settlement" and payment.merchant_id == money.merchant.pk
    page = _url(money, f"pencairan/{payment.pk}/")
    assert response["Location"] == page

    own = operator.post(page, {"action": "approve"})
    assert own.status_code == 403 and "Nobody approves their own request." in _text(own)
    assert not Approval.objects.exists()

    lurah = login(money.lurah)
    assert lurah.post(page, {"action": "approve"}).status_code == 302
    twice = lurah.post(page, {"action": "approve"})
    assert twice.status_code == 403
    assert "The second approval must come from a different officer." in _text(twice)
    assert Approval.objects.count() == 1
    payment.refresh_from_db()
    assert payment.status == "requested"

    not_yet = login(money.treasurer).post(
        page, {"action": "pay", "idempotency_key": "p0", "proof": photo()}
    )
    assert not_yet.status_code == 422 and "A payment needs two approvals first." in _text(not_yet)
    not_treasurer = lurah.post(page, {"action": "pay"})
    assert not_treasurer.status_code == 403

    assert login(money.admin).post(page, {"action": "approve"}).status_code == 302
    payment.refresh_from_db()
    assert payment.status == "approved"
    treasurer = login(money.treasurer)
    no_proof = treasurer.post(page, {"action": "pay", "idempotency_key": "p1"})
    assert no_proof.status_code == 422
    paid = treasurer.post(page, {"action": "pay", "idempotency_key": "p1", "proof": photo()})
    assert paid.status_code == 302
    payment.refresh_from_db()
    money.merchant.account.refresh_from_db()
    assert payment.status == "paid" and payment.receipt_code
    assert money.merchant.account.balance == 0
    listing = _text(treasurer.get(_url(money, "pencairan/?status=paid")))
    assert f"P-{payment.pk}" in listing


def test_a_payment_is_rejected_with_a_reason_and_bad_requests_change_nothing(
    money: Any, login: Any
) -> None:
    _funded(money)
    [(_voucher, code)] = services.voucher_issue(
        actor=money.operator,
        source=money.campaign.account,
        category="sembako",
        value=80_000,
        count=1,
        rt=money.rt,
    )
    services.voucher_redeem(actor=money.seller, kelurahan=money.kelurahan, code=code)
    operator = login(money.operator)
    too_much = operator.post(
        _url(money, f"umkm/{money.merchant.pk}/pelunasan/"),
        {"amount": 90_000, "purpose": "Pelunasan", "category": "sembako"},
    )
    assert too_much.status_code == 422 and "The UMKM is owed only Rp 80.000." in _text(too_much)
    supplier = operator.post(
        _url(money, "pencairan/ajukan/"),
        {
            "kind": "supplier",
            "source": money.campaign.account.pk,
            "amount": 10_000,
            "purpose": "Sewa tenda",
            "category": "sembako",
        },
    )
    assert supplier.status_code == 422
    assert "A supplier payment names the supplier and the activity." in _text(supplier)
    assert not Disbursement.objects.exists()

    payment = services.disbursement_request(
        actor=money.operator,
        kelurahan=money.kelurahan,
        kind="settlement",
        amount=80_000,
        purpose="Pelunasan",
        category="sembako",
        merchant=money.merchant,
    )
    page = _url(money, f"pencairan/{payment.pk}/")
    lurah = login(money.lurah)
    no_reason = lurah.post(page, {"action": "reject", "reason": ""})
    assert no_reason.status_code == 422
    payment.refresh_from_db()
    assert payment.status == "requested"
    assert login(money.treasurer).get(page).status_code == 200
    assert lurah.post(page, {"action": "reject", "reason": "Nota belum ada"}).status_code == 302
    payment.refresh_from_db()
    assert payment.status == "rejected"
    rejected = _text(lurah.get(_url(money, "pencairan/?status=rejected")))
    assert f"P-{payment.pk}" in rejected


# --------------------------------------------------------------------------- payout accounts


def test_a_bank_account_needs_a_second_officer_and_shows_masked(money: Any, login: Any) -> None:
    person = PersonFactory(rt=money.rt)
    operator = login(money.operator)
    proposed = operator.post(
        _url(money, "rekening/usul/"),
        {"person": person.pk, "bank_name": "BRI", "account_number": "0123 4567 8901"},
    )
    assert proposed.status_code == 302
    payout = PayoutAccount.objects.get()
    assert payout.status == "pending" and payout.account_last4 == "8901"

    decide = _url(money, f"rekening/{payout.pk}/putuskan/")
    own = operator.post(decide, {"decision": "approve"})
    assert own.status_code == 403 and "A bank account change needs a second officer." in _text(own)
    payout.refresh_from_db()
    assert payout.status == "pending"

    assert login(money.lurah).post(decide, {"decision": "approve"}).status_code == 302
    payout.refresh_from_db()
    assert payout.status == "active" and payout.approved_by_id == money.lurah.pk
    page = _text(login(money.treasurer).get(_url(money, "rekening/")))
    assert "…8901" in page and "012345678901" not in page and "4567" not in page
    form = _text(operator.get(_url(money, "pencairan/ajukan/")))
    assert "…8901" in form and "012345678901" not in form


def test_a_bad_bank_account_is_refused_and_not_echoed(money: Any, login: Any) -> None:
    person = PersonFactory(rt=money.rt)
    response = login(money.operator).post(
        _url(money, "rekening/usul/"),
        {"person": person.pk, "bank_name": "BRI", "account_number": "12ab98765"},
    )
    assert response.status_code == 422
    assert "12ab98765" not in _text(response)
    assert not PayoutAccount.objects.exists()


# --------------------------------------------------------------------------- goods


def test_goods_received_counted_and_handed_out_through_the_pages(money: Any, login: Any) -> None:
    from gotong.activities.models import Activity
    from gotong.transparency.services import evidence_upload

    treasurer = login(money.treasurer)
    recorded = treasurer.post(
        _url(money, "barang/masuk/"),
        {
            "goods_name": "Beras 5 kg",
            "goods_unit": "karung",
            "goods_quantity": 10,
            "goods_category": "sembako",
            "amount": 600_000,
            "goods_expires_on": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
            "target": str(money.campaign.pk),
            "receipt": photo(),
        },
    )
    assert recorded.status_code == 302, _text(recorded)
    operator = login(money.operator)
    assert "Beras 5 kg" in _text(operator.get(_url(money, "barang/")))  # waiting
    from gotong.funds.models import Donation

    services.donation_confirm(actor=money.admin, donation=Donation.objects.get(kind="in_kind"))
    item = GoodsItem.objects.get()

    count = operator.post(_url(money, f"barang/{item.pk}/hitung/"), {"counted": 9, "note": "1"})
    assert count.status_code == 302
    differences = _text(operator.get(_url(money, "barang/selisih/")))
    assert "Beras 5 kg" in differences and "-1" in differences

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
    issue = _url(money, f"barang/{item.pk}/keluar/")
    assert f"#{activity.pk}" in _text(operator.get(issue))
    no_photo = operator.post(issue, {"quantity": 4, "activity": activity.pk})
    assert no_photo.status_code == 422
    assert "The activity needs a photo as evidence first." in _text(no_photo)
    item.refresh_from_db()
    assert item.quantity == 9
    evidence_upload(
        kelurahan=money.kelurahan,
        uploader=money.operator,
        subject=f"activity:{activity.pk}",
        upload=photo(),
    )
    too_many = operator.post(issue, {"quantity": 40, "activity": activity.pk})
    assert too_many.status_code == 422
    assert operator.post(issue, {"quantity": 4, "activity": activity.pk}).status_code == 302
    item.refresh_from_db()
    assert item.quantity == 5
    movements = _text(operator.get(_url(money, "barang/mutasi/")))
    assert f"/kegiatan/{activity.pk}/" in movements
    lurah = login(money.lurah)
    assert lurah.post(issue, {"quantity": 1, "activity": activity.pk}).status_code == 403
    item.refresh_from_db()
    assert item.quantity == 5


# --------------------------------------------------------------------------- call-backs


def test_the_operator_calls_back_a_random_sample(money: Any, login: Any) -> None:
    _funded(money)
    household, head = _household(money.rt, (ConsentPurpose.AID, ConsentPurpose.NOTIFICATIONS))
    services.voucher_issue(
        actor=money.operator,
        source=money.campaign.account,
        category="sembako",
        value=50_000,
        count=1,
        rt=money.rt,
        household=household,
    )
    operator = login(money.operator)
    page = _url(money, "telepon-balik/")
    assert "Draw this month" in _text(operator.get(page))
    cycle = timezone.localdate().strftime("%Y-%m")
    assert operator.post(page, {"action": "sample", "cycle": cycle}).status_code == 302
    callback = Callback.objects.get()
    shown = _text(operator.get(f"{page}?bulan={cycle}"))
    assert head.full_name in shown and head.phone in shown
    assert DataAccess.objects.filter(person=head, accessor=money.operator).exists()
    bad = operator.post(page, {"callback": callback.pk, "status": "open", "cycle": cycle})
    assert bad.status_code == 422
    done = operator.post(page, {"callback": callback.pk, "status": "confirmed", "cycle": cycle})
    assert done.status_code == 302
    callback.refresh_from_db()
    assert callback.status == "confirmed" and callback.handled_by_id == money.operator.pk


# --------------------------------------------------------------------------- rate limit


def test_wrong_voucher_codes_are_limited_per_umkm_across_requests(money: Any, login: Any) -> None:
    from gotong.funds.models import VoucherCodeFailure

    _funded(money)
    [(_voucher, code)] = services.voucher_issue(
        actor=money.operator,
        source=money.campaign.account,
        category="sembako",
        value=100_000,
        count=1,
        rt=money.rt,
    )
    seller = login(money.seller)
    page = f"/k/{money.kelurahan.slug}/voucher/tukar/"
    for n in range(services.VOUCHER_WRONG_CODES_PER_UMKM_PER_HOUR):
        wrong = seller.post(page, {"code": f"AAAA-BBBB-{n:04d}"})
        assert wrong.status_code == 404, n
    limited = seller.post(page, {"code": code})  # even the right code waits now
    assert limited.status_code == 429
    assert "Too many wrong voucher codes were entered for your UMKM" in _text(limited)
    api = seller.post(
        f"/api/v1/k/{money.kelurahan.slug}/funds/vouchers/redeem",
        {"code": code},
        content_type="application/json",
    )
    assert api.status_code == 429 and api.json()["extra"]["scope"] == "umkm"
    assert not Voucher.objects.filter(status="redeemed").exists()
    # The count lives in the database; an hour later the UMKM may try again.
    assert VoucherCodeFailure.objects.filter(merchant=money.merchant).count() == 10
    VoucherCodeFailure.objects.update(at=timezone.now() - dt.timedelta(minutes=61))
    assert seller.post(page, {"code": code}).status_code == 302
    assert Voucher.objects.filter(status="redeemed").count() == 1


def test_wrong_voucher_codes_are_limited_per_ip_address(
    money: Any, login: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(voucher_codes, "VOUCHER_WRONG_CODES_PER_IP_PER_HOUR", 12)
    other_merchant, other_seller = umkm(money.rt, operator=money.operator)
    page = f"/k/{money.kelurahan.slug}/voucher/tukar/"
    first, second = login(money.seller), login(other_seller)
    for n in range(10):
        assert first.post(page, {"code": f"AAAA-CCCC-{n:04d}"}).status_code == 404
    for n in range(2):
        assert second.post(page, {"code": f"AAAA-DDDD-{n:04d}"}).status_code == 404
    limited = second.post(page, {"code": "AAAA-DDDD-0003"})
    assert limited.status_code == 429
    assert "from this network" in _text(limited)
    elsewhere = login(other_seller)
    elsewhere.defaults["REMOTE_ADDR"] = "10.1.2.3"
    assert elsewhere.post(page, {"code": "AAAA-DDDD-0004"}).status_code == 404
