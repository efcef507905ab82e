"""Aid orders: a need served by an activity is fulfilled from the market."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import permission_require
from gotong.activities.models import ActivityNeed
from gotong.activities.services import resource_link_add
from gotong.core.exceptions import (
    Conflict,
    ValidationFailed,
)

from ..models import (
    AID_CATEGORIES,
    Fulfilment,
    Offer,
    Order,
    OrderStatus,
    PaymentMethod,
)
from ._common import (
    _aid_pay,
    _log,
)
from .orders import LineSpec, order_place


@transaction.atomic
def aid_order_place(
    *, actor: Any, activity: Any, need: Any, offer: Offer, source: Any = None
) -> Order:
    """Fulfil a need served by an activity by buying a bundle (or product) of the current
    cycle from local UMKM, paid from ``source`` (a funds account: the aid fund by default,
    or a campaign whose earmark fits); the activity links to the order as a UMKM product
    resource, and the ledger's spending names the activity."""
    kelurahan = activity.kelurahan
    permission_require(actor, "market.manage", kelurahan)
    if (
        need.kelurahan_id != kelurahan.pk
        or not ActivityNeed.objects.filter(activity=activity, need=need).exists()
    ):
        raise ValidationFailed(_("This activity does not serve that need."), {"field": "need"})
    item = offer.bundle or offer.product
    category = item.category  # type: ignore[union-attr]
    if {str(k): v for k, v in AID_CATEGORIES.items()}.get(category) != need.category:
        raise ValidationFailed(
            _("This item's category does not fit the need."),
            {"field": "offer", "category": category, "need_category": need.category},
        )
    if Order.objects.filter(need_id=need.pk).exclude(status=OrderStatus.CANCELLED).exists():
        raise Conflict(_("This need already has a market order."), {"field": "need"})
    order = order_place(
        actor=actor,
        cycle=offer.cycle,
        lines=[LineSpec(offer=offer, quantity=1)],
        fulfilment=Fulfilment.DELIVERY,
        rt=need.rt,
        payment_method=PaymentMethod.AID,
        need_id=need.pk,
    )
    _aid_pay(actor, order, source, activity_id=activity.pk)
    first_product: Any = offer.product or (
        offer.bundle.components.select_related("product__organisation")[0].product  # type: ignore[union-attr]
    )
    first = first_product.organisation
    resource_link_add(
        activity=activity,
        kind="umkm_product",
        external_id=f"market-order:{order.code}",
        quantity=1,
        unit="paket",
        organisation=first,
    )
    _log(
        kelurahan,
        "market.aid_order",
        actor,
        f"order:{order.pk}",
        {
            "need": f"need:{need.pk}",
            "activity": f"activity:{activity.pk}",
            "offer": f"offer:{offer.pk}",
        },
    )
    return order
