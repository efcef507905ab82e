"""UMKM sales per cycle with baseline and growth (also read by the dashboard)."""

from collections import defaultdict
from dataclasses import dataclass

from gotong.registry.models import Organisation
from gotong.territory.models import Kelurahan

from ..models import (
    CycleStatus,
    OrderCycle,
)
from ._common import _line_parts, _sold_lines
from .fees import settings_for
from .ratings import RatingSummary, umkm_ratings


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
