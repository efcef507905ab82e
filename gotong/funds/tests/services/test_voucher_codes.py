"""Wrong voucher codes are counted in ``VoucherCodeFailure`` rows: the count is read from
the database (another worker's failures count), old rows are deleted by the daily
command, and the buyer's guard at market ordering limits per buyer and per IP address,
counting only codes that match no voucher."""

import datetime as dt
import threading
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections, transaction
from django.utils import timezone

from gotong.accounts.tests.factories import UserFactory
from gotong.core.exceptions import Conflict, NotFound, RateLimited, ValidationFailed
from gotong.funds import services
from gotong.funds.models import VoucherCodeFailure
from gotong.funds.services import voucher_codes
from gotong.funds.tests.factories import confirmed_donation

BUYER_IP = "203.0.113.7"


def _wrong_redeem(money: Any, n: int, ip: str = BUYER_IP) -> None:
    with pytest.raises(NotFound):
        services.voucher_redeem(
            actor=money.seller, kelurahan=money.kelurahan, code=f"AAAA-BBBB-{n:04d}", ip=ip
        )


def _market_pay(money: Any, buyer: Any, code: str, ip: str = BUYER_IP) -> Any:
    """A buyer's voucher at ordering, tried in the order's own (rolled back) transaction."""
    with services.voucher_code_guard(kelurahan=money.kelurahan, user=buyer, ip=ip):
        with transaction.atomic():
            return services.voucher_market_pay(
                actor=buyer,
                kelurahan=money.kelurahan,
                code=code,
                items=[("Beras 5 kg", "sembako")],
                amount_max=200_000,
                market_order_id=1,
            )


def _voucher(money: Any, value: int = 100_000) -> str:
    confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 300_000, campaign=money.campaign
    )
    [(_v, code)] = services.voucher_issue(
        actor=money.operator,
        source=money.campaign.account,
        category="sembako",
        value=value,
        count=1,
        rt=money.rt,
    )
    return code


# --------------------------------------------------------------------------- UMKM


@pytest.mark.django_db(transaction=True)
def test_wrong_codes_of_another_worker_count_because_the_count_is_in_the_database(
    ledger_tables_flushable: Any, money: Any
) -> None:
    """Another thread (its own database connection, as another process or worker) types
    the wrong codes and commits; this one is refused: no count lives in memory."""
    errors: list[BaseException] = []

    def other_worker() -> None:
        try:
            for n in range(services.VOUCHER_WRONG_CODES_PER_UMKM_PER_HOUR):
                _wrong_redeem(money, n)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    worker = threading.Thread(target=other_worker)
    worker.start()
    worker.join()
    assert errors == []
    assert VoucherCodeFailure.objects.filter(merchant=money.merchant).count() == 10
    with pytest.raises(RateLimited) as refused:
        services.voucher_redeem(
            actor=money.seller, kelurahan=money.kelurahan, code="AAAA-CCCC-0001", ip="10.9.9.9"
        )
    assert refused.value.extra == {"reason": "wrong_codes", "scope": "umkm"}


@pytest.mark.django_db
def test_a_wrong_code_row_names_the_umkm_and_address_never_the_code(money: Any) -> None:
    _wrong_redeem(money, 1, ip=" 2001:db8::1 ")
    _wrong_redeem(money, 2, ip="not-an-address")
    rows = list(VoucherCodeFailure.objects.order_by("pk").values("merchant", "user", "ip"))
    assert rows == [
        {"merchant": money.merchant.pk, "user": None, "ip": "2001:db8::1"},
        {"merchant": money.merchant.pk, "user": None, "ip": None},
    ]


@pytest.mark.django_db
def test_a_used_or_expired_voucher_is_not_a_wrong_code(money: Any) -> None:
    code = _voucher(money)
    services.voucher_redeem(actor=money.seller, kelurahan=money.kelurahan, code=code, ip=BUYER_IP)
    with pytest.raises(Conflict):
        services.voucher_redeem(
            actor=money.seller, kelurahan=money.kelurahan, code=code, ip=BUYER_IP
        )
    assert not VoucherCodeFailure.objects.exists()


@pytest.mark.django_db
def test_funds_daily_deletes_wrong_codes_older_than_a_day(money: Any) -> None:
    now = timezone.now()
    for hours in (25, 23, 0):
        VoucherCodeFailure.objects.create(
            kelurahan=money.kelurahan,
            merchant=money.merchant,
            ip=BUYER_IP,
            at=now - dt.timedelta(hours=hours),
        )
    out = StringIO()
    call_command("funds_daily", stdout=out)
    assert "wrong voucher codes deleted: 1" in out.getvalue()
    kept = sorted(round((now - at).total_seconds() / 3600) for at in _ats())
    assert kept == [0, 23]
    assert services.voucher_code_failures_prune(now=now + dt.timedelta(hours=2)) == 1
    assert services.voucher_code_failures_prune() == 0


def _ats() -> list[dt.datetime]:
    return list(VoucherCodeFailure.objects.values_list("at", flat=True))


# --------------------------------------------------------------------------- buyer


@pytest.mark.django_db
def test_a_buyer_is_limited_after_ten_wrong_codes_and_the_count_survives_the_rollback(
    money: Any,
) -> None:
    code = _voucher(money)
    buyer: Any = UserFactory()
    for n in range(services.VOUCHER_WRONG_CODES_PER_BUYER_PER_HOUR):
        with pytest.raises(NotFound):
            _market_pay(money, buyer, f"AAAA-DDDD-{n:04d}", ip=f"10.0.0.{n}")
    assert VoucherCodeFailure.objects.filter(user=buyer, merchant=None).count() == 10
    with pytest.raises(RateLimited) as refused:  # even the right code waits now
        _market_pay(money, buyer, code, ip="10.0.1.1")
    assert refused.value.extra["scope"] == "buyer"
    assert "from your account" in str(refused.value.message)
    assert services.voucher_code_failures_prune() == 0
    VoucherCodeFailure.objects.update(at=timezone.now() - dt.timedelta(minutes=61))
    assert _market_pay(money, buyer, code, ip="10.0.1.1").amount == 100_000


@pytest.mark.django_db
def test_the_buyer_guard_counts_only_codes_that_match_no_voucher(money: Any) -> None:
    code = _voucher(money)
    buyer: Any = UserFactory()
    _market_pay(money, buyer, code)
    with pytest.raises(Conflict):  # already used: a real code, not a guess
        _market_pay(money, buyer, code)
    with pytest.raises(ValidationFailed):  # a QR whose signature fails: counted
        _market_pay(money, buyer, "AAAA-BBBB-CCCC:forged")
    with pytest.raises(ValidationFailed):  # an empty code: not counted
        _market_pay(money, buyer, "  ")
    assert VoucherCodeFailure.objects.filter(user=buyer).count() == 1


@pytest.mark.django_db
def test_buyers_and_umkm_behind_one_address_share_the_ip_limit(
    money: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(voucher_codes, "VOUCHER_WRONG_CODES_PER_IP_PER_HOUR", 4)
    _wrong_redeem(money, 1)
    _wrong_redeem(money, 2)
    first, second = UserFactory(), UserFactory()
    with pytest.raises(NotFound):
        _market_pay(money, first, "AAAA-EEEE-0001")
    with pytest.raises(NotFound):
        _market_pay(money, second, "AAAA-EEEE-0002")
    ran = []
    with pytest.raises(RateLimited) as refused:
        with services.voucher_code_guard(kelurahan=money.kelurahan, user=second, ip=BUYER_IP):
            ran.append(True)
    assert ran == [] and refused.value.extra["scope"] == "ip"
    assert "from this network" in str(refused.value.message)
    with pytest.raises(RateLimited):  # the UMKM at that address too
        _wrong_redeem(money, 3)
    # Another address is not limited.
    services.voucher_code_check(kelurahan=money.kelurahan, user=second, ip="10.1.2.3")


@pytest.mark.django_db
def test_the_buyer_guard_passes_other_errors_and_results_through(money: Any) -> None:
    buyer: Any = UserFactory()
    with pytest.raises(ZeroDivisionError):
        with services.voucher_code_guard(kelurahan=money.kelurahan, user=buyer, ip=BUYER_IP):
            _ = 1 // 0
    with services.voucher_code_guard(kelurahan=money.kelurahan, user=None, ip=None):
        pass
    assert not VoucherCodeFailure.objects.exists()
