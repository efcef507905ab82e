"""Residents' orders within a cycle's window: placing and cancelling."""

import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import permission_gate
from gotong.core.exceptions import (
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from gotong.registry import selectors as registry_selectors
from gotong.registry import services as registry_services
from gotong.registry.models import ConsentPurpose
from gotong.territory.models import RT

from .. import selectors
from ..models import (
    Fulfilment,
    LineStatus,
    Offer,
    Order,
    OrderCycle,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    ThresholdRule,
)
from ..transitions import CYCLE_TAKING_ORDERS, LINE_TRANSITIONS, order_step_check, sources
from ._common import (
    _log,
    _needed,
    _prepaid_return,
    _stock_release,
    _stock_take,
    _voucher_pay,
)

MAX_LINE_QUANTITY = 50


@dataclass(frozen=True)
class LineSpec:
    offer: Offer
    quantity: int
    fallback: Offer | None = None


def _order_code() -> str:
    alphabet = "ACDEFGHJKMNPQRTUVWXY34679"
    return "P" + "".join(secrets.choice(alphabet) for _ in range(9))


def _marketplace_consent_require(kelurahan: Any, actor: Any, *, given_now: bool) -> None:
    if not selectors.marketplace_consent_missing(kelurahan=kelurahan, user=actor):
        return
    if not given_now:
        raise Conflict(
            _(
                "To shop at the local market, agree to the 'Pasar lokal' consent: your name "
                "and RT are used for the order."
            ),
            {"field": "marketplace_consent"},
        )
    person = registry_selectors.person_require_for_user(kelurahan=kelurahan, user=actor)
    registry_services.consent_grant(actor=actor, person=person, purpose=ConsentPurpose.MARKETPLACE)


@transaction.atomic
def order_place(
    *,
    actor: Any,
    cycle: OrderCycle,
    lines: Sequence[LineSpec],
    fulfilment: str,
    rt: RT,
    address_note: str = "",
    payment_method: str = PaymentMethod.COD,
    location: tuple[float, float] | None = None,
    now: dt.datetime | None = None,
    need_id: int | None = None,
    voucher_code: str = "",
    marketplace_consent: bool = False,
) -> Order:
    """A resident orders within the window; every line's stock is taken or nothing is.

    Paid by QRIS (the order page shows the code), cash on delivery, or an aid voucher
    typed here: the voucher must be of the category of every line and pays up to the
    order total (the rest, if any, in cash at the door); a refused voucher refuses the
    order and nothing is changed.

    A registered resident shops only with the "Pasar lokal" consent in force: without
    it the order is refused, unless ``marketplace_consent`` says they agree in this step,
    which records the consent (channel: themselves) in the same transaction. Aid orders
    (``need_id``) are placed for a need under the aid consent, not this one."""
    kelurahan = cycle.kelurahan
    permission_gate(actor, "market.order", kelurahan)
    now = now or timezone.now()
    if cycle.status not in CYCLE_TAKING_ORDERS or not cycle.opens_at <= now < cycle.closes_at:
        raise Conflict(
            _("This order window is closed; the next cycle will be announced."),
            {"field": "cycle"},
        )
    if not lines:
        raise ValidationFailed(_("Your cart is empty."), {"field": "lines"})
    if fulfilment not in Fulfilment.values:
        raise ValidationFailed(_("Choose pickup or delivery."), {"field": "fulfilment"})
    if rt.kelurahan_id != kelurahan.pk:
        raise ValidationFailed(_("That RT is not in this kelurahan."), {"field": "rt"})
    allowed_payments = {PaymentMethod.COD, PaymentMethod.QRIS, PaymentMethod.VOUCHER}
    if need_id is not None:
        allowed_payments = {PaymentMethod.AID}
    if payment_method not in allowed_payments:
        raise ValidationFailed(
            _("Choose cash on delivery, QRIS or an aid voucher."),
            {"field": "payment_method"},
        )
    if need_id is None:
        _marketplace_consent_require(kelurahan, actor, given_now=marketplace_consent)
    voucher_code = (voucher_code or "").strip()
    if payment_method == PaymentMethod.VOUCHER and not voucher_code:
        raise ValidationFailed(_("Type the voucher code."), {"field": "voucher_code"})
    address_note = " ".join((address_note or "").split())[:200]
    if fulfilment == Fulfilment.DELIVERY and not address_note and need_id is None:
        raise ValidationFailed(
            _("Give the address or a landmark for the courier."), {"field": "address_note"}
        )
    offers = {
        o.pk: o
        for o in Offer.objects.filter(cycle=cycle)
        .select_related("product", "bundle")
        .prefetch_related("bundle__components")
    }
    needed: dict[int, int] = defaultdict(int)
    goods_total = 0
    seen: set[int] = set()
    for spec in lines:
        offer = offers.get(spec.offer.pk)
        if offer is None:
            raise NotFound(_("That item is not on offer in this cycle."), {"field": "lines"})
        if offer.pk in seen:
            raise ValidationFailed(_("An item appears twice in the cart."), {"field": "lines"})
        seen.add(offer.pk)
        if not isinstance(spec.quantity, int) or not 1 <= spec.quantity <= MAX_LINE_QUANTITY:
            raise ValidationFailed(
                _("Order between 1 and %(max)s of each item.") % {"max": MAX_LINE_QUANTITY},
                {"field": "quantity"},
            )
        if spec.fallback is not None:
            fallback = offers.get(spec.fallback.pk)
            if (
                fallback is None
                or fallback.pk == offer.pk
                or offer.threshold_rule != ThresholdRule.FALLBACK
                or fallback.price > offer.price
            ):
                raise ValidationFailed(
                    _("This fallback item cannot replace that item."), {"field": "fallback"}
                )
        for product_id, amount in _needed(offer, spec.quantity).items():
            needed[product_id] += amount
        goods_total += offer.price * spec.quantity
    _stock_take(cycle, dict(needed))
    for spec in lines:
        Offer.objects.filter(pk=spec.offer.pk).update(ordered=F("ordered") + spec.quantity)
    if location is None and rt.centroid_lat is not None:
        location = (float(rt.centroid_lat), float(rt.centroid_lon or 0))
    order = Order.objects.create(
        kelurahan=kelurahan,
        cycle=cycle,
        buyer=actor,
        code=_order_code(),
        fulfilment=fulfilment,
        rt=rt,
        address_note=address_note,
        lat=location[0] if location else None,
        lon=location[1] if location else None,
        payment_method=payment_method,
        goods_total=goods_total,
        delivery_fee=cycle.delivery_fee if fulfilment == Fulfilment.DELIVERY else 0,
        need_id=need_id,
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            offer=offers[s.offer.pk],
            quantity=s.quantity,
            unit_price=offers[s.offer.pk].price,
            fallback_offer=s.fallback,
        )
        for s in lines
    )
    _log(
        kelurahan,
        "market.order_placed",
        actor,
        f"order:{order.pk}",
        {
            "cycle": f"cycle:{cycle.pk}",
            "lines": len(lines),
            "goods_total": goods_total,
            "delivery_fee": order.delivery_fee,
            "fulfilment": fulfilment,
            "payment": payment_method,
            "rw": rt.rw.number,
            "rt": rt.number,
            "aid": need_id is not None,
        },
    )
    if payment_method == PaymentMethod.VOUCHER:
        _voucher_pay(actor, order, voucher_code, [offers[s.offer.pk] for s in lines])
    return order


@transaction.atomic
def order_cancel(*, actor: Any, order: Order, now: dt.datetime | None = None) -> Order:
    """The buyer cancels while the window is open; the stock goes back."""
    now = now or timezone.now()
    cycle = order.cycle
    if order.buyer_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the buyer can cancel this order."))
    if cycle.status not in CYCLE_TAKING_ORDERS or now >= cycle.closes_at:
        raise Conflict(_("The window is closed: the order is final."), {"field": "status"})
    cancelled_already = _("This order is already cancelled.")
    frm = order.status
    order_step_check(
        current=frm, target=OrderStatus.CANCELLED, refused=cancelled_already, actor=actor
    )
    if not Order.objects.filter(pk=order.pk, status=frm).update(
        status=OrderStatus.CANCELLED, refund_total=F("goods_total"), delivery_fee=0
    ):
        raise Conflict(cancelled_already, {"field": "status"})
    needed: dict[int, int] = defaultdict(int)
    for line in order.lines.select_related("offer__bundle").prefetch_related(
        "offer__bundle__components"
    ):
        for product_id, amount in _needed(line.offer, line.quantity).items():
            needed[product_id] += amount
        Offer.objects.filter(pk=line.offer_id).update(ordered=F("ordered") - line.quantity)
    order.lines.filter(status__in=sources(LINE_TRANSITIONS, LineStatus.CANCELLED)).update(
        status=LineStatus.CANCELLED
    )
    _stock_release(cycle, dict(needed))
    order.refresh_from_db()
    _log(
        order.kelurahan,
        "market.order_cancelled",
        actor,
        f"order:{order.pk}",
        {"cycle": f"cycle:{cycle.pk}"},
    )
    _prepaid_return(actor, order)
    return order
