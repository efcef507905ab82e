"""Ratings of UMKM: per order, averages, comments."""

from dataclasses import dataclass

from django.db.models import Avg, Count, QuerySet

from gotong.registry.models import Organisation
from gotong.territory.models import Kelurahan

from ..models import (
    Order,
    OrderRating,
)


def order_ratings(*, order: Order) -> QuerySet[OrderRating]:
    """The stars the buyer gave the order's UMKM (empty until rated)."""
    return OrderRating.objects.filter(order=order).select_related("organisation").order_by("pk")


# The public catalogue shows a UMKM's average only from this many ratings on.
PUBLIC_RATING_MIN = 3


@dataclass(frozen=True)
class RatingSummary:
    average: float  # one decimal
    count: int


def umkm_ratings(*, kelurahan: Kelurahan, public: bool = False) -> dict[int, RatingSummary]:
    """Average stars and number of ratings per UMKM (one query); ``public``: only UMKM
    with at least ``PUBLIC_RATING_MIN`` ratings, as shown on the catalogue."""
    rows = (
        OrderRating.objects.filter(kelurahan=kelurahan)
        .values("organisation_id")
        .annotate(avg=Avg("stars"), n=Count("pk"))
    )
    return {
        r["organisation_id"]: RatingSummary(round(float(r["avg"]), 1), int(r["n"]))
        for r in rows
        if not public or r["n"] >= PUBLIC_RATING_MIN
    }


def umkm_rating_comments(
    *, kelurahan: Kelurahan, organisation: Organisation, limit: int = 5
) -> list[OrderRating]:
    """The latest comments a UMKM received (for that UMKM and officers; no buyer shown)."""
    return list(
        OrderRating.objects.filter(kelurahan=kelurahan, organisation=organisation)
        .exclude(comment="")
        .only("stars", "comment", "created_at")
        .order_by("-created_at", "-pk")[:limit]
    )
