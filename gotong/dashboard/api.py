"""Dashboard API: the public figures, filter combinations, open datasets and monthly
reports (no login), the officer view (role-scoped) and official reference figures."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from gotong.accounts.permissions import api_route
from gotong.core.schemas import StrictInt64
from gotong.territory import selectors as territory_selectors
from gotong.territory.middleware import request_kelurahan

from . import selectors, services
from .views import public_figures

router = Router(tags=["dashboard"])


class KpiOut(Schema):
    code: str
    title: str
    definition: str
    target: str
    unit: str
    value: int | float | str | None
    display: str
    meets_target: bool | None
    log_types: list[str]


class FilterQuery(Schema):
    month: str = ""
    rw: str = ""
    category: str = ""


class ReferenceIn(Schema):
    code: str = "households_total"
    value: StrictInt64
    source: str = Field(..., max_length=200)
    rw_number: StrictInt64 | None = None


@api_route(
    router.get, "/k/{slug}/dashboard/kpis", perm="dashboard.view_public", response=list[KpiOut]
)
def kpis(request: HttpRequest, slug: str) -> Any:
    public = public_figures(request_kelurahan(request))
    return [
        {
            "code": k.code,
            "title": k.title,
            "definition": k.definition,
            "target": k.target,
            "unit": k.unit,
            "value": k.value,
            "display": k.display,
            "meets_target": k.meets,
            "log_types": list(k.log_types),
        }
        for k in selectors.kpi_rows(public=public)
    ]


@api_route(router.get, "/k/{slug}/dashboard/needs", perm="dashboard.view_public")
def needs(request: HttpRequest, slug: str, query: Query[FilterQuery]) -> Any:
    """Raised / matched / delivered / closed for any filter combination (suppressed)."""
    kelurahan = request_kelurahan(request)
    public_figures(kelurahan)
    cube = selectors.snapshot_get(kelurahan=kelurahan, part="cube") or {}
    filters = selectors.filters_clean(cube=cube, raw=query.dict())
    return {"filters": filters, "needs": selectors.funnel_for(cube=cube, filters=filters)}


@api_route(router.get, "/k/{slug}/dashboard/datasets", perm="dashboard.view_public")
def datasets(request: HttpRequest, slug: str) -> Any:
    """The data dictionary: every dataset with its columns; indicators not yet published."""
    return selectors.data_dictionary()


@api_route(router.get, "/k/{slug}/dashboard/datasets/{dataset_name}", perm="dashboard.view_public")
def dataset(request: HttpRequest, slug: str, dataset_name: str) -> Any:
    kelurahan = request_kelurahan(request)
    public_figures(kelurahan)
    return {
        "dataset": dataset_name,
        "rows": selectors.dataset_rows(kelurahan=kelurahan, name=dataset_name),
    }


@api_route(router.get, "/k/{slug}/dashboard/reports/{month}", perm="dashboard.view_public")
def report(request: HttpRequest, slug: str, month: str) -> Any:
    """The monthly public report (YYYY-MM): figures and the signed tree head at its end."""
    kelurahan = request_kelurahan(request)
    public_figures(kelurahan)
    data = selectors.month_report(kelurahan=kelurahan, month=month)
    head = data["head"]
    return {
        "month": data["month"],
        "complete": data["complete"],
        "figures": data["row"],
        "tree_head": (
            {
                "tree_size": head.tree_size,
                "root_hash": bytes(head.root_hash).hex(),
                "timestamp": head.timestamp,
            }
            if head
            else None
        ),
        "not_yet_published": [k.code for k in data["missing"]],
    }


@api_route(router.get, "/k/{slug}/dashboard/officer", perm="dashboard.view_officer")
def officer(request: HttpRequest, slug: str) -> Any:
    """Per-RT detail, SLA breaches and waiting needs within the caller's area."""
    kelurahan = request_kelurahan(request)
    public_figures(kelurahan)
    view = selectors.officer_view(kelurahan=kelurahan, user=request.user)

    def plain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in r.items() if k != "rt"} for r in rows]

    return {
        "all": view["scope"]["all"],
        "per_rt": plain(view["per_rt"]),
        "breaches": plain(view["breaches"]),
        "unmatched": plain(view["unmatched"]),
    }


@api_route(
    router.post,
    "/k/{slug}/dashboard/reference-figures",
    perm="dashboard.set_reference",
    response={201: dict},
)
def reference_set(request: HttpRequest, slug: str, payload: ReferenceIn) -> Any:
    kelurahan = request_kelurahan(request)
    rw = (
        territory_selectors.rw_get(kelurahan=kelurahan, number=payload.rw_number)
        if payload.rw_number
        else None
    )
    figure = services.reference_figure_set(
        actor=request.user,
        kelurahan=kelurahan,
        code=payload.code,
        value=payload.value,
        source=payload.source,
        rw=rw,
    )
    return Status(201, {"id": figure.pk, "code": figure.code, "value": figure.value})
