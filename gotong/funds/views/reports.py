"""The monthly financial report, as a page and as a PDF."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gotong.core.exceptions import NotFound
from gotong.funds import selectors
from gotong.funds.pdf import monthly_report_pdf
from gotong.territory.middleware import request_kelurahan
from gotong.ui.pages import refused


def _month(year: int, month: int) -> Any:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise NotFound(_("No such month."))
    return year, month


def monthly_report(request: HttpRequest, slug: str, year: int, month: int) -> HttpResponse:
    """Public monthly financial report: every account's opening, movements and closing."""
    kelurahan = request_kelurahan(request)
    try:
        _month(year, month)
    except NotFound as exc:
        return refused(request, exc)
    report = selectors.monthly_report(kelurahan=kelurahan, year=year, month=month)
    return render(request, "funds/monthly.html", {"report": report})


def monthly_report_pdf_view(request: HttpRequest, slug: str, year: int, month: int) -> HttpResponse:
    """The same report as PDF."""
    kelurahan = request_kelurahan(request)
    try:
        _month(year, month)
    except NotFound as exc:
        return refused(request, exc)
    report = selectors.monthly_report(kelurahan=kelurahan, year=year, month=month)
    response = HttpResponse(monthly_report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="laporan-{year}-{month:02d}.pdf"'
    return response
