"""Test data for matching: RTs with centroids, volunteers with a place and skills, needs."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gotong.activities.tests.factories import approved_need, elderly, verified, volunteer
from gotong.registry.models import Volunteer
from gotong.territory.models import RT

CENTRE = (Decimal("-7.630000"), Decimal("111.520000"))


def place(rt: RT, north_km: float = 0.0) -> RT:
    """Give an RT a centroid ``north_km`` north of the demo centre."""
    rt.centroid_lat = CENTRE[0] + Decimal(str(round(north_km / 110.574, 6)))
    rt.centroid_lon = CENTRE[1]
    rt.save(update_fields=["centroid_lat", "centroid_lon"])
    return rt


def helper_at(
    rt: RT, skills: tuple[str, ...], north_km: float | None = None, **fields: Any
) -> Volunteer:
    """A volunteer of ``rt`` (available any time, 3 tasks a week), optionally placed by GPS."""
    v = volunteer(rt, skills=skills, **fields)
    if north_km is not None:
        Volunteer.objects.filter(pk=v.pk).update(
            lat=CENTRE[0] + Decimal(str(round(north_km / 110.574, 6))), lon=CENTRE[1]
        )
        v.refresh_from_db()
    return v


def soon(hours: int = 48) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


__all__ = ["approved_need", "elderly", "verified", "helper_at", "place", "soon"]
