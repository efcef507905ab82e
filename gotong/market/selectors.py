"""Market reads, always given the kelurahan: catalogue, cycles and offers, orders, pick
lists, route sheets, the public fee breakdown, the couriers' shares, UMKM sales with
baseline and growth, and UMKM ratings."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.core.exceptions import NotFound
from gotong.core.money import rupiah_format
from gotong.registry.models import Organisation, OrganisationKind, OrganisationStatus
from gotong.territory.models import Kelurahan

from .models import (
    Bundle,
    BundleComponent,
    Courier,
    CourierPayout,
    CyclePayout,
    CycleStatus,
    CycleStock,
    LineStatus,
    Offer,
    Order,
    OrderCycle,
    OrderLine,
    OrderRating,
    OrderStatus,
    PaymentMethod,
    Product,
    RoutePlan,
    RouteStop,
    Seller,
    StopKind,
)
from .services import settings_for

SOLD_LINES = [LineStatus.CONFIRMED, LineStatus.FALLBACK]


def product_catalogue(*, kelurahan: Kelurahan) -> QuerySet[Product]:
    """Active products of approved UMKM, for the public catalogue."""
    return (
        Product.objects.filter(
            kelurahan=kelurahan,
            is_active=True,
            organisation__kind=OrganisationKind.UMKM,
            organisation__status=OrganisationStatus.APPROVED,
        )
        .select_related("organisation")
        .order_by("category", "name", "pk")
    )


def product_get(*, kelurahan: Kelurahan, pk: int) -> Product:
    """One product of this kelurahan."""
    product = (
        Product.objects.filter(kelurahan=kelurahan, pk=pk).select_related("organisation").first()
    )
    if product is None:
        raise NotFound("Produk tidak ditemukan.")
    return product


def product_list_for_seller(*, kelurahan: Kelurahan, user: Any) -> QuerySet[Product]:
    """Products of the UMKM the user manages."""
    orgs = Seller.objects.filter(kelurahan=kelurahan, user=user).values("organisation_id")
    return (
        Product.objects.filter(kelurahan=kelurahan, organisation_id__in=orgs)
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


def product_list_managed(
    *, kelurahan: Kelurahan, organisation_ids: set[int] | None
) -> QuerySet[Product]:
    """Every product, active or not, of the given UMKM (None: of every UMKM, for officers)."""
    qs = Product.objects.filter(kelurahan=kelurahan).select_related("organisation")
    if organisation_ids is not None:
        qs = qs.filter(organisation_id__in=organisation_ids)
    return qs.order_by("organisation__name", "name", "pk")


def umkm_managed(
    *, kelurahan: Kelurahan, organisation_ids: set[int] | None
) -> QuerySet[Organisation]:
    """UMKM of any status among the given ones (None: every UMKM of the kelurahan)."""
    qs = Organisation.objects.filter(kelurahan=kelurahan, kind=OrganisationKind.UMKM)
    if organisation_ids is not None:
        qs = qs.filter(pk__in=organisation_ids)
    return qs.order_by("name", "pk")


def seller_list(*, kelurahan: Kelurahan) -> QuerySet[Seller]:
    """Who manages which UMKM's products."""
    return (
        Seller.objects.filter(kelurahan=kelurahan)
        .select_related("organisation", "user")
        .order_by("organisation__name", "pk")
    )


def seller_get(*, kelurahan: Kelurahan, pk: int) -> Seller:
    """One seller link of this kelurahan, or NotFound."""
    found = Seller.objects.filter(kelurahan=kelurahan, pk=pk).select_related("organisation").first()
    if found is None:
        raise NotFound(_("No such seller in this kelurahan."))
    return found


def umkm_list(*, kelurahan: Kelurahan) -> QuerySet[Organisation]:
    """Approved UMKM of the kelurahan."""
    return Organisation.objects.filter(
        kelurahan=kelurahan, kind=OrganisationKind.UMKM, status=OrganisationStatus.APPROVED
    ).order_by("name")


def bundle_list(*, kelurahan: Kelurahan) -> QuerySet[Bundle]:
    """Active bundles with their components."""
    return (
        Bundle.objects.filter(kelurahan=kelurahan, is_active=True)
        .prefetch_related(
            Prefetch(
                "components",
                queryset=BundleComponent.objects.select_related("product__organisation"),
            )
        )
        .order_by("name")
    )


def cycle_list(*, kelurahan: Kelurahan) -> QuerySet[OrderCycle]:
    """Cycles, newest first."""
    return OrderCycle.objects.filter(kelurahan=kelurahan).order_by("-opens_at")


def cycle_get(*, kelurahan: Kelurahan, pk: int) -> OrderCycle:
    """One cycle of this kelurahan."""
    cycle = (
        OrderCycle.objects.filter(kelurahan=kelurahan, pk=pk).select_related("kelurahan").first()
    )
    if cycle is None:
        raise NotFound("Siklus pesanan tidak ditemukan.")
    return cycle


def cycle_current(*, kelurahan: Kelurahan, now: dt.datetime | None = None) -> OrderCycle | None:
    """The cycle taking orders now, if any."""
    now = now or timezone.now()
    return (
        OrderCycle.objects.filter(
            kelurahan=kelurahan, status=CycleStatus.OPEN, opens_at__lte=now, closes_at__gt=now
        )
        .select_related("kelurahan")
        .order_by("closes_at")
        .first()
    )


@dataclass
class OfferView:
    offer: Offer
    name: str
    price: int
    left: int
    components: list[BundleComponent] = field(default_factory=list)
    photo_product: Product | None = None

    @property
    def progress_pct(self) -> int:
        if not self.offer.threshold:
            return 100
        return min(100, self.offer.ordered * 100 // self.offer.threshold)


def offer_list(*, cycle: OrderCycle) -> list[OfferView]:
    """Offers of a cycle with what is left (the smallest of their products' stock) and
    the progress towards bulk thresholds."""
    stocks = {s.product_id: s.limit - s.used for s in CycleStock.objects.filter(cycle=cycle)}
    offers = (
        Offer.objects.filter(cycle=cycle)
        .select_related("product__organisation", "bundle")
        .prefetch_related(
            Prefetch(
                "bundle__components",
                queryset=BundleComponent.objects.select_related("product__organisation"),
            )
        )
        .order_by("bundle_id", "pk")
    )
    views = []
    for offer in offers:
        if offer.bundle_id:
            components = list(offer.bundle.components.all())  # type: ignore[union-attr]
            left = min((stocks.get(c.product_id, 0) // c.quantity for c in components), default=0)
            views.append(OfferView(offer, offer.bundle.name, offer.price, left, components))  # type: ignore[union-attr]
        else:
            product: Any = offer.product
            views.append(
                OfferView(
                    offer,
                    product.name,
                    offer.price,
                    stocks.get(product.pk, 0),
                    photo_product=product,
                )
            )
    # Bundles first: they are the week's package.
    views.sort(key=lambda v: (v.offer.bundle_id is None, v.offer.pk))
    return views


def offer_get(*, cycle: OrderCycle, pk: int) -> Offer:
    """One offer of the cycle."""
    offer = (
        Offer.objects.filter(cycle=cycle, pk=pk)
        .select_related("product", "bundle", "cycle")
        .first()
    )
    if offer is None:
        raise NotFound("Barang ini tidak ditawarkan di siklus ini.")
    return offer


def order_list_for_user(*, kelurahan: Kelurahan, user: Any) -> QuerySet[Order]:
    """The user's own orders."""
    return (
        Order.objects.filter(kelurahan=kelurahan, buyer=user)
        .select_related("cycle", "rt__rw")
        .order_by("-created_at")
    )


def order_get(*, kelurahan: Kelurahan, pk: int) -> Order:
    """One order of this kelurahan with its lines."""
    order = (
        Order.objects.filter(kelurahan=kelurahan, pk=pk)
        .select_related("cycle", "rt__rw", "buyer")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related(
                    "offer__product",
                    "offer__bundle",
                    "fallback_offer__product",
                    "fallback_offer__bundle",
                ),
            )
        )
        .first()
    )
    if order is None:
        raise NotFound("Pesanan tidak ditemukan.")
    return order


def _sold_lines(kelurahan: Kelurahan, **filters: Any) -> QuerySet[OrderLine]:
    return (
        OrderLine.objects.filter(
            order__kelurahan=kelurahan,
            status__in=SOLD_LINES,
            order__status__in=[OrderStatus.CONFIRMED, OrderStatus.DELIVERED],
            **filters,
        )
        .select_related(
            "order", "offer__product__organisation", "fallback_offer__product__organisation"
        )
        .prefetch_related(
            Prefetch(
                "offer__bundle__components",
                queryset=BundleComponent.objects.select_related("product__organisation"),
            ),
            Prefetch(
                "fallback_offer__bundle__components",
                queryset=BundleComponent.objects.select_related("product__organisation"),
            ),
        )
    )


def _line_parts(line: OrderLine) -> list[tuple[Organisation, Product, int, int]]:
    """(UMKM, product, units, rupiah) the line brings each UMKM."""
    offer: Any = line.fallback_offer if line.status == LineStatus.FALLBACK else line.offer
    if offer.product_id:
        product = offer.product
        return [(product.organisation, product, line.quantity, line.unit_price * line.quantity)]
    return [
        (c.product.organisation, c.product, c.quantity * line.quantity, c.share * line.quantity)
        for c in offer.bundle.components.all()
    ]


def order_umkm(*, order: Order) -> list[Organisation]:
    """The UMKM whose goods the order brought (its confirmed or fallback lines)."""
    found: dict[int, Organisation] = {}
    for line in _sold_lines(order.kelurahan, order=order):
        for org, _product, _units, _rupiah in _line_parts(line):
            found.setdefault(org.pk, org)
    return sorted(found.values(), key=lambda o: (o.name, o.pk))


def order_ratings(*, order: Order) -> QuerySet[OrderRating]:
    """The stars the buyer gave the order's UMKM (empty until rated)."""
    return OrderRating.objects.filter(order=order).select_related("organisation").order_by("pk")


# The public catalogue shows a UMKM's average only from this many ratings on.
PUBLIC_RATING_MIN = 3


@dataclass(frozen=True)
class RatingSummary:
    average: float  # one decimal
    count: int


def umkm_ratings(*, kelurahan: Kelurahan, public: bool = False) -> dict[int, RatingSummary]:
    """Average stars and number of ratings per UMKM (one query); ``public``: only UMKM
    with at least ``PUBLIC_RATING_MIN`` ratings, as shown on the catalogue."""
    rows = (
        OrderRating.objects.filter(kelurahan=kelurahan)
        .values("organisation_id")
        .annotate(avg=Avg("stars"), n=Count("pk"))
    )
    return {
        r["organisation_id"]: RatingSummary(round(float(r["avg"]), 1), int(r["n"]))
        for r in rows
        if not public or r["n"] >= PUBLIC_RATING_MIN
    }


def umkm_rating_comments(
    *, kelurahan: Kelurahan, organisation: Organisation, limit: int = 5
) -> list[OrderRating]:
    """The latest comments a UMKM received (for that UMKM and officers; no buyer shown)."""
    return list(
        OrderRating.objects.filter(kelurahan=kelurahan, organisation=organisation)
        .exclude(comment="")
        .only("stars", "comment", "created_at")
        .order_by("-created_at", "-pk")[:limit]
    )


@dataclass
class PickList:
    organisation: Organisation
    items: dict[str, int]  # "product (unit)" -> units
    orders: list[str]  # order codes that include this UMKM's goods
    revenue: int

    @property
    def rows(self) -> list[tuple[str, int]]:
        return sorted(self.items.items())


def pick_lists(*, cycle: OrderCycle) -> list[PickList]:
    """Per UMKM: the units to prepare and the orders they go into (after closing)."""
    lists: dict[int, PickList] = {}
    for line in _sold_lines(cycle.kelurahan, order__cycle=cycle):
        for org, product, units, rupiah in _line_parts(line):
            entry = lists.setdefault(org.pk, PickList(org, defaultdict(int), [], 0))
            entry.items[str(product)] += units
            entry.revenue += rupiah
            if line.order.code not in entry.orders:
                entry.orders.append(line.order.code)
    for entry in lists.values():
        entry.items = dict(entry.items)
    return sorted(lists.values(), key=lambda p: p.organisation.name)


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


def statement_line_orders(*, kelurahan: Kelurahan, line_ids: list[int]) -> dict[int, str]:
    """Bank statement lines that paid a market order (the funds import page): line id ->
    "Market order <code>" (order codes only, no buyer)."""
    from django.utils.translation import gettext

    rows = Order.objects.filter(
        kelurahan=kelurahan, payment_statement_line_id__in=line_ids
    ).values_list("payment_statement_line_id", "code")
    return {
        line_id: gettext("Market order %(code)s") % {"code": code}
        for line_id, code in rows
        if line_id is not None
    }


@dataclass
class OrderPayment:
    """How an order is paid: what is due, the QRIS code to pay it, what is owed back."""

    order: Order
    qris_payload: str | None
    qris_svg: str

    @property
    def bank_reference(self) -> str:
        return self.order.payment_reference


def order_payment(*, order: Order) -> OrderPayment:
    """The order's payment state and, for a QRIS order still owing, the dynamic QRIS."""
    from gotong.funds import services as funds_services

    from .services import order_qris_payload

    payload = order_qris_payload(order=order)
    return OrderPayment(order, payload, funds_services.qris_svg(payload) if payload else "")


def cycle_orders_payments(*, cycle: OrderCycle) -> QuerySet[Order]:
    """The cycle's orders with how they are paid (for the treasurer and operators)."""
    return Order.objects.filter(cycle=cycle).select_related("rt__rw").order_by("code")


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
    from gotong.funds import selectors as funds_selectors

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


def route_sheets(*, cycle: OrderCycle) -> QuerySet[RoutePlan]:
    """The couriers' routes with their stops and orders."""
    return (
        RoutePlan.objects.filter(cycle=cycle)
        .select_related("courier")
        .prefetch_related(
            Prefetch(
                "stops",
                queryset=RouteStop.objects.select_related(
                    "organisation__rt__rw", "rt__rw"
                ).prefetch_related("orders"),
            )
        )
        .order_by("pk")
    )


def route_sheets_for_courier(*, kelurahan: Kelurahan, user: Any) -> QuerySet[RoutePlan]:
    """The routes of the user's courier profiles, newest cycle first."""
    return (
        RoutePlan.objects.filter(cycle__kelurahan=kelurahan, courier__user=user)
        .select_related("courier", "cycle")
        .order_by("-cycle__delivery_date", "-pk")
    )


def route_sheet_get(*, kelurahan: Kelurahan, pk: int) -> RoutePlan:
    """One route of this kelurahan with its stops and their orders."""
    plan = (
        RoutePlan.objects.filter(cycle__kelurahan=kelurahan, pk=pk)
        .select_related("courier", "cycle")
        .prefetch_related(
            Prefetch(
                "stops",
                queryset=RouteStop.objects.select_related(
                    "organisation", "rt__rw"
                ).prefetch_related("orders"),
            )
        )
        .first()
    )
    if plan is None:
        raise NotFound("Rute tidak ditemukan.")
    return plan


def courier_list(*, kelurahan: Kelurahan, include_inactive: bool = False) -> QuerySet[Courier]:
    """Active couriers (with ``include_inactive``, every courier, the active ones first)."""
    if include_inactive:
        return Courier.objects.filter(kelurahan=kelurahan).order_by("-is_active", "label")
    return Courier.objects.filter(kelurahan=kelurahan, is_active=True).order_by("label")


def courier_get(*, kelurahan: Kelurahan, pk: int) -> Courier:
    """One courier of this kelurahan (active or not), or NotFound."""
    found = Courier.objects.filter(kelurahan=kelurahan, pk=pk).first()
    if found is None:
        raise NotFound(_("No such courier in this kelurahan."))
    return found


@dataclass
class SalesRow:
    cycle: OrderCycle
    orders: int
    revenue: int


@dataclass
class UmkmSales:
    organisation: Organisation
    rows: list[SalesRow]
    customers: int
    repeat_customers: int
    baseline_avg: int
    recent_avg: int
    rating: RatingSummary | None = None

    @property
    def growth_pct(self) -> float | None:
        if not self.baseline_avg or not self.recent_avg:
            return None
        return round((self.recent_avg - self.baseline_avg) * 100 / self.baseline_avg, 1)

    @property
    def revenue(self) -> int:
        return sum(r.revenue for r in self.rows)


def umkm_sales(
    *, kelurahan: Kelurahan, organisation: Organisation | None = None
) -> list[UmkmSales]:
    """Per UMKM and closed cycle: orders and revenue; repeat customers; the average of the
    first ``baseline_cycles`` cycles (the baseline) against the average since (growth);
    the UMKM's average rating and number of ratings."""
    fees = settings_for(kelurahan)
    cycles = list(
        OrderCycle.objects.filter(
            kelurahan=kelurahan, status__in=[CycleStatus.CLOSED, CycleStatus.FULFILLED]
        ).order_by("opens_at")
    )
    revenue: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    orders: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    buyers: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    orgs: dict[int, Organisation] = {}
    lines = _sold_lines(kelurahan, order__cycle__in=cycles)
    for line in lines:
        for org, _product, _units, rupiah in _line_parts(line):
            if organisation is not None and org.pk != organisation.pk:
                continue
            orgs[org.pk] = org
            revenue[org.pk][line.order.cycle_id] += rupiah
            orders[org.pk][line.order.cycle_id].add(line.order_id)
            buyers[org.pk][line.order.buyer_id].add(line.order.cycle_id)
    if organisation is not None:
        orgs.setdefault(organisation.pk, organisation)
    result = []
    base_n = fees.baseline_cycles
    ratings = umkm_ratings(kelurahan=kelurahan)
    for pk, org in sorted(orgs.items(), key=lambda kv: kv[1].name):
        rows = [SalesRow(c, len(orders[pk][c.pk]), revenue[pk][c.pk]) for c in cycles]
        base = [r.revenue for r in rows[:base_n]]
        recent = [r.revenue for r in rows[base_n:]]
        result.append(
            UmkmSales(
                organisation=org,
                rows=rows,
                customers=len(buyers[pk]),
                repeat_customers=sum(1 for seen in buyers[pk].values() if len(seen) > 1),
                baseline_avg=sum(base) // len(base) if base else 0,
                recent_avg=sum(recent) // len(recent) if recent else 0,
                rating=ratings.get(pk),
            )
        )
    return result


def umkm_growth_total(*, kelurahan: Kelurahan) -> float | None:
    """Growth of all UMKM's average cycle revenue against the baseline, in percent."""
    sales = umkm_sales(kelurahan=kelurahan)
    base = sum(s.baseline_avg for s in sales)
    recent = sum(s.recent_avg for s in sales)
    return round((recent - base) * 100 / base, 1) if base and recent else None


def bundles_whatsapp_text(*, cycle: OrderCycle, url: str) -> str:
    """A WhatsApp-ready message of the week's bundles (sending waits for the channels app)."""
    closes = timezone.localtime(cycle.closes_at)
    lines = [f"*Paket Pasar Gotong Royong - {cycle.title}*", ""]
    for view in offer_list(cycle=cycle):
        if view.offer.bundle_id:
            parts = ", ".join(
                f"{c.product.name} {c.quantity} {c.product.unit}" for c in view.components
            )
            lines.append(f"- {view.name}: {rupiah_format(view.price)} ({parts})")
        else:
            lines.append(f"- {view.name}: {rupiah_format(view.price)}/{view.offer.product.unit}")  # type: ignore[union-attr]
        if view.offer.threshold:
            lines.append(f"  Beli bersama: {view.offer.ordered}/{view.offer.threshold} terkumpul")
    lines += [
        "",
        f"Pesan sampai {closes:%d/%m %H:%M} WIB, diantar/diambil {cycle.delivery_date:%d/%m/%Y}.",
        f"Pesan di: {url}",
    ]
    return "\n".join(lines)
