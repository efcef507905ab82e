"""Gap campaigns: a funds campaign buys the units a group buy misses at closing."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import permission_require
from gotong.core.exceptions import (
    ApplicationError,
    Conflict,
    ValidationFailed,
)
from gotong.funds import selectors as funds_selectors
from gotong.funds.services import market_port as funds_services
from gotong.needs import selectors as needs_selectors
from gotong.needs.models import Status as NeedStatus

from ..models import (
    AID_CATEGORIES,
    Fulfilment,
    Offer,
    Order,
    OrderCycle,
    OrderStatus,
    PaymentMethod,
)
from ..transitions import CYCLE_TAKING_ORDERS
from ._common import (
    _aid_pay,
    _gap_campaign_check,
    _item_voucher_category,
    _log,
)
from .orders import LineSpec, order_place


@transaction.atomic
def offer_gap_campaign_set(*, actor: Any, offer: Offer, campaign: Any) -> Offer:
    """An operator names the campaign that fills this group buy's gap at closing (or
    None to stop it); only while the cycle is open."""
    kelurahan = offer.cycle.kelurahan
    permission_require(actor, "market.manage", kelurahan)
    if offer.cycle.status not in CYCLE_TAKING_ORDERS:
        raise Conflict(_("This cycle is not open."), {"field": "status"})
    if campaign is not None:
        _gap_campaign_check(kelurahan, campaign, offer.bundle or offer.product, offer.threshold)
    offer.gap_campaign_id = campaign.pk if campaign is not None else None
    offer.save(update_fields=["gap_campaign_id"])
    _log(
        kelurahan,
        "market.gap_campaign_set",
        actor,
        f"offer:{offer.pk}",
        {"campaign": offer.gap_campaign_id},
    )
    return offer


GAP_NEED_STATUSES = (NeedStatus.APPROVED, NeedStatus.ESCALATED)


def _gap_fill(buyer: Any, cycle: OrderCycle, offer: Offer, missing: int, at: dt.datetime) -> int:
    """Buy ``missing`` units for households with open needs, paid by the campaign; or
    refuse (the caller rolls back and the normal rule applies)."""
    kelurahan = cycle.kelurahan
    campaign = funds_selectors.campaign_get(kelurahan=kelurahan, pk=offer.gap_campaign_id or 0)
    item: Any = offer.bundle or offer.product
    need_category = {str(k): v for k, v in AID_CATEGORIES.items()}.get(str(item.category))
    if need_category is None:
        raise ValidationFailed(_("This item does not serve needs."), {"reason": "category"})
    category = _item_voucher_category(offer) or "lainnya"
    taken = set(
        Order.objects.filter(kelurahan=kelurahan, need_id__isnull=False)
        .exclude(status=OrderStatus.CANCELLED)
        .values_list("need_id", flat=True)
    )
    chosen: list[Any] = []
    households: set[str] = set()
    for status in GAP_NEED_STATUSES:
        for need in needs_selectors.need_board(
            kelurahan=kelurahan, status=status, category=need_category
        ):
            who = (
                f"h{need.beneficiary_household_id}"
                if need.beneficiary_household_id
                else f"p{need.beneficiary_person_id}"
            )
            if need.pk in taken or who in households or len(chosen) >= missing:
                continue
            try:
                funds_services.earmark_check(
                    account=campaign.account, category=category, rt=need.rt
                )
            except ValidationFailed:
                continue
            households.add(who)
            chosen.append(need)
    if len(chosen) < missing:
        raise ValidationFailed(
            _("Not enough households with open needs to fill the gap."),
            {"reason": "needs", "found": len(chosen), "missing": missing},
        )
    cost = missing * (offer.price + cycle.delivery_fee)
    campaign.account.refresh_from_db()
    if campaign.account.balance < cost:
        raise ValidationFailed(
            _("The campaign's balance cannot pay for the gap."),
            {"reason": "balance", "cost": cost},
        )
    orders = []
    for need in chosen:
        order = order_place(
            actor=buyer,
            cycle=cycle,
            lines=[LineSpec(offer=offer, quantity=1)],
            fulfilment=Fulfilment.DELIVERY,
            rt=need.rt,
            payment_method=PaymentMethod.AID,
            need_id=need.pk,
            now=at,
        )
        _aid_pay(buyer, order, campaign.account, activity_id=None)
        orders.append(order)
    _log(
        kelurahan,
        "market.gap_filled",
        buyer,
        f"offer:{offer.pk}",
        {
            "cycle": f"cycle:{cycle.pk}",
            "campaign": campaign.pk,
            "units": missing,
            "cost": cost,
            "needs": [f"need:{n.pk}" for n in chosen],
            "orders": [f"order:{o.pk}" for o in orders],
        },
    )
    Offer.objects.filter(pk=offer.pk).update(gap_filled=F("gap_filled") + missing)
    return missing


@transaction.atomic
def cycle_gaps_fill(*, actor: Any, cycle: OrderCycle, now: dt.datetime) -> dict[int, int]:
    """At closing, before thresholds are judged: each group buy short of its threshold
    whose offer names a campaign gets its gap bought for households with open needs, if
    the campaign can pay and enough such households exist; otherwise nothing changes."""
    buyer = actor if getattr(actor, "is_authenticated", False) else cycle.created_by
    inside = min(now, cycle.closes_at - dt.timedelta(seconds=1))
    if buyer is None or inside < cycle.opens_at:
        return {}
    filled: dict[int, int] = {}
    offers = (
        Offer.objects.filter(cycle=cycle, gap_campaign_id__isnull=False, threshold__isnull=False)
        .select_related("product", "bundle")
        .order_by("pk")
    )
    for offer in offers:
        missing = (offer.threshold or 0) - offer.ordered
        if missing <= 0:
            continue
        try:
            with transaction.atomic():
                filled[offer.pk] = _gap_fill(buyer, cycle, offer, missing, inside)
        except ApplicationError as exc:
            _log(
                cycle.kelurahan,
                "market.gap_not_filled",
                actor,
                f"offer:{offer.pk}",
                {"missing": missing, "reason": exc.extra.get("reason", type(exc).__name__)},
            )
    return filled
