"""Insights page for RT/RW heads and officers: the early-warning list with each score's
parts, the confirm/dismiss form (every use of a score is a person's logged decision), and
the weekly demand forecast with its validation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gotong.accounts.permissions import permission_gate
from gotong.core.exceptions import ApplicationError
from gotong.registry import selectors as registry_selectors
from gotong.registry.models import AccessPurpose
from gotong.registry.services import person_list_view
from gotong.territory.middleware import request_kelurahan
from gotong.ui.pages import refused

from . import selectors, services
from .labels import FACTOR_LABELS
from .models import ReviewDecision, ReviewPurpose


@login_required
def review(request: HttpRequest, slug: str) -> HttpResponse:
    """Early-warning list (area-scoped), review decisions, demand forecast."""
    kelurahan = request_kelurahan(request)
    try:
        permission_gate(request.user, "insights.view", kelurahan)
    except ApplicationError as exc:
        return refused(request, exc)
    if request.method == "POST":
        try:
            household = registry_selectors.household_get(
                kelurahan=kelurahan, pk=int(request.POST.get("household", "0") or 0)
            )
            services.score_review_record(
                actor=request.user,
                household=household,
                purpose=request.POST.get("purpose", ""),
                decision=request.POST.get("decision", ""),
                note=request.POST.get("note", ""),
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        except ValueError:
            messages.error(request, _("Choose a household."))
        else:
            messages.success(request, _("Your decision was recorded."))
        return redirect("insights:review", slug=slug)
    rows = selectors.early_warning_list(kelurahan=kelurahan, user=request.user)
    heads = [r.household.head for r in rows if r.household.head is not None]
    names = {
        row["household_id"]: row["full_name"]
        for row in person_list_view(
            actor=request.user,
            kelurahan=kelurahan,
            persons=heads,
            purpose=AccessPurpose.NEIGHBOURHOOD,
        )
    }
    forecast = selectors.demand_forecast(kelurahan=kelurahan)
    forecast_rows = sorted(
        (
            {
                "rw": rw,
                "category": category,
                "history": forecast["series"][(rw, category)][-6:],
                "next": value,
            }
            for (rw, category), value in forecast["forecast"].items()
        ),
        key=lambda r: (int(r["rw"]), r["category"]),
    )
    return render(
        request,
        "insights/review.html",
        {
            "rows": rows,
            "names": names,
            "factor_labels": FACTOR_LABELS,
            "purposes": ReviewPurpose.choices,
            "decisions": ReviewDecision.choices,
            "forecast": forecast,
            "forecast_rows": forecast_rows,
            "weeks_shown": forecast["weeks"][-6:],
        },
    )
