"""In-kind goods: issue to an activity with evidence, stock counts with their differences."""

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import permission_require
from gotong.core.exceptions import (
    Conflict,
    ValidationFailed,
)
from gotong.funds.models import (
    AccountKind,
    Campaign,
    GoodsItem,
    GoodsMovement,
    GoodsMovementKind,
    TransferKind,
)

from ._common import _activity, _activity_evidence_code, _log, _resource_link
from .campaigns import earmark_check
from .ledger import accounts_ensure, transfer_post


@transaction.atomic
def goods_issue(
    *,
    actor: Any,
    item: GoodsItem,
    quantity: int,
    activity_id: int,
    receipt_code: str = "",
) -> GoodsMovement:
    """Hand goods out of the store to an activity, with the activity's evidence photo."""
    kelurahan = item.kelurahan
    permission_require(actor, "funds.operate", kelurahan)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValidationFailed(_("The quantity must be a whole number above zero."))
    activity = _activity(kelurahan, activity_id)
    code = _activity_evidence_code(kelurahan, activity.pk, receipt_code)
    item = (
        GoodsItem.objects.select_for_update(of=("self",))
        .select_related("fund_account")
        .get(pk=item.pk)
    )
    earmark_check(account=item.fund_account, category=item.category, activity_id=activity.pk)
    if item.expires_on is not None and item.expires_on < timezone.localdate():
        raise ValidationFailed(_("These goods are past their best-before date."))
    taken = GoodsItem.objects.filter(pk=item.pk, quantity__gte=quantity).update(
        quantity=F("quantity") - quantity
    )
    if taken != 1:
        raise ValidationFailed(
            _("Only %(left)s %(unit)s in stock.") % {"left": item.quantity, "unit": item.unit},
            {"reason": "stock"},
        )
    value = quantity * item.unit_value
    if item.quantity == quantity:
        # The last units carry what integer division left over.
        value = item.unit_value * quantity + (
            (item.donation.amount - item.unit_value * item.donation.goods_quantity)
            if item.donation and item.donation.goods_quantity
            else 0
        )
    transfer = None
    if value > 0:
        store = accounts_ensure(kelurahan=kelurahan)[AccountKind.IN_KIND]
        transfer = transfer_post(
            kelurahan=kelurahan,
            kind=TransferKind.GOODS_OUT,
            postings=[(item.fund_account, value), (store, -value)],
            actor=actor,
            memo=f"{quantity} {item.unit} {item.name}"[:200],
            campaign=Campaign.objects.filter(account=item.fund_account).first(),
            activity_id=activity.pk,
            receipt_code=code,
            log_data={"goods": f"goods:{item.pk}", "quantity": quantity},
        )
    movement = GoodsMovement.objects.create(
        item=item,
        kind=GoodsMovementKind.OUT,
        quantity=-quantity,
        activity_id=activity.pk,
        receipt_code=code,
        transfer=transfer,
        actor=actor,
        created_at=timezone.now(),
    )
    _resource_link(activity, "goods", f"goods:{item.pk}", quantity, item.unit)
    if transfer is None:
        _log(
            kelurahan,
            "funds.goods_out",
            actor,
            f"goods:{item.pk}",
            {"quantity": quantity, "activity": f"activity:{activity.pk}", "receipt": code},
        )
    return movement


@transaction.atomic
def stock_count(*, actor: Any, item: GoodsItem, counted: int, note: str = "") -> GoodsMovement:
    """Record a physical count; a difference is booked to the stock differences account."""
    kelurahan = item.kelurahan
    permission_require(actor, "funds.operate", kelurahan)
    if isinstance(counted, bool) or not isinstance(counted, int) or counted < 0:
        raise ValidationFailed(_("The count must be a whole number, zero or more."))
    item = (
        GoodsItem.objects.select_for_update(of=("self",))
        .select_related("fund_account")
        .get(pk=item.pk)
    )
    expected = item.quantity
    updated = GoodsItem.objects.filter(pk=item.pk, quantity=expected).update(quantity=counted)
    if updated != 1:
        raise Conflict(_("The stock changed while counting; count again."))
    difference = counted - expected
    transfer = None
    value = abs(difference) * item.unit_value
    if difference and value:
        accounts = accounts_ensure(kelurahan=kelurahan)
        store, adjustment = accounts[AccountKind.IN_KIND], accounts[AccountKind.STOCK_ADJUSTMENT]
        postings = (
            [(adjustment, value), (store, -value)]
            if difference < 0
            else [(store, value), (adjustment, -value)]
        )
        transfer = transfer_post(
            kelurahan=kelurahan,
            kind=TransferKind.STOCK_COUNT,
            postings=postings,
            actor=actor,
            memo=f"Stok {item.name}: {expected} → {counted}"[:200],
            log_data={"goods": f"goods:{item.pk}", "expected": expected, "counted": counted},
        )
    else:
        _log(
            kelurahan,
            "funds.stock_counted",
            actor,
            f"goods:{item.pk}",
            {"expected": expected, "counted": counted},
        )
    return GoodsMovement.objects.create(
        item=item,
        kind=GoodsMovementKind.COUNT,
        quantity=difference,
        counted=counted,
        expected=expected,
        note=" ".join((note or "").split())[:200],
        transfer=transfer,
        actor=actor,
        created_at=timezone.now(),
    )
