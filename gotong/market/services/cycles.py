"""Weekly order cycles: opening one (offers, thresholds, fee rules copied) and closing it."""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import permission_require
from gotong.core.exceptions import (
    Conflict,
    NotFound,
    ValidationFailed,
)
from gotong.territory.models import Kelurahan

from ..models import (
    Bundle,
    CycleStatus,
    CycleStock,
    LineStatus,
    Offer,
    Order,
    OrderCycle,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    Product,
    ThresholdRule,
)
from ..selectors import (
    settings_for,
)
from ..transitions import (
    ORDER_TRANSITIONS,
    cycle_step_check,
    line_step_check,
    sources,
)
from ._common import (
    _gap_campaign_check,
    _log,
    _needed,
    _prepaid_return,
    _stock_release,
    _stock_take,
    _text,
    _umkm_approved,
    _user,
)
from .gaps import cycle_gaps_fill


@dataclass(frozen=True)
class OfferSpec:
    product: Product | None = None
    bundle: Bundle | None = None
    threshold: int | None = None
    threshold_rule: str = ThresholdRule.CANCEL
    gap_campaign: Any = None  # a funds Campaign that fills a group buy's gap at closing


def _limit(product: Product) -> int:
    values = [v for v in (product.stock, product.daily_capacity) if v is not None]
    return min(values) if values else 0


@transaction.atomic
def cycle_open(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    title: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    delivery_date: dt.date,
    offers: Sequence[OfferSpec],
    hub: tuple[float, float] | None = None,
) -> OrderCycle:
    """An operator opens a cycle; each product's stock (or daily capacity) is its limit.
    The fee rules in force now are copied onto the cycle: its orders, breakdown and
    settlement keep them whatever the rules become later."""
    permission_require(actor, "market.manage", kelurahan)
    title = _text(title, "title", low=3, high=100, message=_("Give the cycle a title."))
    if closes_at <= opens_at:
        raise ValidationFailed(_("The window must close after it opens."), {"field": "closes_at"})
    if delivery_date < timezone.localtime(closes_at).date():
        raise ValidationFailed(
            _("The delivery date cannot be before the window closes."), {"field": "delivery_date"}
        )
    if not offers:
        raise ValidationFailed(
            _("Put at least one product or bundle on offer."), {"field": "offers"}
        )
    products: dict[int, Product] = {}
    for spec in offers:
        if (spec.product is None) == (spec.bundle is None):
            raise ValidationFailed(_("Each offer is a product or a bundle."), {"field": "offers"})
        if spec.threshold is not None and spec.threshold <= 0:
            raise ValidationFailed(_("A threshold must be above zero."), {"field": "threshold"})
        if spec.threshold_rule not in ThresholdRule.values:
            raise ValidationFailed(_("Choose the rule for the threshold."), {"field": "threshold"})
        if spec.gap_campaign is not None:
            _gap_campaign_check(
                kelurahan, spec.gap_campaign, spec.product or spec.bundle, spec.threshold
            )
        items = (
            [spec.product]
            if spec.product
            else [c.product for c in spec.bundle.components.select_related("product__organisation")]  # type: ignore[union-attr]
        )
        for product in items:
            if product.kelurahan_id != kelurahan.pk:
                raise NotFound(_("That product is not in this kelurahan."), {"field": "offers"})
            _umkm_approved(product.organisation)
            if not product.is_active:
                raise ValidationFailed(
                    _("%(name)s is not active.") % {"name": product.name}, {"field": "offers"}
                )
            products[product.pk] = product
    fees = settings_for(kelurahan)
    cycle = OrderCycle.objects.create(
        kelurahan=kelurahan,
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        delivery_date=delivery_date,
        hub_lat=hub[0] if hub else None,
        hub_lon=hub[1] if hub else None,
        created_by=_user(actor),
        operations_fee_bp=fees.operations_fee_bp,
        delivery_fee=fees.delivery_fee,
        courier_share_bp=fees.courier_share_bp,
    )
    cycle.sellers.set(sorted({p.organisation_id for p in products.values()}))
    Offer.objects.bulk_create(
        Offer(
            cycle=cycle,
            product=spec.product,
            bundle=spec.bundle,
            price=spec.product.price if spec.product else spec.bundle.price,  # type: ignore[union-attr]
            threshold=spec.threshold,
            threshold_rule=spec.threshold_rule,
            gap_campaign_id=spec.gap_campaign.pk if spec.gap_campaign is not None else None,
        )
        for spec in offers
    )
    CycleStock.objects.bulk_create(
        CycleStock(cycle=cycle, product=p, limit=_limit(p)) for p in products.values()
    )
    _log(
        kelurahan,
        "market.cycle_opened",
        actor,
        f"cycle:{cycle.pk}",
        {
            "opens_at": opens_at.isoformat(),
            "closes_at": closes_at.isoformat(),
            "delivery_date": delivery_date.isoformat(),
            "offers": len(offers),
            "sellers": len({p.organisation_id for p in products.values()}),
            "operations_fee_bp": cycle.operations_fee_bp,
            "delivery_fee": cycle.delivery_fee,
            "courier_share_bp": cycle.courier_share_bp,
        },
    )
    return cycle


@transaction.atomic
def cycle_close(*, actor: Any, cycle: OrderCycle, now: dt.datetime | None = None) -> OrderCycle:
    """Orders become final: each bulk threshold is met, or its rule applies (confirm, the
    buyer's fallback item, or cancel and refund). Pick lists follow from the result."""
    kelurahan = cycle.kelurahan
    if actor is not None:
        permission_require(actor, "market.manage", kelurahan)
    now = now or timezone.now()
    not_open = _("This cycle is not open.")
    frm = cycle.status
    cycle_step_check(current=frm, target=CycleStatus.CLOSED, refused=not_open, actor=actor)
    gaps = cycle_gaps_fill(actor=actor, cycle=cycle, now=now)
    if not OrderCycle.objects.filter(pk=cycle.pk, status=frm).update(
        status=CycleStatus.CLOSED, closed_at=now, closes_at=min(cycle.closes_at, now)
    ):
        raise Conflict(not_open, {"field": "status"})
    cycle.refresh_from_db()
    offers = {
        o.pk: o
        for o in Offer.objects.filter(cycle=cycle)
        .select_related("product", "bundle")
        .prefetch_related("bundle__components")
    }
    for offer in offers.values():
        offer.threshold_met = None if offer.threshold is None else offer.ordered >= offer.threshold
    Offer.objects.bulk_update(offers.values(), ["threshold_met"])
    counts = {"confirmed": 0, "fallback": 0, "cancelled": 0}
    refunds: dict[int, int] = defaultdict(int)
    in_window = sources(ORDER_TRANSITIONS, OrderStatus.CONFIRMED)
    lines = list(
        OrderLine.objects.filter(order__cycle=cycle, order__status__in=in_window).order_by("pk")
    )
    for line in lines:
        offer = offers[line.offer_id]
        target = LineStatus.CANCELLED
        if offer.threshold_met is not False or offer.threshold_rule == ThresholdRule.CONFIRM:
            target = LineStatus.CONFIRMED
        else:
            fallback = offers.get(line.fallback_offer_id or 0)
            switched = False
            if offer.threshold_rule == ThresholdRule.FALLBACK and fallback is not None:
                if fallback.threshold_met is not False:
                    try:
                        with transaction.atomic():
                            _stock_take(cycle, _needed(fallback, line.quantity))
                        switched = True
                    except Conflict:
                        switched = False
            _stock_release(cycle, _needed(offer, line.quantity))
            if switched:
                refunds[line.order_id] += (line.unit_price - fallback.price) * line.quantity  # type: ignore[union-attr]
                line.unit_price = fallback.price  # type: ignore[union-attr]
                target = LineStatus.FALLBACK
            else:
                refunds[line.order_id] += line.unit_price * line.quantity
        line_step_check(current=line.status, target=target, refused=not_open)
        line.status = target
        counts[line.status] = counts.get(line.status, 0) + 1
    OrderLine.objects.bulk_update(lines, ["status", "unit_price"])
    for order_id, amount in refunds.items():
        Order.objects.filter(pk=order_id).update(refund_total=F("refund_total") + amount)
    live = {line.order_id for line in lines if line.status != LineStatus.CANCELLED}
    orders = Order.objects.filter(cycle=cycle)
    orders.filter(status__in=in_window, pk__in=live).update(status=OrderStatus.CONFIRMED)
    orders.filter(status__in=sources(ORDER_TRANSITIONS, OrderStatus.CANCELLED)).exclude(
        pk__in=live
    ).update(status=OrderStatus.CANCELLED, delivery_fee=0)
    # Prepaid value a closing no longer needs goes back to the voucher or aid source
    # (QRIS money is paid back by the treasurer: ``order_refund_pay``).
    for order in Order.objects.filter(
        cycle=cycle,
        payment_method__in=[PaymentMethod.VOUCHER, PaymentMethod.AID],
        paid_amount__gt=0,
    ).order_by("pk"):
        _prepaid_return(actor, order)
    _log(
        kelurahan,
        "market.cycle_closed",
        actor,
        f"cycle:{cycle.pk}",
        {
            "orders": len(live),
            "lines_confirmed": counts["confirmed"],
            "lines_fallback": counts["fallback"],
            "lines_cancelled": counts["cancelled"],
            "refunded": sum(refunds.values()),
            "thresholds": {
                f"offer:{o.pk}": o.threshold_met for o in offers.values() if o.threshold
            },
            "gaps_filled": {f"offer:{pk}": units for pk, units in gaps.items()},
        },
    )
    return cycle
