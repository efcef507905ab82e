"""A cycle's money: the public fee breakdown, the couriers' shares and the payouts."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from gotong.core.exceptions import NotFound
from gotong.funds import selectors as funds_selectors

from ..models import (
    Courier,
    CourierPayout,
    CyclePayout,
    Order,
    OrderCycle,
    OrderStatus,
    PaymentMethod,
    RouteStop,
    StopKind,
)
from ._common import _line_parts, _sold_lines


@dataclass
class Breakdown:
    """Where the money of a cycle goes: UMKM, couriers and operations (public).

    Aid money (an aid order, the voucher-paid part of an order) pays no operations fee
    and none of it reaches the operational fund: ``aid_goods`` of the goods and
    ``aid_delivery`` of the delivery fees were paid with it (see ``cycle_breakdown``)."""

    goods: int
    operations_fee: int
    delivery_fees: int
    courier_share: int
    delivery_to_operations: int
    umkm: list[tuple[str, int, int, int]]  # name, gross, fee, net owed
    umkm_ids: list[int] = field(default_factory=list)  # the organisations of ``umkm``
    umkm_aid: list[int] = field(default_factory=list)  # aid-paid part of each ``umkm`` gross
    aid_goods: int = 0
    aid_delivery: int = 0
    aid_exempt: bool = True

    @property
    def buyers_paid(self) -> int:
        return self.goods + self.delivery_fees

    @property
    def aid_paid(self) -> int:
        return self.aid_goods + self.aid_delivery

    @property
    def rows(self) -> list[tuple[str, int, int, int, int]]:
        """(name, gross, aid-paid part, fee, net owed) per UMKM, for pages."""
        aid = self.umkm_aid or [0] * len(self.umkm)
        return [
            (name, gross, part, fee, net)
            for (name, gross, fee, net), part in zip(self.umkm, aid, strict=True)
        ]

    @property
    def balance(self) -> int:
        """What buyers paid minus every share: zero when the split is complete."""
        return (
            self.buyers_paid
            - sum(net for *_, net in self.umkm)
            - self.operations_fee
            - self.courier_share
            - self.delivery_to_operations
        )


def order_aid_paid(*, order: Order) -> int:
    """The part of an order paid with aid money: all of an aid order; of a voucher order
    what the voucher paid less what went back to it (at most the order's total)."""
    if order.status not in (OrderStatus.CONFIRMED, OrderStatus.DELIVERED, OrderStatus.PLACED):
        return 0
    if order.payment_method == PaymentMethod.AID:
        return order.total
    if order.payment_method == PaymentMethod.VOUCHER:
        return max(0, min(order.voucher_amount - order.returned_amount, order.total))
    return 0


def _largest_remainder(total: int, weights: dict[int, int]) -> dict[int, int]:
    """Integer parts of ``total`` in proportion to ``weights`` that add up to ``total``
    (leftover rupiah to the largest remainders, ties to the smaller key)."""
    whole = sum(weights.values())
    if whole <= 0 or total <= 0:
        return dict.fromkeys(weights, 0)
    parts = {k: total * w // whole for k, w in weights.items()}
    leftover = total - sum(parts.values())
    for key in sorted(weights, key=lambda k: (-(total * weights[k] % whole), k))[:leftover]:
        parts[key] += 1
    return parts


def _order_splits(cycle: OrderCycle) -> dict[int, tuple[int, int]]:
    """Per sold order of the cycle: (aid-paid goods, aid-paid delivery fee). Aid money
    pays the goods first, then the delivery fee (nothing when the cycle predates the
    rule)."""
    orders = Order.objects.filter(
        cycle=cycle, status__in=[OrderStatus.CONFIRMED, OrderStatus.DELIVERED]
    )
    if not cycle.aid_fee_exempt:
        return {o.pk: (0, 0) for o in orders}
    splits = {}
    for order in orders:
        aid = order_aid_paid(order=order)
        goods = order.goods_total - order.refund_total
        splits[order.pk] = (min(aid, goods), max(0, aid - goods))
    return splits


def cycle_breakdown(*, cycle: OrderCycle) -> Breakdown:
    """The fee split of a cycle by the public rules in force when it opened (copied onto
    the cycle; integer rupiah).

    Rule for aid money (``OrderCycle.aid_fee_exempt``): the operations fee is charged only
    on the part of the goods paid with cash or QRIS. Per order, the aid-paid goods
    (``_order_splits``) are shared among its UMKM in proportion to their goods in the
    order (largest remainder, so the parts add up to the order's aid-paid goods); per
    UMKM over the cycle, fee = (gross - aid-paid part) x rate, rounded down, so the UMKM
    receives all of its aid-paid part. Of the delivery fees, the aid-paid part goes
    wholly to the couriers; only the cash part is shared between couriers and the
    operational fund. So the operational fund receives nothing from aid money, and the
    split still sums to what buyers paid (``balance`` is 0)."""
    splits = _order_splits(cycle)
    gross: dict[int, tuple[str, int]] = {}
    per_order: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for line in _sold_lines(cycle.kelurahan, order__cycle=cycle):
        for org, _product, _units, rupiah in _line_parts(line):
            name, total = gross.get(org.pk, (org.name, 0))
            gross[org.pk] = (name, total + rupiah)
            per_order[line.order_id][org.pk] += rupiah
    aid_by_umkm: dict[int, int] = defaultdict(int)
    aid_goods = 0
    for order_id, by_org in per_order.items():
        aid = min(splits.get(order_id, (0, 0))[0], sum(by_org.values()))
        aid_goods += aid
        for pk, part in _largest_remainder(aid, dict(by_org)).items():
            aid_by_umkm[pk] += part
    rows = []
    ids = []
    aid_rows = []
    for pk, (name, total) in sorted(gross.items(), key=lambda kv: (kv[1][0], kv[0])):
        fee = (total - aid_by_umkm[pk]) * cycle.operations_fee_bp // 10000
        rows.append((name, total, fee, total - fee))
        ids.append(pk)
        aid_rows.append(aid_by_umkm[pk])
    goods = sum(r[1] for r in rows)
    delivery = sum(
        Order.objects.filter(
            cycle=cycle, status__in=[OrderStatus.CONFIRMED, OrderStatus.DELIVERED]
        ).values_list("delivery_fee", flat=True)
    )
    aid_delivery = min(delivery, sum(d for _g, d in splits.values()))
    cash_delivery = delivery - aid_delivery
    courier_cash = cash_delivery * cycle.courier_share_bp // 10000
    return Breakdown(
        goods=goods,
        operations_fee=sum(r[2] for r in rows),
        delivery_fees=delivery,
        courier_share=courier_cash + aid_delivery,
        delivery_to_operations=cash_delivery - courier_cash,
        umkm=rows,
        umkm_ids=ids,
        umkm_aid=aid_rows,
        aid_goods=aid_goods,
        aid_delivery=aid_delivery,
        aid_exempt=cycle.aid_fee_exempt,
    )


@dataclass
class PayoutView:
    payout: Any  # a CyclePayout (UMKM) or a CourierPayout
    status: str  # "" until asked for, else the funds disbursement's status
    status_label: str
    approvals: list[int]  # officers who approved
    requested_by_id: int | None


def cycle_payouts(*, cycle: OrderCycle) -> list[PayoutView]:
    """What the settlement credited each UMKM and where its payout stands."""
    payouts = list(
        CyclePayout.objects.filter(cycle=cycle)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )
    return _payout_views(cycle, payouts)


def cycle_courier_payouts(*, cycle: OrderCycle) -> list[PayoutView]:
    """The couriers' payouts asked for in this cycle and where each stands."""
    payouts = list(
        CourierPayout.objects.filter(cycle=cycle)
        .select_related("courier")
        .order_by("courier__label", "pk")
    )
    return _payout_views(cycle, payouts)


def _payout_views(cycle: OrderCycle, payouts: list[Any]) -> list[PayoutView]:
    ids = [p.disbursement_id for p in payouts if p.disbursement_id]
    rows = {
        d.pk: d
        for d in funds_selectors.disbursement_list(kelurahan=cycle.kelurahan).filter(pk__in=ids)
    }
    views = []
    for payout in payouts:
        row = rows.get(payout.disbursement_id or 0)
        views.append(
            PayoutView(
                payout,
                row.status if row else "",
                str(row.get_status_display()) if row else "",
                [a.officer_id for a in row.approvals.all()] if row else [],
                row.requested_by_id if row else None,
            )
        )
    return views


def payout_get(*, cycle: OrderCycle, pk: int) -> CyclePayout:
    """One payout of the cycle."""
    payout = (
        CyclePayout.objects.filter(cycle=cycle, pk=pk).select_related("cycle__kelurahan").first()
    )
    if payout is None:
        raise NotFound("Pembayaran UMKM tidak ditemukan.")
    return payout


def courier_payout_get(*, cycle: OrderCycle, pk: int) -> CourierPayout:
    """One courier payout of the cycle."""
    payout = (
        CourierPayout.objects.filter(cycle=cycle, pk=pk)
        .select_related("cycle__kelurahan", "courier")
        .first()
    )
    if payout is None:
        raise NotFound("Pembayaran kurir tidak ditemukan.")
    return payout


@dataclass
class CourierShare:
    """A courier's part of a cycle's couriers' share (``courier`` None: delivery fees of
    orders that were on no courier's route)."""

    courier: Courier | None
    deliveries: int
    delivery_fees: int
    amount: int


def courier_shares(*, cycle: OrderCycle) -> list[CourierShare]:
    """Split the cycle's couriers' share (``cycle_breakdown().courier_share``) by the
    delivery fees of the orders each courier's route carried. Integer rupiah by largest
    remainder, so the parts add up to the share exactly."""
    fees = dict(
        Order.objects.filter(
            cycle=cycle,
            status__in=[OrderStatus.CONFIRMED, OrderStatus.DELIVERED],
            delivery_fee__gt=0,
        ).values_list("pk", "delivery_fee")
    )
    share = cycle_breakdown(cycle=cycle).courier_share
    # Each order's weight is what it gives the couriers (in 1/10000 rupiah): the share
    # rate of its cash-paid fee, all of its aid-paid fee.
    splits = _order_splits(cycle)
    weight = {
        pk: (fee - min(fee, splits.get(pk, (0, 0))[1])) * cycle.courier_share_bp
        + min(fee, splits.get(pk, (0, 0))[1]) * 10000
        for pk, fee in fees.items()
    }
    carrier: dict[int, int] = {}
    for order_id, courier_id in (
        RouteStop.objects.filter(plan__cycle=cycle, kind=StopKind.DROP)
        .order_by("plan_id", "sequence")
        .values_list("orders", "plan__courier_id")
    ):
        if order_id in fees:
            carrier.setdefault(order_id, courier_id)
    per: dict[int | None, list[int]] = defaultdict(lambda: [0, 0, 0])
    for order_id, fee in fees.items():
        entry = per[carrier.get(order_id)]
        entry[0] += fee
        entry[1] += 1
        entry[2] += weight[order_id]
    keys = sorted(per, key=lambda k: (k is None, k or 0))
    # "No route" (None) takes a key after every courier, so ties favour the couriers.
    last = 2**62
    ranked = _largest_remainder(share, {(last if k is None else k): per[k][2] for k in keys})
    parts = {k: ranked[last if k is None else k] for k in keys}
    couriers = {c.pk: c for c in Courier.objects.filter(pk__in=[k for k in keys if k])}
    return [
        CourierShare(
            courier=couriers[k] if k is not None else None,
            deliveries=per[k][1],
            delivery_fees=per[k][0],
            amount=parts[k],
        )
        for k in keys
    ]
