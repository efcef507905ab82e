"""Dashboard reads: all from the stored snapshot of one kelurahan (never the source tables),
plus the signed tree head at a month's end for the monthly report."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.models import OFFICER_ROLES, Role
from gotong.accounts.permissions import memberships_effective
from gotong.core.exceptions import NotFound, ValidationFailed
from gotong.core.money import decimal_format, rupiah_format
from gotong.core.timeutils import WIB
from gotong.needs.models import Category, Urgency
from gotong.territory.models import RT, Kelurahan
from gotong.transparency.models import SignedTreeHead

from . import kpis
from .figures import FUNNEL, milestone_row
from .models import Snapshot
from .suppression import ALL


def snapshot_get(*, kelurahan: Kelurahan, part: str = "public") -> dict[str, Any] | None:
    """One part (public, cube, officer) of the kelurahan's snapshot, or None if none yet."""
    row = (
        Snapshot.objects.filter(kelurahan=kelurahan)
        .values_list("computed_at", part, "log_size")
        .first()
    )
    if row is None:
        return None
    computed_at, data, log_size = row
    return {**data, "_computed_at": computed_at, "_log_size": log_size}


def value_display(value: Any, unit: str) -> str:
    """A figure as the page shows it: suppressed cells as "<5" or "x", no data as "-"."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if unit == "percent":
        return f"{decimal_format(value, 1)}%"
    if unit == "hours":
        return _("%(hours)s h") % {"hours": decimal_format(value, 1)}
    if unit == "stars":
        return f"{decimal_format(value, 2)} / 5"
    if unit == "rupiah":
        return rupiah_format(int(value))
    if unit == "per_activity":
        return decimal_format(value, 2)
    return decimal_format(value, 0)


@dataclass
class KpiRow:
    code: str
    title: str
    definition: str
    target: str
    unit: str
    value: Any
    display: str
    base: Any
    meets: bool | None
    log_types: tuple[str, ...]


def kpi_rows(*, public: dict[str, Any]) -> list[KpiRow]:
    """Published KPIs with their definitions and targets, in catalogue order."""
    rows = []
    for item in public.get("kpis", []):
        kpi = kpis.BY_CODE.get(item["code"])
        if kpi is None:
            continue
        rows.append(
            KpiRow(
                code=kpi.code,
                title=str(kpi.title),
                definition=str(kpi.definition),
                target=str(kpi.target),
                unit=kpi.unit,
                value=item["value"],
                display=value_display(item["value"], kpi.unit),
                base=item.get("base"),
                meets=item.get("meets"),
                log_types=kpi.log_types,
            )
        )
    return rows


def kpis_not_published() -> list[kpis.Kpi]:
    """Indicators of the documents the platform does not publish yet, with the reason."""
    return [kpi for kpi in kpis.CATALOGUE if not kpi.published]


FILTER_DIMS = ("month", "rw", "category")


def filters_clean(*, cube: dict[str, Any], raw: dict[str, str]) -> dict[str, str]:
    """Validated filters (month, rw, category, urgency); bad values raise ValidationFailed."""
    allowed = dict(zip(cube.get("dims", []), cube.get("values", []), strict=True))
    clean: dict[str, str] = {}
    for dim in FILTER_DIMS:
        value = (raw.get(dim) or "").strip()
        if not value or value == ALL:
            continue
        if value not in allowed.get(dim, []):
            raise ValidationFailed(
                _("Unknown value for the filter '%(dim)s'.") % {"dim": dim},
                {"field": dim, "allowed": allowed.get(dim, [])},
            )
        clean[dim] = value
    return clean


def funnel_for(*, cube: dict[str, Any], filters: dict[str, str]) -> dict[str, int | str]:
    """Raised / matched / delivered / closed for a filter combination, suppressed."""
    if not cube:
        return dict.fromkeys(FUNNEL, 0)
    return milestone_row(cube, filters)


# --- open data --------------------------------------------------------------------------

CELL_NOTE = _(
    "A number, '<5' (fewer than 5 people, suppressed) or 'x' (hidden so that a "
    "suppressed cell cannot be worked out from the others)."
)
DATASETS: dict[str, dict[str, Any]] = {
    "kpi": {
        "title": _("Key indicators"),
        "description": _("Every published KPI with its value, target and whether it is met."),
        "columns": [
            ("code", "text", _("Indicator code (see the definitions on the dashboard).")),
            ("title", "text", _("Indicator name.")),
            ("value", "number|text", CELL_NOTE),
            ("unit", "text", _("count, percent, hours, stars or per_activity.")),
            ("target", "text", _("The target from the kelurahan's documents.")),
            ("meets_target", "boolean", _("true / false, empty when not enough data.")),
            ("base", "number|text", _("How many items the share or average is based on.")),
        ],
    },
    "needs_by_rw": {
        "title": _("Needs by RW"),
        "description": _("Needs raised, matched, delivered and closed in each RW (12 months)."),
        "columns": [
            ("rw", "integer", _("RW number.")),
            *[(name, "number|text", CELL_NOTE) for name in FUNNEL],
        ],
    },
    "needs_by_category": {
        "title": _("Needs by category"),
        "description": _("Needs raised, matched, delivered and closed per category (12 months)."),
        "columns": [
            (
                "category",
                "text",
                _("Category code: %(codes)s.") % {"codes": ", ".join(Category.values)},
            ),
            *[(name, "number|text", CELL_NOTE) for name in FUNNEL],
        ],
    },
    "needs_monthly": {
        "title": _("Needs and activities per month"),
        "description": _(
            "Per month of submission: the needs funnel; activities held, "
            "evidence completeness, validated claims and ratings."
        ),
        "columns": [
            ("month", "text", _("Month (YYYY-MM, WIB).")),
            *[(name, "number|text", CELL_NOTE) for name in FUNNEL],
            ("activities", "integer", _("Activities held that month (not cancelled).")),
            (
                "evidence_complete",
                "number",
                _("Percent of finished activities with complete evidence (empty under 5)."),
            ),
            (
                "claims_validated",
                "number",
                _("Percent of delivery claims confirmed (empty under 5)."),
            ),
            ("rating_average", "number", _("Average rating 1-5 (empty under 5 ratings).")),
        ],
    },
    "delivery_time": {
        "title": _("Time from submission to delivery"),
        "description": _("Hours from submission to delivery per urgency, against the target."),
        "columns": [
            (
                "urgency",
                "text",
                _("Urgency code: %(codes)s.") % {"codes": ", ".join(Urgency.values)},
            ),
            ("delivered", "number|text", _("Delivered needs counted ('<5' when fewer than 5).")),
            ("median_hours", "number", _("Median hours (empty under 5 needs).")),
            ("p90_hours", "number", _("90th percentile in hours (empty under 5 needs).")),
            ("target_hours", "integer", _("Target hours of the kelurahan.")),
            ("within_target_percent", "number", _("Percent delivered within the target.")),
        ],
    },
    "rw_map": {
        "title": _("Households and needs per RW (map)"),
        "description": _("Registered households against the official count, per RW."),
        "columns": [
            ("rw", "integer", _("RW number.")),
            ("households_registered", "number|text", CELL_NOTE),
            (
                "households_official",
                "integer",
                _("Households in the official count (empty if not entered)."),
            ),
            ("adoption_percent", "number", _("Registered as a percent of the official count.")),
            ("needs_raised", "number|text", CELL_NOTE),
        ],
    },
    "needs_cells": {
        "title": _("Needs, every filter combination"),
        "description": _(
            "The protected table behind the dashboard's filters: one row per "
            "milestone x month x RW x category, '*' meaning all."
        ),
        "columns": [
            ("milestone", "text", _("raised, matched, delivered or closed.")),
            ("month", "text", _("YYYY-MM or '*'.")),
            ("rw", "text", _("RW number or '*'.")),
            ("category", "text", _("Category code or '*'.")),
            ("needs", "number|text", CELL_NOTE),
        ],
    },
}


def dataset_columns(name: str) -> list[dict[str, str]]:
    """The columns of one open dataset as the data dictionary describes them."""
    return [{"name": c, "type": t, "description": str(d)} for c, t, d in DATASETS[name]["columns"]]


def data_dictionary() -> dict[str, Any]:
    """Every open dataset with its columns, and the indicators not yet published."""
    return {
        "datasets": {
            name: {
                "title": str(meta["title"]),
                "description": str(meta["description"]),
                "columns": dataset_columns(name),
            }
            for name, meta in DATASETS.items()
        },
        "not_yet_published": [
            {"code": k.code, "title": str(k.title), "reason": str(k.missing_reason)}
            for k in kpis_not_published()
        ],
    }


def dataset_rows(*, kelurahan: Kelurahan, name: str) -> list[dict[str, Any]]:
    """Rows of one open dataset (column names as in the data dictionary)."""
    if name not in DATASETS:
        raise NotFound(_("There is no dataset '%(name)s'.") % {"name": name})
    part = "cube" if name == "needs_cells" else "public"
    data = snapshot_get(kelurahan=kelurahan, part=part)
    if data is None:
        return []
    if name == "needs_cells":
        rows = []
        for key, value in data["cells"].items():
            parts = key.split("|")
            rows.append(
                {
                    "milestone": parts[0],
                    **dict(zip(data["dims"], parts[1:], strict=True)),
                    "needs": value,
                }
            )
        return rows
    if name == "kpi":
        return [
            {
                "code": r.code,
                "title": r.title,
                "value": r.value,
                "unit": r.unit,
                "target": r.target,
                "meets_target": r.meets,
                "base": r.base,
            }
            for r in kpi_rows(public=data)
        ]
    if name == "needs_by_rw":
        return [dict(row) for row in data["by_rw"]]
    if name == "needs_by_category":
        return [dict(row) for row in data["by_category"]]
    if name == "needs_monthly":
        keep = [c for c, _t, _d in DATASETS[name]["columns"]]
        return [{k: row.get(k) for k in keep} for row in data["monthly"]]
    if name == "delivery_time":
        return [
            {
                "urgency": urgency,
                "delivered": row["n"],
                "median_hours": row["p50"],
                "p90_hours": row["p90"],
                "target_hours": row["target"],
                "within_target_percent": row["within"],
            }
            for urgency, row in data["delivery"].items()
        ]
    return [
        {
            "rw": row["rw"],
            "households_registered": row["households"],
            "households_official": row["official"],
            "adoption_percent": row["share"],
            "needs_raised": row["raised"],
        }
        for row in data["map"]
    ]


# --- monthly report ---------------------------------------------------------------------


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """Start and end (exclusive) of a YYYY-MM month in WIB, as aware datetimes."""
    try:
        year, number = (int(part) for part in month.split("-"))
        start = dt.datetime(year, number, 1, tzinfo=WIB)
    except ValueError as exc:
        raise ValidationFailed(_("A month is written YYYY-MM."), {"field": "month"}) from exc
    end = dt.datetime(year + number // 12, number % 12 + 1, 1, tzinfo=WIB)
    return start, end


def tree_head_at(*, kelurahan: Kelurahan, moment: dt.datetime) -> SignedTreeHead | None:
    """The last signed tree head published before ``moment``."""
    return (
        SignedTreeHead.objects.filter(kelurahan=kelurahan, created_at__lt=moment)
        .order_by("-created_at", "-tree_size", "-pk")
        .first()
    )


def month_report(*, kelurahan: Kelurahan, month: str) -> dict[str, Any]:
    """The monthly public report: the month's figures and the tree head at its end."""
    start, end = month_bounds(month)
    public = snapshot_get(kelurahan=kelurahan) or {}
    row = next((m for m in public.get("monthly", []) if m["month"] == month), None)
    if row is None:
        raise NotFound(_("No report for %(month)s.") % {"month": month})
    now = timezone.now()
    head = tree_head_at(kelurahan=kelurahan, moment=min(end, now))
    return {
        "month": month,
        "start": start,
        "end": end,
        "complete": end <= now,
        "row": row,
        "head": head,
        "kpis": kpi_rows(public=public),
        "missing": kpis_not_published(),
        "computed_at": public.get("_computed_at"),
        "finance_lines": finance_lines(row.get("money") or {}),
    }


def report_months(*, kelurahan: Kelurahan) -> list[str]:
    """Months with a report, newest first."""
    public = snapshot_get(kelurahan=kelurahan) or {}
    return [m["month"] for m in reversed(public.get("monthly", []))]


# --- officer dashboard ------------------------------------------------------------------


def officer_scope(*, kelurahan: Kelurahan, user: Any) -> dict[str, Any]:
    """Which RTs an officer-dashboard user sees: all, or those of their RT/RW roles."""
    held = memberships_effective(user, kelurahan.pk)
    if any(m.role in OFFICER_ROLES for m in held):
        return {"all": True, "rt_ids": set(), "rw_ids": set()}
    return {
        "all": False,
        "rt_ids": {m.rt_id for m in held if m.role == Role.KETUA_RT and m.rt_id},
        "rw_ids": {m.rw_id for m in held if m.role == Role.KETUA_RW and m.rw_id},
    }


def officer_view(*, kelurahan: Kelurahan, user: Any) -> dict[str, Any]:
    """Per-RT detail, SLA breaches and needs waiting for help, limited to the user's area."""
    data = snapshot_get(kelurahan=kelurahan, part="officer") or {}
    scope = officer_scope(kelurahan=kelurahan, user=user)
    rts = {
        rt.pk: rt
        for rt in RT.objects.filter(kelurahan=kelurahan).select_related("rw").order_by("pk")
    }
    if scope["all"]:
        visible = set(rts)
    else:
        visible = {
            pk for pk, rt in rts.items() if pk in scope["rt_ids"] or rt.rw_id in scope["rw_ids"]
        }

    def mine(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**r, "rt": rts.get(r["rt_id"])} for r in rows if r["rt_id"] in visible]

    return {
        "scope": scope,
        "per_rt": mine(data.get("per_rt", [])),
        "breaches": mine(data.get("breaches", [])),
        "unmatched": mine(data.get("unmatched", [])),
        "computed_at": data.get("_computed_at"),
    }


def finance_lines(money: dict[str, int]) -> list[str]:
    """The month's financial summary (from the funds ledger) as lines of text."""
    if not money:
        return []
    labels = [
        ("raised", _("Money raised")),
        ("matched", _("Money matched")),
        ("spent", _("Money spent")),
        ("goods_in", _("Goods in (declared value)")),
        ("goods_out", _("Goods out (declared value)")),
    ]
    return [f"{label}: {rupiah_format(money.get(key, 0))}" for key, label in labels]
