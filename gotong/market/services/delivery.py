"""Couriers, route plans and drop-offs."""

import hmac
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.models import Role
from gotong.accounts.permissions import permission_gate, permission_require
from gotong.core.exceptions import (
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from gotong.core.money import rupiah_format
from gotong.registry.models import Organisation
from gotong.territory.models import RT, Kelurahan
from gotong.transparency.services import evidence_upload

from .. import routing
from ..models import (
    BundleComponent,
    Courier,
    CycleStatus,
    Fulfilment,
    LineStatus,
    Order,
    OrderCycle,
    OrderLine,
    OrderStatus,
    Product,
    RoutePlan,
    RouteStop,
    StopKind,
)
from ..selectors import recipient_code, user_is_officer
from ..transitions import (
    CYCLE_ROUTABLE,
    CYCLE_TRANSITIONS,
    ORDER_TRANSITIONS,
    order_step_check,
    sources,
)
from ._common import (
    _cash_receive,
    _log,
    _member_for_phone,
    _text,
)

COURIER_CAPACITY_MAX = 200


@transaction.atomic
def courier_create(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    label: str,
    capacity: int,
    user: Any = None,
    is_paid: bool = False,
) -> Courier:
    """An operator registers a community courier and how many packages they carry."""
    permission_require(actor, "market.manage", kelurahan)
    label = _text(label, "label", low=2, high=60, message=_("Give the courier's name."))
    if not isinstance(capacity, int) or not 1 <= capacity <= COURIER_CAPACITY_MAX:
        raise ValidationFailed(
            _("A courier carries between 1 and 200 packages."), {"field": "capacity"}
        )
    courier = Courier.objects.create(
        kelurahan=kelurahan, label=label, capacity=capacity, user=user, is_paid=is_paid
    )
    _log(
        kelurahan,
        "market.courier_added",
        actor,
        f"courier:{courier.pk}",
        {"capacity": capacity, "paid": is_paid},
    )
    return courier


@transaction.atomic
def courier_update(*, actor: Any, courier: Courier, capacity: int, is_active: bool) -> Courier:
    """An operator changes how many packages a courier carries, or takes them off (or back
    on) the couriers who can be given routes. Routes already planned keep their courier
    and load; the change counts for the next route plan. Nothing changed: no log entry."""
    kelurahan = courier.kelurahan
    permission_require(actor, "market.manage", kelurahan)
    if (
        not isinstance(capacity, int)
        or isinstance(capacity, bool)
        or not 1 <= capacity <= COURIER_CAPACITY_MAX
    ):
        raise ValidationFailed(
            _("A courier carries between 1 and 200 packages."), {"field": "capacity"}
        )
    if not isinstance(is_active, bool):
        raise ValidationFailed(_("Say whether the courier is active."), {"field": "is_active"})
    courier = Courier.objects.select_for_update().get(pk=courier.pk, kelurahan=kelurahan)
    if (
        is_active
        and not courier.is_active
        and courier.user_id is not None
        and Courier.objects.filter(kelurahan=kelurahan, user_id=courier.user_id, is_active=True)
        .exclude(pk=courier.pk)
        .exists()
    ):
        raise Conflict(_("This person is already a courier here."), {"field": "is_active"})
    before = {"capacity": courier.capacity, "active": courier.is_active}
    after = {"capacity": capacity, "active": is_active}
    if before == after:
        return courier
    courier.capacity = capacity
    courier.is_active = is_active
    courier.save(update_fields=["capacity", "is_active", "updated_at"])
    _log(
        kelurahan,
        "market.courier_updated",
        actor,
        f"courier:{courier.pk}",
        {**after, "was": before},
    )
    return courier


@transaction.atomic
def courier_create_for_phone(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    label: str,
    capacity: int,
    phone: str,
    is_paid: bool = False,
) -> Courier:
    """A courier linked to a person by phone number (given the volunteer role in the
    kelurahan when they hold none), so they see their route sheet and record drop-offs."""
    permission_require(actor, "market.manage", kelurahan)
    user = _member_for_phone(actor=actor, kelurahan=kelurahan, phone=phone, role=Role.RELAWAN)
    if Courier.objects.filter(kelurahan=kelurahan, user=user, is_active=True).exists():
        raise Conflict(_("This person is already a courier here."), {"field": "phone"})
    return courier_create(
        actor=actor, kelurahan=kelurahan, label=label, capacity=capacity, user=user, is_paid=is_paid
    )


def _hub(cycle: OrderCycle, orders: Sequence[Order]) -> tuple[float, float]:
    """The cycle's hub, else the kelurahan's centre, else the middle of the orders."""
    if cycle.hub_lat is not None and cycle.hub_lon is not None:
        return (cycle.hub_lat, cycle.hub_lon)
    k = cycle.kelurahan
    if k.centroid_lat is not None:
        return (float(k.centroid_lat), float(k.centroid_lon or 0))
    places = [(o.lat, o.lon) for o in orders if o.lat is not None and o.lon is not None]
    if places:
        lats = [float(p[0] or 0) for p in places]
        lons = [float(p[1] or 0) for p in places]
        return (sum(lats) / len(lats), sum(lons) / len(lons))
    return (0.0, 0.0)


def _place(rt: RT | None, fallback: tuple[float, float]) -> tuple[float, float]:
    if rt is not None and rt.centroid_lat is not None:
        return (float(rt.centroid_lat), float(rt.centroid_lon or 0))
    return fallback


@transaction.atomic
def routes_plan(
    *,
    actor: Any,
    cycle: OrderCycle,
    couriers: Iterable[Courier] | None = None,
    time_limit_s: float = 3.0,
) -> list[RoutePlan]:
    """Plan the couriers' routes for a closed cycle: one collection run through the UMKM,
    then capacitated routes to every house and RT pickup point (replaces an earlier plan)."""
    kelurahan = cycle.kelurahan
    if actor is not None:
        permission_require(actor, "market.manage", kelurahan)
    if cycle.status not in CYCLE_ROUTABLE:
        raise Conflict(_("Routes are planned after the cycle closes."), {"field": "status"})
    chosen = (
        list(couriers)
        if couriers is not None
        else list(Courier.objects.filter(kelurahan=kelurahan, is_active=True).order_by("pk"))
    )
    if any(c.kelurahan_id != kelurahan.pk for c in chosen):
        raise NotFound(_("That courier is not in this kelurahan."), {"field": "couriers"})
    if not chosen:
        raise ValidationFailed(_("Register at least one courier first."), {"field": "couriers"})
    if Order.objects.filter(cycle=cycle, status=OrderStatus.DELIVERED).exists():
        raise Conflict(_("Drop-offs are already recorded; the plan cannot change now."))
    orders = list(
        Order.objects.filter(
            cycle=cycle, status__in=sources(ORDER_TRANSITIONS, OrderStatus.DELIVERED)
        )
        .select_related("rt")
        .order_by("pk")
    )
    hub = _hub(cycle, orders)
    drops: dict[str, routing.Drop] = {}
    members: dict[str, list[Order]] = defaultdict(list)
    for order in orders:
        if order.fulfilment == Fulfilment.PICKUP:
            key = f"rt:{order.rt_id}"
            lat, lon = _place(order.rt, hub)
        else:
            key = f"order:{order.pk}"
            lat, lon = (
                (order.lat, order.lon or 0.0) if order.lat is not None else _place(order.rt, hub)
            )
        members[key].append(order)
        old = drops.get(key)
        drops[key] = routing.Drop(key, lat, lon, (old.demand if old else 0) + 1)
    sellers = {
        o.pk: o
        for o in Organisation.objects.filter(pk__in=_cycle_seller_ids(cycle)).select_related("rt")
    }
    pickups = [(f"organisation:{pk}", *_place(o.rt, hub)) for pk, o in sorted(sellers.items())]
    try:
        plan = routing.plan_routes(
            hub=hub,
            pickups=pickups,
            drops=list(drops.values()),
            capacities=[c.capacity for c in chosen],
            time_limit_s=time_limit_s,
        )
    except routing.RoutingInfeasible as exc:
        if exc.args and exc.args[0] == routing.OVER_CAPACITY:
            message = str(
                _("The couriers cannot carry every package: %(need)s packages, capacity %(cap)s.")
                % {"need": len(orders), "cap": sum(c.capacity for c in chosen)}
            )
        else:
            message = str(_("No route plan fits the couriers' working hours; add a courier."))
        raise ValidationFailed(message, {"field": "couriers", "reason": str(exc)}) from exc
    RoutePlan.objects.filter(cycle=cycle).delete()
    plans: list[RoutePlan] = []
    first_with_route = next((i for i, r in enumerate(plan.routes) if r), 0)
    for index, (courier, keys) in enumerate(zip(chosen, plan.routes, strict=True)):
        if not keys and index != first_with_route:
            continue
        route = RoutePlan.objects.create(
            cycle=cycle,
            courier=courier,
            distance_m=plan.route_distances[index]
            + (plan.collection_distance if index == first_with_route else 0),
            load=plan.loads[index],
        )
        sequence = 0
        if index == first_with_route:
            for key in plan.collection:
                org = sellers[int(key.split(":")[1])]
                lat, lon = _place(org.rt, hub)
                sequence += 1
                RouteStop.objects.create(
                    plan=route,
                    sequence=sequence,
                    kind=StopKind.PICKUP,
                    organisation=org,
                    lat=lat,
                    lon=lon,
                )
        for key in keys:
            base = key.split("#")[0]
            drop = drops[base]
            sequence += 1
            stop = RouteStop.objects.create(
                plan=route,
                sequence=sequence,
                kind=StopKind.DROP,
                lat=drop.lat,
                lon=drop.lon,
                rt=members[base][0].rt,
            )
            stop.orders.set(members[base])
        plans.append(route)
    _log(
        kelurahan,
        "market.routes_planned",
        actor,
        f"cycle:{cycle.pk}",
        {
            "couriers": len(plans),
            "orders": len(orders),
            "distance_m": plan.total_distance,
            "loads": plan.loads,
            "capacities": [c.capacity for c in chosen],
        },
    )
    return plans


def _cycle_seller_ids(cycle: OrderCycle) -> set[int]:
    """The UMKM whose goods are in the cycle's confirmed lines (one query per offer kind)."""
    lines = OrderLine.objects.filter(
        order__cycle=cycle, status__in=[LineStatus.CONFIRMED, LineStatus.FALLBACK]
    )
    delivered: set[int] = set()
    for status, offer_id, fallback_id in lines.values_list(
        "status", "offer_id", "fallback_offer_id"
    ):
        delivered.add(fallback_id if status == LineStatus.FALLBACK else offer_id)
    ids = set(Product.objects.filter(offer__in=delivered).values_list("organisation_id", flat=True))
    ids.update(
        BundleComponent.objects.filter(bundle__offer__in=delivered).values_list(
            "product__organisation_id", flat=True
        )
    )
    return ids


@transaction.atomic
def dropoff_record(
    *,
    actor: Any,
    order: Order,
    code: str = "",
    photo: Any = None,
    cash_collected: int | None = None,
) -> Order:
    """The courier records a drop-off with the buyer's code or a photo (and the cash on
    delivery); the cycle is fulfilled when its last order is delivered. The photo of an
    aid order is filed under its need, so the serving activity shows it as evidence."""
    kelurahan = order.kelurahan
    permission_gate(actor, "market.deliver", kelurahan)
    courier_route = RouteStop.objects.filter(orders=order, plan__courier__user=actor).exists()
    if not courier_route and not user_is_officer(kelurahan=kelurahan, user=actor):
        raise PermissionDenied(_("This order is not on your route."))
    not_waiting = _("This order is not waiting for delivery.")
    frm = order.status
    order_step_check(current=frm, target=OrderStatus.DELIVERED, refused=not_waiting, actor=actor)
    proof = ""
    if code:
        if not hmac.compare_digest(code.strip(), recipient_code(order)):
            raise ValidationFailed(_("The code does not match this order."), {"field": "code"})
        proof = "code"
    elif photo is not None:
        # The photo of an aid order's hand-over is evidence about the need it fulfils, so
        # the activity serving that need shows it (and counts it) as its own evidence.
        subject = f"need:{order.need_id}" if order.need_id else f"market_order:{order.pk}"
        evidence = evidence_upload(
            kelurahan=kelurahan, uploader=actor, subject=subject, upload=photo
        )
        proof = evidence.code
    else:
        raise ValidationFailed(
            _("Enter the buyer's code or take a photo of the hand-over."), {"field": "code"}
        )
    due = order.cash_to_collect
    if due > 0:
        if cash_collected != due:
            raise ValidationFailed(
                _("Cash on delivery: enter the amount received (%(total)s).")
                % {"total": rupiah_format(due)},
                {"field": "cash_collected", "expected": due},
            )
    elif cash_collected:
        raise ValidationFailed(_("This order is not paid in cash."), {"field": "cash_collected"})
    now = timezone.now()
    if not Order.objects.filter(pk=order.pk, status=frm).update(
        status=OrderStatus.DELIVERED,
        delivered_at=now,
        delivery_proof=proof,
        cash_collected=cash_collected,
        updated_at=now,
    ):
        raise Conflict(not_waiting, {"field": "status"})
    if cash_collected:
        _cash_receive(actor, order, cash_collected, now)
    order.refresh_from_db()
    _log(
        kelurahan,
        "market.order_delivered",
        actor,
        f"order:{order.pk}",
        {
            "cycle": f"cycle:{order.cycle_id}",
            "proof": "code" if proof == "code" else "photo",
            "evidence": proof if proof != "code" else None,
            "cash": cash_collected,
        },
    )
    waiting = sources(ORDER_TRANSITIONS, OrderStatus.DELIVERED)
    if not Order.objects.filter(cycle_id=order.cycle_id, status__in=waiting).exists():
        fulfillable = sources(CYCLE_TRANSITIONS, CycleStatus.FULFILLED)
        if OrderCycle.objects.filter(pk=order.cycle_id, status__in=fulfillable).update(
            status=CycleStatus.FULFILLED
        ):
            _log(kelurahan, "market.cycle_fulfilled", None, f"cycle:{order.cycle_id}", {})
    return order
