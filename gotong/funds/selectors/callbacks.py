"""Callback reads: the sampled recipients to call back. Always for one kelurahan."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gotong.core.exceptions import NotFound
from gotong.funds.models import (
    Callback,
)
from gotong.territory.models import Kelurahan


def callback_list(*, kelurahan: Kelurahan, cycle: str | None = None) -> QuerySet[Callback]:
    """Call-backs to make (open first)."""
    rows = Callback.objects.filter(kelurahan=kelurahan).select_related(
        "disbursement__payout_account__person", "voucher__household__head"
    )
    if cycle:
        rows = rows.filter(cycle=cycle)
    return rows.order_by("status", "pk")


def callback_get(*, kelurahan: Kelurahan, pk: int) -> Callback:
    """One call-back of this kelurahan, or NotFound."""
    row = callback_list(kelurahan=kelurahan).filter(pk=pk).first()
    if row is None:
        raise NotFound(_("No such call-back in this kelurahan."))
    return row
