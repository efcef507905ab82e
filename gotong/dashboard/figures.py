"""Computing a kelurahan's dashboard snapshot from the source tables (run by the refresh
task, never per page request).

This is the dashboard's read model: it reads the tables of the registry, needs,
activities, accounts and transparency apps read-only, with grouped queries and one pass
over per-row value tuples (no model instances), and writes only its own ``Snapshot``.
Every count of people goes through ``suppression`` before it is stored.
"""

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count
from django.utils import timezone

from gotong.accounts.models import Membership
from gotong.activities.models import (
    Activity,
    ActivityNeed,
    ActivityPolicy,
    Assignment,
    Layer,
    Rating,
    SignOff,
)
from gotong.funds.selectors import funds_summary
from gotong.market.selectors import umkm_growth_total
from gotong.needs.models import DEFAULT_TARGET_HOURS, Category, ServiceLevel, Urgency
from gotong.registry.models import Household, OrganisationKind
from gotong.registry.selectors import organisation_list
from gotong.territory.models import RW, Kelurahan
from gotong.transparency.models import Evidence

from . import kpis
from .models import ReferenceCode, ReferenceFigure
from .suppression import ALL, PRIMARY, Cube, small_count

WINDOW_DAYS = 90
MONTHS = 12
STAGE_OF = {
    "submitted": "waiting",
    "verified": "waiting",
    "approved": "waiting",
    "escalated": "waiting",
    "matched": "matched",
    "in_progress": "matched",
    "delivered": "delivered",
    "confirmed": "delivered",
    "signed_off": "delivered",
    "closed": "closed",
    "rejected": "stopped",
    "cancelled": "stopped",
}
# The funnel the documents ask for: needs that reached each milestone. Each milestone is
# its own protected cube (month x RW x category), so every published cell counts people.
MILESTONES = {
    "raised": set(STAGE_OF),
    "matched": {"matched", "in_progress", "delivered", "confirmed", "signed_off", "closed"},
    "delivered": {"delivered", "confirmed", "signed_off", "closed"},
    "closed": {"closed"},
}
FUNNEL = list(MILESTONES)
FINISHED = {"reported", "signed_off", "closed"}
SIGNED = {"signed_off", "closed"}
VALIDATED = {"confirmed", "signed_off", "closed"}


def month_key(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m")


def months_back(now: dt.datetime, n: int = MONTHS) -> list[str]:
    """The last ``n`` months (WIB), oldest first, as YYYY-MM."""
    local = timezone.localtime(now)
    year, month = local.year, local.month
    found = []
    for _step in range(n):
        found.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return found[::-1]


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (the same as numpy's default)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def hours_summary(hours: list[float], target: float) -> dict[str, Any]:
    """Median, 90th percentile and share within target; suppressed under 5 needs."""
    n = len(hours)
    if n < 5:
        return {"n": small_count(n), "p50": None, "p90": None, "within": None}
    return {
        "n": n,
        "p50": round(statistics.median(hours), 1),
        "p90": round(percentile(hours, 0.9), 1),
        "within": round(100 * sum(1 for h in hours if h < target) / n, 1),
    }


def share(numerator: int, denominator: int) -> float | None:
    """Percent with one decimal, or None when the base counts fewer than 5."""
    if denominator < 5:
        return None
    return round(100 * numerator / denominator, 1)


def _targets(kelurahan: Kelurahan) -> dict[str, int]:
    targets = {str(u): h for u, h in DEFAULT_TARGET_HOURS.items()}
    for urgency, hours in ServiceLevel.objects.filter(kelurahan=kelurahan).values_list(
        "urgency", "target_hours"
    ):
        targets[urgency] = hours
    return targets


def _need_rows(kelurahan: Kelurahan) -> list[tuple[Any, ...]]:
    from gotong.needs.models import Need

    return list(
        Need.objects.filter(kelurahan=kelurahan).values_list(
            "pk",
            "rt_id",
            "rt__rw__number",
            "category",
            "urgency",
            "status",
            "beneficiary_household_id",
            "beneficiary_person_id",
            "created_at",
            "delivered_at",
            "raised_by_id",
        )
    )


def snapshot_compute(*, kelurahan: Kelurahan, now: dt.datetime | None = None) -> dict[str, Any]:
    """Every figure of the dashboard for one kelurahan: ``public``, ``cube``, ``officer``."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=WINDOW_DAYS)
    months = months_back(now)
    first_month = months[0]
    targets = _targets(kelurahan)
    rws = list(
        RW.objects.filter(kelurahan=kelurahan)
        .order_by("number")
        .values_list("pk", "number", "boundary")
    )
    rw_numbers = [str(number) for _pk, number, _b in rws]
    needs = _need_rows(kelurahan)

    # --- needs cube and delivery times ----------------------------------------------
    cubes = {
        milestone: Cube(
            dims=["month", "rw", "category"], values=[months, rw_numbers, list(Category.values)]
        )
        for milestone in MILESTONES
    }
    hours_by_urgency: dict[str, list[float]] = defaultdict(list)
    hours_by_month: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    delivered_claims = validated_claims = 0
    claims_by_month: Counter[str] = Counter()
    validated_by_month: Counter[str] = Counter()
    raisers_recent: set[int] = set()
    for (
        _pk,
        _rt,
        rw,
        category,
        urgency,
        status,
        household,
        person,
        created,
        delivered,
        raiser,
    ) in needs:
        month = month_key(created)
        beneficiary = f"h{household}" if household else f"p{person}"
        if month >= first_month:
            for milestone, statuses in MILESTONES.items():
                if status in statuses:
                    cubes[milestone].add((month, str(rw), category), beneficiary)
        if delivered is not None:
            hours = (delivered - created).total_seconds() / 3600
            hours_by_urgency[urgency].append(hours)
            hours_by_month[month_key(delivered)][urgency].append(hours)
            if status in VALIDATED or status == "delivered":
                delivered_claims += 1
                claims_by_month[month_key(delivered)] += 1
                if status in VALIDATED:
                    validated_claims += 1
                    validated_by_month[month_key(delivered)] += 1
        if raiser and created >= since:
            raisers_recent.add(raiser)
    published_cube: dict[str, Any] = {
        "dims": ["month", "rw", "category"],
        "values": [months, rw_numbers, list(Category.values)],
        "milestones": FUNNEL,
        "cells": {},
    }
    for milestone, cube in cubes.items():
        cube.protect()
        for key, value in cube.published()["cells"].items():
            published_cube["cells"][f"{milestone}|{key}"] = value

    def funnel(**filters: str) -> dict[str, int | str]:
        return milestone_row(published_cube, filters)

    delivery = {
        u: {**hours_summary(hours_by_urgency.get(u, []), targets[u]), "target": targets[u]}
        for u in Urgency.values
    }

    # --- activities, sign-offs, evidence, ratings ------------------------------------
    policy_k = (
        ActivityPolicy.objects.filter(kelurahan=kelurahan)
        .values_list("verifiers_required", flat=True)
        .first()
        or 3
    )
    activities = list(
        Activity.objects.filter(kelurahan=kelurahan).values_list(
            "pk", "status", "starts_at", "rt__rw__number", "kind"
        )
    )
    links: dict[int, list[int]] = defaultdict(list)
    for activity_id, need_id in ActivityNeed.objects.filter(
        activity__kelurahan=kelurahan
    ).values_list("activity_id", "need_id"):
        links[activity_id].append(need_id)
    with_photo = set(
        Evidence.objects.filter(kelurahan=kelurahan).values_list("subject", flat=True).distinct()
    )
    layers: dict[int, set[str]] = defaultdict(set)
    independent: Counter[int] = Counter()
    signers_recent: set[int] = set()
    for activity_id, layer, signer, at in SignOff.objects.filter(
        activity__kelurahan=kelurahan
    ).values_list("activity_id", "layer", "signer_id", "at"):
        layers[activity_id].add(layer)
        if layer == Layer.INDEPENDENT:
            independent[activity_id] += 1
        if at >= since:
            signers_recent.add(signer)

    def complete(activity_id: int) -> bool:
        subjects = [f"activity:{activity_id}", *(f"need:{n}" for n in links[activity_id])]
        return (
            any(s in with_photo for s in subjects)
            and {Layer.EXECUTOR, Layer.RT, Layer.RW} <= layers[activity_id]
            and independent[activity_id] >= policy_k
        )

    finished = [a for a in activities if a[1] in FINISHED]
    signed = [a for a in activities if a[1] in SIGNED]
    recent_activities = [a for a in activities if a[1] != "cancelled" and since <= a[2] <= now]
    activities_by_month: Counter[str] = Counter()
    finished_by_month: Counter[str] = Counter()
    complete_by_month: Counter[str] = Counter()
    for pk, status, starts, _rw, _kind in activities:
        if status == "cancelled":
            continue
        activities_by_month[month_key(starts)] += 1
        if status in FINISHED:
            finished_by_month[month_key(starts)] += 1
            complete_by_month[month_key(starts)] += complete(pk)
    ratings = list(
        Rating.objects.filter(kelurahan=kelurahan).values_list("stars", "created_at", "rated_by_id")
    )
    raters_recent = {r for _s, at, r in ratings if r and at >= since}
    stars_by_month: dict[str, list[int]] = defaultdict(list)
    for stars, at, _r in ratings:
        stars_by_month[month_key(at)].append(stars)
    volunteers_recent = set(
        Assignment.objects.filter(
            activity__kelurahan=kelurahan, checked_in_at__gte=since
        ).values_list("volunteer__person__user_id", flat=True)
    )
    logged_in = set(
        Membership.objects.filter(kelurahan=kelurahan, user__last_login__gte=since).values_list(
            "user_id", flat=True
        )
    )
    active = (logged_in | raisers_recent | signers_recent | raters_recent | volunteers_recent) - {
        None
    }

    # --- adoption per RW (map) -------------------------------------------------------
    households = dict(
        Household.objects.filter(kelurahan=kelurahan)
        .values("rt__rw__number")
        .annotate(n=Count("pk"))
        .values_list("rt__rw__number", "n")
    )
    references = {
        (rw_id, value)
        for rw_id, value in ReferenceFigure.objects.filter(
            kelurahan=kelurahan, code=ReferenceCode.HOUSEHOLDS_TOTAL
        ).values_list("rw_id", "value")
    }
    total_by_rw = {rw_id: value for rw_id, value in references if rw_id is not None}
    kelurahan_total = next((v for r, v in references if r is None), None)
    map_rows = []
    registered_in_counted_rws = official_in_counted_rws = 0
    for rw_id, number, boundary in rws:
        registered = households.get(number, 0)
        official = total_by_rw.get(rw_id)
        if official:
            registered_in_counted_rws += registered
            official_in_counted_rws += official
        shown = small_count(registered)
        map_rows.append(
            {
                "rw": number,
                "households": shown,
                "official": official,
                "share": (
                    round(100 * registered / official, 1) if official and shown != PRIMARY else None
                ),
                "raised": funnel(rw=str(number))["raised"],
                "boundary": boundary,
            }
        )
    registered_total = sum(households.values())
    if kelurahan_total:
        adoption = round(100 * registered_total / kelurahan_total, 1)
        adoption_base = kelurahan_total
    elif official_in_counted_rws:
        adoption = round(100 * registered_in_counted_rws / official_in_counted_rws, 1)
        adoption_base = official_in_counted_rws
    else:
        adoption, adoption_base = None, None

    # --- KPI values ------------------------------------------------------------------
    overall = funnel()
    rating_values = [s for s, _a, _r in ratings]
    evidence_share = share(sum(complete(a[0]) for a in finished), len(finished))
    verifiers = (
        round(sum(independent[a[0]] for a in signed) / len(signed), 2) if len(signed) >= 5 else None
    )
    values: dict[str, Any] = {
        "active_users": small_count(len(active)),
        "adoption": adoption,
        "needs_raised": overall["raised"],
        "needs_matched": overall["matched"],
        "needs_delivered": overall["delivered"],
        "needs_closed": overall["closed"],
        "delivery_hours_high": delivery[Urgency.TINGGI]["p50"],
        "evidence_complete": evidence_share,
        "claims_validated": share(validated_claims, delivered_claims),
        "rating_average": (
            round(statistics.fmean(rating_values), 2) if len(rating_values) >= 5 else None
        ),
        "verifiers_per_activity": verifiers,
        "activities_90d": len(recent_activities),
        "open_data_index": kpis.open_data_index(),
        **_money(kelurahan),
    }
    bases = {
        "adoption": adoption_base,
        "evidence_complete": len(finished),
        "claims_validated": delivered_claims,
        "rating_average": small_count(len(rating_values)),
        "verifiers_per_activity": len(signed),
        "delivery_hours_high": delivery[Urgency.TINGGI]["n"],
    }
    kpi_rows = []
    for kpi in kpis.CATALOGUE:
        if not kpi.published:
            continue
        value = values[kpi.code]
        numeric = value if isinstance(value, int | float) else None
        kpi_rows.append(
            {
                "code": kpi.code,
                "value": value,
                "base": bases.get(kpi.code),
                "meets": kpis.kpi_meets(kpi, numeric),
            }
        )

    # --- monthly series (charts and reports) -----------------------------------------
    monthly = []
    for month in months:
        row = funnel(month=month)
        month_stars = stars_by_month.get(month, [])
        high = hours_by_month.get(month, {}).get(Urgency.TINGGI, [])
        monthly.append(
            {
                "month": month,
                **row,
                "activities": activities_by_month.get(month, 0),
                "evidence_complete": share(
                    complete_by_month.get(month, 0), finished_by_month.get(month, 0)
                ),
                "claims_validated": share(
                    validated_by_month.get(month, 0), claims_by_month.get(month, 0)
                ),
                "rating_average": (
                    round(statistics.fmean(month_stars), 2) if len(month_stars) >= 5 else None
                ),
                "ratings": small_count(len(month_stars)),
                "delivery_high": hours_summary(high, targets[Urgency.TINGGI]),
                "money": _money_month(kelurahan, month),
            }
        )

    public = {
        "computed_at": now.isoformat(),
        "window_days": WINDOW_DAYS,
        "kpis": kpi_rows,
        "delivery": delivery,
        "by_rw": [{"rw": n, **funnel(rw=n)} for n in rw_numbers],
        "by_category": [{"category": c, **funnel(category=c)} for c in Category.values],
        "monthly": monthly,
        "map": map_rows,
        "counts": {
            "households": small_count(registered_total),
            "activities_total": len([a for a in activities if a[1] != "cancelled"]),
            "signed_off": len(signed),
            "volunteers_recent": small_count(len(volunteers_recent - {None})),
            "umkm": organisation_list(kelurahan=kelurahan, kind=OrganisationKind.UMKM).count(),
        },
    }
    return {
        "public": public,
        "cube": published_cube,
        "officer": _officer_figures(needs, targets, now),
    }


def _money(kelurahan: Kelurahan) -> dict[str, int | float | None]:
    """Money and goods KPIs from the funds ledger (rupiah; sums, not people) and the UMKM
    growth from the market (percent; None before a baseline exists)."""
    summary = funds_summary(kelurahan=kelurahan)
    return {
        "money_raised": summary.raised,
        "money_matched": summary.matched,
        "money_spent": summary.spent,
        "money_balance": summary.balance,
        "goods_in": summary.goods_value_in,
        "goods_out": summary.goods_value_out,
        "umkm_turnover": umkm_growth_total(kelurahan=kelurahan),
    }


def _money_month(kelurahan: Kelurahan, month: str) -> dict[str, int]:
    """Money raised, matched, spent and goods in/out during one month (WIB)."""
    year, number = (int(part) for part in month.split("-"))
    start = dt.datetime(year, number, 1, tzinfo=timezone.get_current_timezone())
    end = dt.datetime(year + number // 12, number % 12 + 1, 1, tzinfo=start.tzinfo)
    summary = funds_summary(kelurahan=kelurahan, start=start, end=end)
    return {
        "raised": summary.raised,
        "matched": summary.matched,
        "spent": summary.spent,
        "goods_in": summary.goods_value_in,
        "goods_out": summary.goods_value_out,
    }


def _officer_figures(
    needs: Iterable[tuple[Any, ...]], targets: dict[str, int], now: dt.datetime
) -> dict[str, Any]:
    """Per-RT detail and SLA breaches for officers (ids and categories, no names)."""
    per_rt: dict[int, dict[str, Any]] = {}
    breaches = []
    waiting = []
    for pk, rt, rw, category, urgency, status, _h, _p, created, delivered, _r in needs:
        row = per_rt.setdefault(
            rt,
            {"rt_id": rt, "rw": rw, "open": 0, "delivered": 0, "overdue": 0, "hours": []},
        )
        stage = STAGE_OF[status]
        due = created + dt.timedelta(hours=targets[urgency])
        if stage in ("waiting", "matched"):
            row["open"] += 1
            if due < now:
                row["overdue"] += 1
                breaches.append(
                    {
                        "need": pk,
                        "rt_id": rt,
                        "rw": rw,
                        "category": category,
                        "urgency": urgency,
                        "status": status,
                        "hours_over": round((now - due).total_seconds() / 3600, 1),
                    }
                )
        if delivered is not None:
            row["delivered"] += 1
            row["hours"].append((delivered - created).total_seconds() / 3600)
        if status in ("approved", "escalated"):
            waiting.append(
                {
                    "need": pk,
                    "rt_id": rt,
                    "rw": rw,
                    "category": category,
                    "urgency": urgency,
                    "status": status,
                    "days": (now - created).days,
                }
            )
    for row in per_rt.values():
        hours = row.pop("hours")
        row["p50"] = round(statistics.median(hours), 1) if hours else None
    breaches.sort(key=lambda b: -b["hours_over"])
    waiting.sort(key=lambda w: -w["days"])
    return {
        "per_rt": sorted(per_rt.values(), key=lambda r: (r["rw"], r["rt_id"])),
        "breaches": breaches[:500],
        "unmatched": waiting[:500],
    }


def milestone_row(published: dict[str, Any], filters: dict[str, str]) -> dict[str, int | str]:
    """Raised / matched / delivered / closed for a filter combination (published cells)."""
    key = "|".join(filters.get(dim) or ALL for dim in published["dims"])
    return {m: published["cells"].get(f"{m}|{key}", 0) for m in published["milestones"]}
