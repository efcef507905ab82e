"""The activities app's published reads for the dashboard: value rows, no model instances.

The dashboard's read model (``gotong.dashboard.figures``) asks for these instead of
reading the activities tables; statuses and layers come back as this app's own enums so
that the dashboard maps every value explicitly. (A module of its own while the app's
services and selectors are being split; it may move into ``selectors`` later.)
"""

import datetime as dt
from collections import defaultdict
from typing import NamedTuple

from gotong.territory.models import Kelurahan

from .models import (
    Activity,
    ActivityNeed,
    ActivityPolicy,
    ActivityStatus,
    Assignment,
    Layer,
    Rating,
    SignOff,
)

DEFAULT_VERIFIERS_REQUIRED = 3


class ActivityRow(NamedTuple):
    """One activity as the dashboard counts it."""

    pk: int
    status: ActivityStatus
    starts_at: dt.datetime
    rw_number: int | None
    kind: str


class SignOffRow(NamedTuple):
    """One sign-off: which activity, which layer, who and when."""

    activity_id: int
    layer: Layer
    signer_id: int | None
    at: dt.datetime


class RatingRow(NamedTuple):
    """One rating: stars, when, and who rated."""

    stars: int
    created_at: dt.datetime
    rated_by_id: int | None


def activity_rows_for_dashboard(*, kelurahan: Kelurahan) -> list[ActivityRow]:
    """Every activity of the kelurahan as a value row, in one query."""
    return [
        ActivityRow(pk, ActivityStatus(status), starts, rw, kind)
        for pk, status, starts, rw, kind in Activity.objects.filter(
            kelurahan=kelurahan
        ).values_list("pk", "status", "starts_at", "rt__rw__number", "kind")
    ]


def activity_need_links_for_dashboard(*, kelurahan: Kelurahan) -> dict[int, list[int]]:
    """The needs each activity serves: activity id -> need ids."""
    links: dict[int, list[int]] = defaultdict(list)
    for activity_id, need_id in ActivityNeed.objects.filter(
        activity__kelurahan=kelurahan
    ).values_list("activity_id", "need_id"):
        links[activity_id].append(need_id)
    return dict(links)


def signoff_rows_for_dashboard(*, kelurahan: Kelurahan) -> list[SignOffRow]:
    """Every sign-off of the kelurahan's activities as a value row."""
    return [
        SignOffRow(activity_id, Layer(layer), signer, at)
        for activity_id, layer, signer, at in SignOff.objects.filter(
            activity__kelurahan=kelurahan
        ).values_list("activity_id", "layer", "signer_id", "at")
    ]


def rating_rows_for_dashboard(*, kelurahan: Kelurahan) -> list[RatingRow]:
    """Every rating given in the kelurahan as a value row."""
    return [
        RatingRow(stars, at, rater)
        for stars, at, rater in Rating.objects.filter(kelurahan=kelurahan).values_list(
            "stars", "created_at", "rated_by_id"
        )
    ]


def volunteer_users_checked_in_since(*, kelurahan: Kelurahan, since: dt.datetime) -> set[int]:
    """User ids of volunteers who checked in to an activity of the kelurahan since then."""
    return {
        user_id
        for user_id in Assignment.objects.filter(
            activity__kelurahan=kelurahan, checked_in_at__gte=since
        ).values_list("volunteer__person__user_id", flat=True)
        if user_id is not None
    }


def verifiers_required_for_dashboard(*, kelurahan: Kelurahan) -> int:
    """Independent verifiers a sign-off needs in this kelurahan (the policy's K)."""
    return (
        ActivityPolicy.objects.filter(kelurahan=kelurahan)
        .values_list("verifiers_required", flat=True)
        .first()
        or DEFAULT_VERIFIERS_REQUIRED
    )
