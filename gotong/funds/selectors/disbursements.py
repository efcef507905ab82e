"""Money-out reads: disbursements and payout accounts. Always for one kelurahan."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gotong.core.exceptions import NotFound
from gotong.funds.models import (
    Disbursement,
    PayoutAccount,
)
from gotong.territory.models import Kelurahan


def disbursement_list(*, kelurahan: Kelurahan, status: str | None = None) -> QuerySet[Disbursement]:
    """Payments out with their approvals (newest first)."""
    rows = (
        Disbursement.objects.filter(kelurahan=kelurahan)
        .select_related("source_account", "requested_by", "merchant__organisation", "supplier")
        .prefetch_related("approvals")
    )
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at")


def disbursement_get(*, kelurahan: Kelurahan, pk: int) -> Disbursement:
    """One payment of this kelurahan, or NotFound."""
    row = disbursement_list(kelurahan=kelurahan).filter(pk=pk).first()
    if row is None:
        raise NotFound(_("No such payment in this kelurahan."))
    return row


def payout_account_list(*, kelurahan: Kelurahan, status: str | None = None) -> QuerySet[Any]:
    """Payout accounts (bank, last 4 digits, status); the number stays encrypted."""
    rows = PayoutAccount.objects.filter(kelurahan=kelurahan).select_related("person")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at")


def payout_account_get(*, kelurahan: Kelurahan, pk: int) -> Any:
    """One payout account of this kelurahan, or NotFound."""
    row = payout_account_list(kelurahan=kelurahan).filter(pk=pk).first()
    if row is None:
        raise NotFound(_("No such bank account in this kelurahan."))
    return row
