"""Voucher reads: enrolled UMKM, their redemptions, vouchers and their counts, a voucher by
code. Always for one kelurahan."""

from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from gotong.core.exceptions import NotFound
from gotong.funds.codes import voucher_code_hash
from gotong.funds.models import (
    Redemption,
    Voucher,
    VoucherMerchant,
    VoucherStatus,
)
from gotong.territory.models import Kelurahan


def merchant_list(*, kelurahan: Kelurahan) -> QuerySet[VoucherMerchant]:
    """UMKM enrolled for vouchers with what they are owed."""
    return VoucherMerchant.objects.filter(kelurahan=kelurahan).select_related(
        "organisation", "account"
    )


def merchant_get(*, kelurahan: Kelurahan, pk: int) -> VoucherMerchant:
    """One enrolled UMKM of this kelurahan, or NotFound."""
    merchant = merchant_list(kelurahan=kelurahan).filter(pk=pk).first()
    if merchant is None:
        raise NotFound(_("No such UMKM in this kelurahan."))
    return merchant


def redemption_list_for_merchant(
    *, kelurahan: Kelurahan, merchant: VoucherMerchant
) -> QuerySet[Redemption]:
    """A UMKM's redemptions (voucher hint, amount, time), newest first."""
    return (
        Redemption.objects.filter(merchant=merchant, voucher__kelurahan=kelurahan)
        .select_related("voucher")
        .order_by("-created_at")
    )


def voucher_list(*, kelurahan: Kelurahan, rt: Any = None) -> QuerySet[Voucher]:
    """Vouchers of the kelurahan (or of one RT), newest first; codes are never stored."""
    vouchers = Voucher.objects.filter(kelurahan=kelurahan).select_related("rt__rw", "campaign")
    if rt is not None:
        vouchers = vouchers.filter(rt=rt)
    return vouchers.order_by("-created_at", "-pk")


def voucher_counts(*, kelurahan: Kelurahan) -> dict[str, int]:
    """How many vouchers are active, redeemed and expired."""
    counts = dict(
        Voucher.objects.filter(kelurahan=kelurahan)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {s: counts.get(s, 0) for s in VoucherStatus.values}


def voucher_get_by_code(*, kelurahan: Kelurahan, code: str) -> Voucher:
    """The voucher of a code (looked up by its HMAC; the code itself is never stored)."""
    voucher = (
        Voucher.objects.filter(kelurahan=kelurahan, code_hash=voucher_code_hash(code))
        .select_related("rt__rw")
        .first()
    )
    if voucher is None:
        raise NotFound(_("Unknown voucher code."))
    return voucher
