"""Computing a kelurahan's dashboard snapshot from the source tables (run by the refresh
task, never per page request).

This is the dashboard's read model. It reads other apps only through the value-row
selectors each app publishes for it (``<app>/dashboard_rows.py``: needs, activities,
registry, accounts, transparency) and the funds, market, registry and territory selectors,
makes one pass over those rows, and writes only its own ``Snapshot``. Statuses are mapped
from the apps' own enums (``STAGE_OF``, ``ACTIVITY_PHASE``): a status the dashboard does
not map fails the tests. Every count of people goes through ``suppression`` before it is
stored.
"""

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from gotong.accounts.dashboard_rows import member_users_logged_in_since
from gotong.activities.dashboard_rows import (
    activity_need_links_for_dashboard,
    activity_rows_for_dashboard,
    rating_rows_for_dashboard,
    signoff_rows_for_dashboard,
    verifiers_required_for_dashboard,
    volunteer_users_checked_in_since,
)
from gotong.activities.models import ActivityStatus, Layer
from gotong.funds.selectors import funds_summary
from gotong.market.selectors import umkm_growth_total
from gotong.needs.dashboard_rows import (
    NeedRow,
    need_rows_for_dashboard,
    service_level_targets_for_dashboard,
)
from gotong.needs.models import Category, Status, Urgency
from gotong.registry.dashboard_rows import household_counts_by_rw
from gotong.registry.models import OrganisationKind
from gotong.registry.selectors import organisation_list
from gotong.territory.models import Kelurahan
from gotong.territory.selectors import rw_list
from gotong.transparency.dashboard_rows import evidence_subjects_for_dashboard

from . import kpis
from .models import ReferenceCode, ReferenceFigure
from .suppression import ALL, PRIMARY, SUPPRESSED, Cube, Family, small_count

WINDOW_DAYS = 90
MONTHS = 12
# Every need status on the dashboard's stages; a new status must be placed here (a test
# compares this table with ``needs.Status``).
STAGE_OF: dict[Status, str] = {
    Status.SUBMITTED: "waiting",
    Status.VERIFIED: "waiting",
    Status.APPROVED: "waiting",
    Status.ESCALATED: "waiting",
    Status.MATCHED: "matched",
    Status.IN_PROGRESS: "matched",
    Status.DELIVERED: "delivered",
    Status.CONFIRMED: "delivered",
    Status.SIGNED_OFF: "delivered",
    Status.CLOSED: "closed",
    Status.REJECTED: "stopped",
    Status.CANCELLED: "stopped",
}
# The funnel the documents ask for: needs that reached each milestone. Each milestone is
# its own protected cube (month x RW x category), so every published cell counts people.
MILESTONES: dict[str, set[Status]] = {
    "raised": set(STAGE_OF),
    "matched": {s for s, stage in STAGE_OF.items() if stage in ("matched", "delivered", "closed")},
    "delivered": {s for s, stage in STAGE_OF.items() if stage in ("delivered", "closed")},
    "closed": {s for s, stage in STAGE_OF.items() if stage == "closed"},
}
FUNNEL = list(MILESTONES)
# The index in FUNNEL of the last milestone a need in this status reached.
LAST_MILESTONE: dict[Status, int] = {
    status: sum(status in reached for reached in MILESTONES.values()) - 1 for status in STAGE_OF
}
# Delivery claims: delivered needs; validated ones were confirmed by the recipient or RT.
CLAIMED = MILESTONES["delivered"]
VALIDATED = {Status.CONFIRMED, Status.SIGNED_OFF, Status.CLOSED}
# Needs approved and still waiting for help (the officer list).
WAITING_FOR_HELP = {Status.APPROVED, Status.ESCALATED}
# Every activity status on the dashboard's phases (a test compares it with the enum).
ACTIVITY_PHASE: dict[ActivityStatus, str] = {
    ActivityStatus.PLANNED: "open",
    ActivityStatus.IN_PROGRESS: "open",
    ActivityStatus.REPORTED: "finished",
    ActivityStatus.SIGNED_OFF: "signed",
    ActivityStatus.CLOSED: "signed",
    ActivityStatus.CANCELLED: "cancelled",
}
FINISHED = {s for s, phase in ACTIVITY_PHASE.items() if phase in ("finished", "signed")}
SIGNED = {s for s, phase in ACTIVITY_PHASE.items() if phase == "signed"}
CANCELLED = {s for s, phase in ACTIVITY_PHASE.items() if phase == "cancelled"}


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


def needs_family(*, needs: Iterable[NeedRow], months: list[str], rw_numbers: list[str]) -> Family:
    """The needs funnel as nested milestone tables month x RW x category (unprotected),
    counting distinct beneficiaries (households, else persons); months outside are left out."""
    family = Family(
        dims=["month", "rw", "category"],
        values=[months, rw_numbers, list(Category.values)],
        milestones=FUNNEL,
    )
    for row in needs:
        month = month_key(row.created_at)
        if month < months[0]:
            continue
        beneficiary = f"h{row.household_id}" if row.household_id else f"p{row.person_id}"
        family.add(
            (month, str(row.rw_number), row.category),
            beneficiary,
            reached=LAST_MILESTONE[row.status],
        )
    return family


def snapshot_compute(*, kelurahan: Kelurahan, now: dt.datetime | None = None) -> dict[str, Any]:
    """Every figure of the dashboard for one kelurahan: ``public``, ``cube``, ``officer``."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=WINDOW_DAYS)
    months = months_back(now)
    first_month = months[0]
    targets = service_level_targets_for_dashboard(kelurahan=kelurahan)
    rws = list(rw_list(kelurahan=kelurahan).values_list("pk", "number", "boundary"))
    rw_numbers = [str(number) for _pk, number, _b in rws]
    needs = need_rows_for_dashboard(kelurahan=kelurahan)

    # --- needs cube and delivery times ----------------------------------------------
    family = needs_family(needs=needs, months=months, rw_numbers=rw_numbers)
    hours_by_urgency: dict[str, list[float]] = defaultdict(list)
    hours_by_month: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    delivered_claims = validated_claims = 0
    delivered_by_urgency = Cube(dims=["urgency"], values=[list(Urgency.values)])
    claims_by_month: Counter[str] = Counter()
    validated_by_month: Counter[str] = Counter()
    raisers_recent: set[int] = set()
    for (
        _pk,
        _rt,
        _rw,
        _category,
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
        if month >= first_month and status in CLAIMED:
            # The delivery-time table and the claims count the needs of the delivered
            # milestone (same window), so their totals are the protected delivered total.
            delivered_by_urgency.add((urgency,), beneficiary)
            delivered_claims += 1
            if status in VALIDATED:
                validated_claims += 1
            if delivered is not None:
                hours_by_urgency[urgency].append((delivered - created).total_seconds() / 3600)
        if delivered is not None and status in CLAIMED:
            hours = (delivered - created).total_seconds() / 3600
            hours_by_month[month_key(delivered)][urgency].append(hours)
            claims_by_month[month_key(delivered)] += 1
            if status in VALIDATED:
                validated_by_month[month_key(delivered)] += 1
        if raiser and created >= since:
            raisers_recent.add(raiser)
    # Suppressed until the CP-SAT audit finds no sensitive figure it can pin (suppression).
    audit = family.protect()
    published_cube: dict[str, Any] = {
        **family.published(),
        "audit": {
            "passed": audit.passed,
            "sensitive": audit.sensitive,
            "suppressed": len(family.hidden),
            "rounds": family.rounds,
        },
    }

    def funnel(**filters: str) -> dict[str, int | str]:
        return milestone_row(published_cube, filters)

    # The delivery counts per urgency sum to the delivered total: protected as one table
    # with that total, and all suppressed when the total is (else they would reveal it).
    delivered_total = family.shown(FUNNEL.index("delivered"), (ALL, ALL, ALL))
    delivered_by_urgency.protect()
    if delivered_total == SUPPRESSED:
        delivered_by_urgency.hidden.update((0, k) for k in delivered_by_urgency.keys())
    delivery = {
        u: {
            **hours_summary(hours_by_urgency.get(u, []), targets[u]),
            "n": delivered_by_urgency.cell((u,)),
            "target": targets[u],
        }
        for u in Urgency.values
    }

    # --- activities, sign-offs, evidence, ratings ------------------------------------
    policy_k = verifiers_required_for_dashboard(kelurahan=kelurahan)
    activities = activity_rows_for_dashboard(kelurahan=kelurahan)
    links = activity_need_links_for_dashboard(kelurahan=kelurahan)
    with_photo = evidence_subjects_for_dashboard(kelurahan=kelurahan)
    layers: dict[int, set[str]] = defaultdict(set)
    independent: Counter[int] = Counter()
    signers_recent: set[int] = set()
    for activity_id, layer, signer, at in signoff_rows_for_dashboard(kelurahan=kelurahan):
        layers[activity_id].add(layer)
        if layer == Layer.INDEPENDENT:
            independent[activity_id] += 1
        if signer is not None and at >= since:
            signers_recent.add(signer)

    def complete(activity_id: int) -> bool:
        subjects = [f"activity:{activity_id}", *(f"need:{n}" for n in links.get(activity_id, []))]
        return (
            any(s in with_photo for s in subjects)
            and {Layer.EXECUTOR, Layer.RT, Layer.RW} <= layers[activity_id]
            and independent[activity_id] >= policy_k
        )

    finished = [a for a in activities if a[1] in FINISHED]
    signed = [a for a in activities if a[1] in SIGNED]
    recent_activities = [a for a in activities if a[1] not in CANCELLED and since <= a[2] <= now]
    activities_by_month: Counter[str] = Counter()
    finished_by_month: Counter[str] = Counter()
    complete_by_month: Counter[str] = Counter()
    for pk, activity_status, starts, _activity_rw, _kind in activities:
        if activity_status in CANCELLED:
            continue
        activities_by_month[month_key(starts)] += 1
        if activity_status in FINISHED:
            finished_by_month[month_key(starts)] += 1
            complete_by_month[month_key(starts)] += complete(pk)
    ratings = rating_rows_for_dashboard(kelurahan=kelurahan)
    raters_recent = {r for _s, at, r in ratings if r and at >= since}
    stars_by_month: dict[str, list[int]] = defaultdict(list)
    for stars, at, _r in ratings:
        stars_by_month[month_key(at)].append(stars)
    volunteers_recent = volunteer_users_checked_in_since(kelurahan=kelurahan, since=since)
    logged_in = member_users_logged_in_since(kelurahan=kelurahan, since=since)
    active = (logged_in | raisers_recent | signers_recent | raters_recent | volunteers_recent) - {
        None
    }

    # --- adoption per RW (map) -------------------------------------------------------
    households = household_counts_by_rw(kelurahan=kelurahan)
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
        "claims_validated": delivered_total,
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
            "activities_total": len([a for a in activities if a[1] not in CANCELLED]),
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
    needs: Iterable[NeedRow], targets: dict[str, int], now: dt.datetime
) -> dict[str, Any]:
    """Per-RT detail and SLA breaches for officers (ids and categories, no names)."""
    per_rt: dict[int, dict[str, Any]] = {}
    breaches: list[dict[str, Any]] = []
    waiting: list[dict[str, Any]] = []
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
                        "status": str(status),
                        "hours_over": round((now - due).total_seconds() / 3600, 1),
                    }
                )
        if delivered is not None:
            row["delivered"] += 1
            row["hours"].append((delivered - created).total_seconds() / 3600)
        if status in WAITING_FOR_HELP:
            waiting.append(
                {
                    "need": pk,
                    "rt_id": rt,
                    "rw": rw,
                    "category": category,
                    "urgency": urgency,
                    "status": str(status),
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
