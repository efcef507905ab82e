"""Wrong voucher codes: counted per UMKM, per buyer and per IP address, refused over the
hourly limits, pruned daily.
"""

import contextlib
import datetime as dt
import ipaddress
from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.core.exceptions import (
    NotFound,
    RateLimited,
    ValidationFailed,
)
from gotong.funds.models import (
    VoucherCodeFailure,
    VoucherMerchant,
)
from gotong.territory.models import Kelurahan

# Wrong voucher codes (typed or scanned, matching no voucher) allowed per hour, per UMKM
# and per IP address; the IP limit is higher because several UMKM may share one address
# behind a mobile carrier's NAT. A buyer paying a market order with a voucher has their
# own limit; the IP count includes both. Counted in the database (``VoucherCodeFailure``).
VOUCHER_WRONG_CODES_PER_UMKM_PER_HOUR = 10
VOUCHER_WRONG_CODES_PER_BUYER_PER_HOUR = 10
VOUCHER_WRONG_CODES_PER_IP_PER_HOUR = 30
VOUCHER_WRONG_CODES_WINDOW = dt.timedelta(hours=1)
VOUCHER_WRONG_CODES_KEPT = dt.timedelta(hours=24)
_WRONG_CODE_REASONS = ("unknown", "signature")


def _ip_clean(ip: str | None) -> str | None:
    """The caller's address as stored (None when missing or not an IP address)."""
    try:
        return str(ipaddress.ip_address((ip or "").strip()))
    except ValueError:
        return None


def voucher_code_is_wrong(exc: BaseException) -> bool:
    """Whether a refusal means the code matched no voucher (or a QR's signature failed):
    those are counted against the caller. A used, expired or out-of-category voucher is a
    real code and is not counted."""
    return (
        isinstance(exc, (NotFound, ValidationFailed))
        and exc.extra.get("reason") in _WRONG_CODE_REASONS
    )


def voucher_wrong_code_record(
    *,
    kelurahan: Kelurahan,
    merchant: VoucherMerchant | None = None,
    user: Any = None,
    ip: str | None,
) -> None:
    VoucherCodeFailure.objects.create(
        kelurahan=kelurahan,
        merchant=merchant,
        user=user if getattr(user, "is_authenticated", False) else None,
        ip=_ip_clean(ip),
        at=timezone.now(),
    )


def _wrong_codes_since() -> dt.datetime:
    return timezone.now() - VOUCHER_WRONG_CODES_WINDOW


def _wrong_codes_by_ip(ip: str | None) -> int:
    """Wrong codes from this address in the last hour, at a UMKM's page or at ordering."""
    address = _ip_clean(ip)
    if address is None:
        return 0
    return VoucherCodeFailure.objects.filter(ip=address, at__gte=_wrong_codes_since()).count()


def _wrong_codes_count(merchant: VoucherMerchant, ip: str | None) -> tuple[int, int]:
    """Wrong codes in the last hour by this UMKM and from this IP address.

    Each wrong code is a ``VoucherCodeFailure`` row, so the count is read from the
    database and holds across processes and workers; ``manage.py funds_daily`` deletes
    rows older than a day (``voucher_code_failures_prune``).
    """
    by_umkm = VoucherCodeFailure.objects.filter(
        merchant=merchant, at__gte=_wrong_codes_since()
    ).count()
    return by_umkm, _wrong_codes_by_ip(ip)


def voucher_wrong_codes_check(*, merchant: VoucherMerchant, ip: str | None) -> None:
    """Refuse (429) a UMKM or an IP address that typed too many wrong codes this hour."""
    by_umkm, by_ip = _wrong_codes_count(merchant, ip)
    if by_umkm >= VOUCHER_WRONG_CODES_PER_UMKM_PER_HOUR:
        raise RateLimited(
            _(
                "Too many wrong voucher codes were entered for your UMKM. For safety, "
                "redeeming is paused: try again in an hour."
            ),
            {"reason": "wrong_codes", "scope": "umkm"},
        )
    if by_ip >= VOUCHER_WRONG_CODES_PER_IP_PER_HOUR:
        raise RateLimited(
            _(
                "Too many wrong voucher codes were entered from this network. For safety, "
                "redeeming is paused: try again in an hour."
            ),
            {"reason": "wrong_codes", "scope": "ip"},
        )


def voucher_code_check(*, kelurahan: Kelurahan, user: Any, ip: str | None) -> None:
    """Before a BUYER's voucher code is tried (paying a market order): refuse with
    RateLimited (429, ``extra.scope`` "buyer" or "ip") when this user typed
    ``VOUCHER_WRONG_CODES_PER_BUYER_PER_HOUR`` wrong codes in the last hour (in any
    kelurahan), or this IP address ``VOUCHER_WRONG_CODES_PER_IP_PER_HOUR`` (wrong codes
    typed at UMKM pages count too). Reads only; an anonymous user is limited by address
    alone. The counts span every kelurahan (``kelurahan`` names the market asking, as in
    ``voucher_code_failed``)."""
    since = _wrong_codes_since()
    if getattr(user, "is_authenticated", False):
        by_buyer = VoucherCodeFailure.objects.filter(user=user, at__gte=since).count()
        if by_buyer >= VOUCHER_WRONG_CODES_PER_BUYER_PER_HOUR:
            raise RateLimited(
                _(
                    "Too many wrong voucher codes were entered from your account. For "
                    "safety, paying with a voucher is paused: try again in an hour."
                ),
                {"reason": "wrong_codes", "scope": "buyer", "field": "voucher_code"},
            )
    if _wrong_codes_by_ip(ip) >= VOUCHER_WRONG_CODES_PER_IP_PER_HOUR:
        raise RateLimited(
            _(
                "Too many wrong voucher codes were entered from this network. For safety, "
                "paying with a voucher is paused: try again in an hour."
            ),
            {"reason": "wrong_codes", "scope": "ip", "field": "voucher_code"},
        )


def voucher_code_failed(*, kelurahan: Kelurahan, user: Any, ip: str | None) -> None:
    """Count a BUYER's voucher code that matched no voucher (see ``voucher_code_is_wrong``).

    Call it where its row commits: after the transaction that tried the code was rolled
    back (outside the ``transaction.atomic`` block of the order), never inside it, or the
    count would be rolled back with the order and the limit would never bite."""
    voucher_wrong_code_record(kelurahan=kelurahan, user=user, ip=ip)


@contextlib.contextmanager
def voucher_code_guard(*, kelurahan: Kelurahan, user: Any, ip: str | None) -> Iterator[None]:
    """Rate-limit a buyer's typed voucher code around the code that tries it::

        with funds_services.voucher_code_guard(kelurahan=k, user=request.user, ip=ip):
            market_services.order_place(..., voucher_code=code)  # its own transaction

    Before the block: ``voucher_code_check`` (429 when over a limit, nothing tried).
    When the block raises a wrong-code refusal (``NotFound``/``ValidationFailed`` with
    ``extra.reason`` "unknown" or "signature", as ``voucher_market_pay`` raises), it is
    counted (``voucher_code_failed``) and re-raised; other errors pass through uncounted.
    Use it outside the order's ``transaction.atomic`` so the count commits."""
    voucher_code_check(kelurahan=kelurahan, user=user, ip=ip)
    try:
        yield
    except (NotFound, ValidationFailed) as exc:
        if voucher_code_is_wrong(exc):
            voucher_code_failed(kelurahan=kelurahan, user=user, ip=ip)
        raise


def voucher_code_failures_prune(*, now: dt.datetime | None = None) -> int:
    """Delete wrong-code rows older than ``VOUCHER_WRONG_CODES_KEPT`` (a day), all
    kelurahan; returns how many (run by ``manage.py funds_daily``)."""
    cutoff = (now or timezone.now()) - VOUCHER_WRONG_CODES_KEPT
    deleted, _by_model = VoucherCodeFailure.objects.filter(at__lt=cutoff).delete()
    return deleted
