"""The monthly financial report, as a page and as a PDF."""

import functools
from collections.abc import Callable
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


ReportView = Callable[[HttpRequest, Any, int, int], HttpResponse]


def _monthly(view: ReportView) -> Callable[..., HttpResponse]:
    """The month checked (the refusal page for no such month), then ``view`` gets the
    kelurahan's report of that month."""

    @functools.wraps(view)
    def page(request: HttpRequest, slug: str, year: int, month: int) -> HttpResponse:
        try:
            _month(year, month)
        except NotFound as exc:
            return refused(request, exc)
        kelurahan = request_kelurahan(request)
        report = selectors.monthly_report(kelurahan=kelurahan, year=year, month=month)
        return view(request, report, year, month)

    return page


@_monthly
def monthly_report(request: HttpRequest, report: Any, year: int, month: int) -> HttpResponse:
    """Public monthly financial report: every account's opening, movements and closing."""
    return render(request, "funds/monthly.html", {"report": report})


@_monthly
def monthly_report_pdf_view(
    request: HttpRequest, report: Any, year: int, month: int
) -> HttpResponse:
    """The same report as PDF."""
    response = HttpResponse(monthly_report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="laporan-{year}-{month:02d}.pdf"'
    return response
