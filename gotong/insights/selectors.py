"""Insights reads: household scores with their parts, the early-warning list of an area,
and the weekly demand forecast with its validation. Always for one kelurahan.

Reads the registry, needs and transparency tables read-only (like the dashboard's read
model); writes nothing.
"""

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from gotong.accounts.models import OFFICER_ROLES, Role
from gotong.accounts.permissions import memberships_effective
from gotong.needs.models import OPEN_STATUSES, Need
from gotong.registry.models import Household, Person, PersonStatus, WelfareListing
from gotong.territory.models import RT, Kelurahan
from gotong.transparency.models import LogEntry

from . import forecast
from .models import ScoreReview
from .score import FLAG_FACTORS, Score, household_score

CHANGE_DAYS = 60
CHANGE_FLAGS = {
    "lost_job",
    "has_chronic_illness",
    "is_pregnant",
    "is_child_under_five",
    "has_disability",
}
EARLY_WARNING_MIN_SCORE = 25


@dataclass
class HouseholdInsight:
    household: Household
    score: Score
    dtks_listed: bool
    changes: list[str] = field(default_factory=list)
    last_review: ScoreReview | None = None


def area_rt_ids(*, kelurahan: Kelurahan, user: Any) -> set[int] | None:
    """RTs the user may see insights for: None = all (officers), else their RT/RW's."""
    held = memberships_effective(user, kelurahan.pk)
    if any(m.role in OFFICER_ROLES for m in held):
        return None
    rt_ids = {m.rt_id for m in held if m.role == Role.KETUA_RT and m.rt_id}
    rw_ids = {m.rw_id for m in held if m.role == Role.KETUA_RW and m.rw_id}
    if rw_ids:
        rt_ids |= set(
            RT.objects.filter(kelurahan=kelurahan, rw_id__in=rw_ids).values_list("pk", flat=True)
        )
    return rt_ids


def household_insights(
    *, kelurahan: Kelurahan, rt_ids: set[int] | None = None, now: dt.datetime | None = None
) -> dict[int, HouseholdInsight]:
    """Score, DTKS status and recent changes of every household (of the given RTs)."""
    now = now or timezone.now()
    households = Household.objects.filter(kelurahan=kelurahan).select_related("rt__rw", "head__rt")
    if rt_ids is not None:
        households = households.filter(rt_id__in=rt_ids)
    by_id = {h.pk: h for h in households}
    members: dict[int, list[dict[str, Any]]] = defaultdict(list)
    person_household: dict[int, int] = {}
    births: dict[int, int] = defaultdict(int)
    since = now - dt.timedelta(days=CHANGE_DAYS)
    fields = [*FLAG_FACTORS, "welfare_decile", "dtks_listed", "household_id", "pk", "created_at"]
    for row in Person.objects.filter(
        kelurahan=kelurahan, status=PersonStatus.ACTIVE, household_id__in=list(by_id)
    ).values(*fields):
        members[row["household_id"]].append(row)
        person_household[row["pk"]] = row["household_id"]
        household = by_id[row["household_id"]]
        if row["is_child_under_five"] and row["created_at"] >= since > household.created_at:
            births[row["household_id"]] += 1
    open_needs: dict[int, int] = defaultdict(int)
    last_aid: dict[int, dt.datetime] = {}
    for household_id, status, delivered_at in Need.objects.filter(
        kelurahan=kelurahan, beneficiary_household_id__in=list(by_id)
    ).values_list("beneficiary_household_id", "status", "delivered_at"):
        if status in OPEN_STATUSES:
            open_needs[household_id] += 1
        if delivered_at and (household_id not in last_aid or delivered_at > last_aid[household_id]):
            last_aid[household_id] = delivered_at
    changes: dict[int, set[str]] = defaultdict(set)
    for subject, body in LogEntry.objects.filter(
        kelurahan=kelurahan, type="person.corrected", recorded_at__gte=since
    ).values_list("subject", "body"):
        if not subject.startswith("person:"):
            continue
        person_id = int(subject.split(":")[1])
        owner = person_household.get(person_id)
        if owner is None:
            continue
        changed = set(json.loads(body).get("data", {}).get("fields", [])) & CHANGE_FLAGS
        current = next((m for m in members[owner] if m["pk"] == person_id), {})
        changes[owner] |= {f for f in changed if current.get(f)}
    reviews: dict[int, ScoreReview] = {}
    for review in ScoreReview.objects.filter(
        kelurahan=kelurahan, household_id__in=list(by_id)
    ).order_by("created_at", "pk"):
        reviews[review.household_id] = review
    found = {}
    for pk, household in by_id.items():
        people = members.get(pk, [])
        aid = last_aid.get(pk)
        score = household_score(
            members=people,
            size=max(household.size, len(people)),
            days_since_aid=(now - aid).days if aid else None,
            waiting_needs=open_needs.get(pk, 0),
        )
        change_codes = sorted(FLAG_FACTORS[f] for f in changes.get(pk, set()))
        if births.get(pk):
            change_codes.append("birth")
        if any(p.code == "no_aid_for_long" for p in score.parts):
            change_codes.append("no_aid_for_long")
        found[pk] = HouseholdInsight(
            household=household,
            score=score,
            dtks_listed=any(m["dtks_listed"] == WelfareListing.YES for m in people),
            changes=change_codes,
            last_review=reviews.get(pk),
        )
    return found


def early_warning_list(
    *, kelurahan: Kelurahan, user: Any, now: dt.datetime | None = None
) -> list[HouseholdInsight]:
    """Households not in DTKS whose situation changed, for the RT/operator to review."""
    rt_ids = area_rt_ids(kelurahan=kelurahan, user=user)
    insights = household_insights(kelurahan=kelurahan, rt_ids=rt_ids, now=now)
    rows = [
        i
        for i in insights.values()
        if not i.dtks_listed and i.changes and i.score.total >= EARLY_WARNING_MIN_SCORE
    ]
    return sorted(rows, key=lambda i: (-i.score.total, i.household.pk))


def household_insight(
    *, kelurahan: Kelurahan, household: Household, now: dt.datetime | None = None
) -> HouseholdInsight:
    """The score and signals of one household of this kelurahan."""
    return household_insights(kelurahan=kelurahan, rt_ids={household.rt_id}, now=now)[household.pk]


def _week_start(moment: dt.datetime) -> dt.date:
    day = timezone.localtime(moment).date()
    return day - dt.timedelta(days=day.weekday())


def demand_forecast(
    *, kelurahan: Kelurahan, now: dt.datetime | None = None, weeks: int = 16
) -> dict[str, Any]:
    """Needs raised per week, RW and category over ``weeks`` full weeks; next week's
    forecast and the model's error on held-out weeks against the naive baseline."""
    now = now or timezone.now()
    this_week = _week_start(now)
    starts = [this_week - dt.timedelta(weeks=n) for n in range(weeks, 0, -1)]
    index = {start: i for i, start in enumerate(starts)}
    first = dt.datetime.combine(starts[0], dt.time(), tzinfo=timezone.get_current_timezone())
    series: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * weeks)
    for rw, category, created in Need.objects.filter(
        kelurahan=kelurahan, created_at__gte=first
    ).values_list("rt__rw__number", "category", "created_at"):
        position = index.get(_week_start(created))
        if position is not None:
            series[(str(rw), category)][position] += 1
    plain = dict(series)
    validation = forecast.validate(plain)
    return {
        "weeks": [s.isoformat() for s in starts],
        "series": plain,
        "next_week": (this_week).isoformat(),
        "forecast": forecast.forecast_next(plain),
        "validation": validation,
    }
