"""A small hand-built data set whose every KPI is known in advance.

Rows are created directly (not through the lifecycle services) so each timestamp and
status is exactly what the expected numbers below assume.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from gotong.accounts.tests.factories import UserFactory
from gotong.activities.models import Activity, Layer, Rating, SignOff
from gotong.dashboard.models import ReferenceCode, ReferenceFigure
from gotong.dashboard.suppression import SUPPRESSED
from gotong.needs.models import Need
from gotong.registry.models import Household
from gotong.registry.tests.factories import PersonFactory
from gotong.territory.models import RT
from gotong.transparency.models import Evidence

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[111.5, -7.6], [111.51, -7.6], [111.51, -7.59], [111.5, -7.59], [111.5, -7.6]]
    ],
}


def household(rt: RT, **person: Any) -> Household:
    home = Household.objects.create(kelurahan=rt.kelurahan, rt=rt, size=3)
    head = PersonFactory(rt=rt, household=home, **person)
    home.head = head  # type: ignore[assignment]
    home.save(update_fields=["head"])
    return home


def need(
    rt: RT,
    home: Household,
    *,
    status: str,
    hours: float | None,
    raiser: Any,
    category: str = "pangan",
    urgency: str = "tinggi",
    days_ago: int = 10,
) -> Need:
    created = timezone.now() - dt.timedelta(days=days_ago)
    row = Need.objects.create(
        kelurahan=rt.kelurahan,
        rt=rt,
        category=category,
        description="test",
        urgency=urgency,
        needed_by=created + dt.timedelta(days=3),
        beneficiary_household=home,
        raised_via="rt_proxy",
        raised_by=raiser,
        status=status,
    )
    fields: dict[str, Any] = {"created_at": created}
    if hours is not None:
        fields["delivered_at"] = created + dt.timedelta(hours=hours)
    Need.objects.filter(pk=row.pk).update(**fields)
    row.refresh_from_db()
    return row


def evidence(rt: RT, subject: str) -> Evidence:
    return Evidence.objects.create(
        kelurahan=rt.kelurahan,
        code=f"c{Evidence.objects.count():011d}",
        subject=subject,
        log_index=Evidence.objects.count(),
        media_type="image/jpeg",
        size_bytes=1,
        width=1,
        height=1,
        sha256="0" * 64,
        original_path="x",
        public_path="x",
        public_sha256="0" * 64,
        public_width=1,
        public_height=1,
        phash="0" * 16,
    )


@dataclass
class HandBuilt:
    """The data set and its expected figures."""

    rt: RT
    users: list[Any] = field(default_factory=list)
    expected: dict[str, Any] = field(default_factory=dict)


def hand_built(rt: RT) -> HandBuilt:
    """8 households (24 in the official count), 7 needs, 6 activities, 5 ratings."""
    rt.rw.boundary = SQUARE
    rt.rw.save(update_fields=["boundary"])
    homes = [household(rt) for _n in range(8)]
    ReferenceFigure.objects.create(
        kelurahan=rt.kelurahan,
        code=ReferenceCode.HOUSEHOLDS_TOTAL,
        rw=rt.rw,
        value=32,
        source="test",
    )
    raiser: Any = UserFactory()
    # High urgency, delivered after 10, 20, 30, 40, 50 hours: median 30, p90 46.
    statuses = ["closed", "closed", "closed", "confirmed", "delivered"]
    for home, hours, status in zip(homes, [10, 20, 30, 40, 50], statuses, strict=False):
        need(rt, home, status=status, hours=hours, raiser=raiser)
    need(rt, homes[5], status="submitted", hours=None, raiser=raiser, category="kesehatan")
    need(rt, homes[6], status="submitted", hours=None, raiser=raiser, category="kesehatan")
    signers: list[Any] = [UserFactory() for _n in range(6)]
    coordinator = signers[0]
    now = timezone.now()
    activities = []
    for index in range(6):
        activity = Activity.objects.create(
            kelurahan=rt.kelurahan,
            rt=rt,
            kind="delivery",
            title="t",
            starts_at=now - dt.timedelta(days=5 + index),
            ends_at=now - dt.timedelta(days=5 + index) + dt.timedelta(hours=2),
            coordinator=coordinator,
            created_by=coordinator,
            status="cancelled" if index == 5 else "closed",
        )
        activities.append(activity)
    # Activities 0-3: photo, three layers and 3 independent verifiers (complete);
    # activity 4: three layers and 2 independent verifiers, no photo (incomplete).
    for index, activity in enumerate(activities[:5]):
        if index < 4:
            evidence(rt, f"activity:{activity.pk}")
        for layer, signer in [
            (Layer.EXECUTOR, signers[0]),
            (Layer.RT, signers[1]),
            (Layer.RW, signers[2]),
        ]:
            SignOff.objects.create(
                activity=activity, layer=layer, signer=signer, role="x", executor=coordinator
            )
        for signer in signers[3 : 6 if index < 4 else 5]:
            SignOff.objects.create(
                activity=activity,
                layer=Layer.INDEPENDENT,
                signer=signer,
                role="x",
                executor=coordinator,
            )
    closed_needs = list(Need.objects.filter(kelurahan=rt.kelurahan, status="closed"))
    for stars, activity, closed in zip([5, 4, 4, 3, 5], activities, closed_needs * 2, strict=False):
        Rating.objects.create(
            kelurahan=rt.kelurahan, activity=activity, need=closed, stars=stars, rated_by=raiser
        )
    return HandBuilt(
        rt=rt,
        users=[raiser, *signers],
        expected={
            "active_users": 7,  # the raiser (also the rater) and six signers
            "adoption": 25.0,  # 8 of 32 households
            "needs_raised": 7,
            # 7 raised and 5 matched would publish "2 not matched" (two households):
            # a difference counts as published, so matched and delivered are suppressed.
            "needs_matched": SUPPRESSED,
            "needs_delivered": SUPPRESSED,
            "needs_closed": SUPPRESSED,  # three households: suppressed
            "delivery_hours_high": 30.0,
            "delivery_p90_high": 46.0,
            "evidence_complete": 80.0,  # 4 of 5 finished activities
            "claims_validated": 80.0,  # 4 of 5 delivered claims confirmed
            "rating_average": 4.2,
            "verifiers_per_activity": 2.8,  # (4 x 3 + 2) / 5
            "activities_90d": 5,  # the cancelled one does not count
        },
    )
