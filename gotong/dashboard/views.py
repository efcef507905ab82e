"""Dashboard pages: the public dashboard, open data, monthly reports, the synergy diagram
(no login) and the officer dashboard (role-scoped). All read the stored snapshot."""

import csv
import io
import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gotong.accounts.permissions import permission_gate
from gotong.core.exceptions import ApplicationError, ValidationFailed
from gotong.needs.models import Category, Urgency
from gotong.territory.middleware import request_kelurahan
from gotong.territory.models import Kelurahan
from gotong.ui.pages import refused

from . import charts, pdf, selectors, services, synergy
from .figures import FUNNEL


def public_figures(kelurahan: Kelurahan) -> dict[str, Any]:
    """The public part of the snapshot; computed once if the task has not run yet."""
    data = selectors.snapshot_get(kelurahan=kelurahan)
    if data is None:
        services.snapshot_refresh(kelurahan=kelurahan)
        data = selectors.snapshot_get(kelurahan=kelurahan) or {}
    return data


def _labels() -> dict[str, dict[str, str]]:
    return {
        "category": {str(c.value): str(c.label) for c in Category},
        "urgency": {str(u.value): str(u.label) for u in Urgency},
        "funnel": {
            "raised": _("raised"),
            "matched": _("matched"),
            "delivered": _("delivered"),
            "closed": _("closed"),
        },
    }


def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """The public dashboard: KPIs with targets, needs by RW and category, charts, map."""
    kelurahan = request_kelurahan(request)
    public = public_figures(kelurahan)
    labels = _labels()
    filtered = None
    filters: dict[str, str] = {}
    raw = {dim: request.GET.get(dim, "") for dim in selectors.FILTER_DIMS}
    if any(raw.values()):
        cube = selectors.snapshot_get(kelurahan=kelurahan, part="cube") or {}
        try:
            filters = selectors.filters_clean(cube=cube, raw=raw)
        except ApplicationError as exc:
            return refused(request, exc)
        filtered = selectors.funnel_for(cube=cube, filters=filters)
    delivery_rows = [
        {"code": u, "label": labels["urgency"][u], **row}
        for u, row in public.get("delivery", {}).items()
    ]
    monthly = public.get("monthly", [])
    context = {
        "public": public,
        "kpis": selectors.kpi_rows(public=public),
        "missing": selectors.kpis_not_published(),
        "labels": labels,
        "funnel_names": list(FUNNEL),
        "by_rw": public.get("by_rw", []),
        "by_category": [
            {**row, "label": labels["category"].get(row["category"], row["category"])}
            for row in public.get("by_category", [])
        ],
        "delivery": delivery_rows,
        "monthly": monthly,
        "map_rows": public.get("map", []),
        "months": [m["month"] for m in monthly],
        "rws": [row["rw"] for row in public.get("by_rw", [])],
        "filters": filters,
        "filtered": filtered,
        "chart_monthly": charts.bar_chart(
            [(m["month"][5:], m["raised"]) for m in monthly[-6:]],
            title=_("Needs raised per month (last 6 months)"),
        ),
        "chart_delivery": charts.delivery_chart(
            delivery_rows, title=_("Hours from submission to delivery, by urgency")
        ),
        "map_svg": charts.rw_map(
            public.get("map", []), title=_("Registered households as a share of all, per RW")
        ),
    }
    return render(request, "dashboard/public.html", context)


def open_data(request: HttpRequest, slug: str) -> HttpResponse:
    """Open data index: every dataset as CSV and JSON, its data dictionary, what is missing."""
    kelurahan = request_kelurahan(request)
    public = public_figures(kelurahan)
    return render(
        request,
        "dashboard/open_data.html",
        {
            "datasets": selectors.DATASETS,
            "missing": selectors.kpis_not_published(),
            "public": public,
        },
    )


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in columns})
    return buffer.getvalue()


def dataset_download(request: HttpRequest, slug: str, name: str, fmt: str) -> HttpResponse:
    """One dataset as CSV or JSON (with its dictionary)."""
    kelurahan = request_kelurahan(request)
    public_figures(kelurahan)
    try:
        rows = selectors.dataset_rows(kelurahan=kelurahan, name=name)
    except ApplicationError as exc:
        return refused(request, exc)
    meta = selectors.DATASETS[name]
    columns = [c for c, _t, _d in meta["columns"]]
    filename = f"{kelurahan.slug}-{name}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(_csv(rows, columns), content_type="text/csv; charset=utf-8")
    else:
        body = {
            "dataset": name,
            "kelurahan": kelurahan.slug,
            "title": str(meta["title"]),
            "columns": selectors.dataset_columns(name),
            "rows": rows,
        }
        response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def data_dictionary(request: HttpRequest, slug: str) -> JsonResponse:
    """The data dictionary of every dataset, and the indicators not yet published."""
    return JsonResponse(selectors.data_dictionary(), json_dumps_params={"ensure_ascii": False})


def report_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Monthly public reports, newest first."""
    kelurahan = request_kelurahan(request)
    public_figures(kelurahan)
    return render(
        request, "dashboard/reports.html", {"months": selectors.report_months(kelurahan=kelurahan)}
    )


def _report(request: HttpRequest) -> dict[str, Any]:
    kelurahan = request_kelurahan(request)
    public_figures(kelurahan)
    return selectors.month_report(kelurahan=kelurahan, month=request.resolver_match.kwargs["month"])  # type: ignore[union-attr]


def report_month(request: HttpRequest, slug: str, month: str) -> HttpResponse:
    """The monthly public report as a page (print-friendly)."""
    try:
        report = _report(request)
    except ApplicationError as exc:
        return refused(request, exc)
    return render(
        request,
        "dashboard/report.html",
        {
            "report": report,
            "lines": pdf.report_month_lines(report["row"]),
            "head_lines": pdf.head_lines(report["head"]) if report["head"] else [],
        },
    )


def report_month_pdf(request: HttpRequest, slug: str, month: str) -> HttpResponse:
    """The monthly public report as a PDF file."""
    try:
        report = _report(request)
    except ApplicationError as exc:
        return refused(request, exc)
    body = pdf.report_pdf(kelurahan=request_kelurahan(request), report=report)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="laporan-{slug}-{month}.pdf"'
    return response


def _synergy(kelurahan: Kelurahan) -> tuple[dict[str, Any], dict[str, list[synergy.Figure]]]:
    public = public_figures(kelurahan)
    return public, synergy.node_figures(public=public)


def _synergy_diagram(
    kelurahan: Kelurahan, public: dict[str, Any], figures: dict[str, Any], orientation: str
) -> synergy.Diagram:
    return synergy.diagram_layout(
        figures=figures,
        orientation=orientation,
        title=_("Stakeholder synergy · Kelurahan %(name)s") % {"name": kelurahan.name},
        updated=synergy.updated_at(public),
    )


def synergy_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The stakeholder synergy diagram (a wide and a tall layout; CSS shows the one that
    fits), each node's role, benefits and live figures in a panel, PNG and PDF export."""
    kelurahan = request_kelurahan(request)
    public, figures = _synergy(kelurahan)
    return render(
        request,
        "dashboard/synergy.html",
        {
            "svgs": [
                (o, synergy.synergy_svg(_synergy_diagram(kelurahan, public, figures, o)))
                for o in synergy.ORIENTATIONS
            ],
            "panels": synergy.panels(figures=figures),
            "layers": synergy.LAYERS,
            "updated": synergy.updated_at(public),
            "png_scales": (2, 4),
        },
    )


def synergy_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The synergy diagram as an A4 PDF (``?orientation=landscape`` (default) or
    ``portrait``), drawn on the server."""
    kelurahan = request_kelurahan(request)
    orientation = request.GET.get("orientation", "landscape")
    if orientation not in synergy.ORIENTATIONS:
        return refused(
            request, ValidationFailed(_("The orientation must be portrait or landscape."))
        )
    public, figures = _synergy(kelurahan)
    body = pdf.synergy_pdf(
        kelurahan=kelurahan,
        diagram=_synergy_diagram(kelurahan, public, figures, orientation),
        figures=figures,
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="sinergi-{slug}-{orientation}.pdf"'
    return response


@login_required
def officer(request: HttpRequest, slug: str) -> HttpResponse:
    """Officer dashboard: per-RT detail, SLA breaches, needs waiting for help, early warning."""
    kelurahan = request_kelurahan(request)
    try:
        permission_gate(request.user, "dashboard.view_officer", kelurahan)
    except ApplicationError as exc:
        return refused(request, exc)
    public_figures(kelurahan)
    view = selectors.officer_view(kelurahan=kelurahan, user=request.user)
    labels = _labels()
    return render(
        request,
        "dashboard/officer.html",
        {"view": view, "labels": labels, "matching_available": False},
    )


def json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
