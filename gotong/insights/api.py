"""Insights API: early-warning list, one household's score with its parts, the demand
forecast with its validation, and recording a person's decision on a score."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from gotong.accounts.permissions import api_route, permission_require
from gotong.registry import selectors as registry_selectors
from gotong.territory.middleware import request_kelurahan

from . import selectors, services
from .selectors import HouseholdInsight

router = Router(tags=["insights"])


class ReviewIn(Schema):
    purpose: str
    decision: str
    note: str = Field("", max_length=300)


def _insight(row: HouseholdInsight) -> dict[str, Any]:
    return {
        "household_id": row.household.pk,
        "rt_id": row.household.rt_id,
        "score": row.score.total,
        "capped": row.score.capped,
        "parts": [{"code": p.code, "points": p.points, "facts": p.facts} for p in row.score.parts],
        "signals": row.changes,
        "dtks_listed": row.dtks_listed,
        "last_decision": row.last_review.decision if row.last_review else None,
    }


@api_route(router.get, "/k/{slug}/insights/early-warning", perm="insights.view")
def early_warning(request: HttpRequest, slug: str) -> Any:
    rows = selectors.early_warning_list(kelurahan=request_kelurahan(request), user=request.user)
    return [_insight(r) for r in rows]


@api_route(router.get, "/k/{slug}/insights/households/{household_id}/score", perm="insights.view")
def household_score(request: HttpRequest, slug: str, household_id: int) -> Any:
    kelurahan = request_kelurahan(request)
    household = registry_selectors.household_get(kelurahan=kelurahan, pk=household_id)
    permission_require(request.user, "insights.view", household.rt)
    return _insight(selectors.household_insight(kelurahan=kelurahan, household=household))


@api_route(router.get, "/k/{slug}/insights/forecast", perm="insights.view")
def demand_forecast(request: HttpRequest, slug: str) -> Any:
    data = selectors.demand_forecast(kelurahan=request_kelurahan(request))
    validation = data["validation"]
    return {
        "weeks": data["weeks"],
        "next_week": data["next_week"],
        "series": [
            {"rw": rw, "category": c, "counts": counts, "forecast": data["forecast"][(rw, c)]}
            for (rw, c), counts in sorted(data["series"].items())
        ],
        "validation": {
            "holdout_weeks": validation.weeks,
            "mae_model": validation.mae_model,
            "mae_naive": validation.mae_naive,
            "verdict": validation.verdict,
        },
    }


@api_route(
    router.post,
    "/k/{slug}/insights/households/{household_id}/reviews",
    perm="insights.review",
    response={201: dict},
)
def review_record(request: HttpRequest, slug: str, household_id: int, payload: ReviewIn) -> Any:
    kelurahan = request_kelurahan(request)
    household = registry_selectors.household_get(kelurahan=kelurahan, pk=household_id)
    review = services.score_review_record(
        actor=request.user,
        household=household,
        purpose=payload.purpose,
        decision=payload.decision,
        note=payload.note,
    )
    return Status(
        201, {"id": review.pk, "score": review.score_total, "log_index": review.log_index}
    )
