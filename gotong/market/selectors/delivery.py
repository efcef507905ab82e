"""Route sheets and couriers."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from gotong.core.exceptions import NotFound
from gotong.territory.models import Kelurahan

from ..models import (
    Courier,
    OrderCycle,
    RoutePlan,
    RouteStop,
)


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
