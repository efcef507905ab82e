"""The needs app's published reads for the dashboard: value rows, no model instances.

The dashboard's read model (``gotong.dashboard.figures``) asks for these instead of
reading the needs tables; statuses come back as this app's own ``Status`` enum so that the
dashboard maps every status explicitly.
"""

import datetime as dt
from typing import NamedTuple

from gotong.territory.models import Kelurahan

from .models import DEFAULT_TARGET_HOURS, Need, ServiceLevel, Status


class NeedRow(NamedTuple):
    """One need as the dashboard counts it (ids, codes and times; no text)."""

    pk: int
    rt_id: int
    rw_number: int
    category: str
    urgency: str
    status: Status
    household_id: int | None
    person_id: int | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    raised_by_id: int | None


def need_rows_for_dashboard(*, kelurahan: Kelurahan) -> list[NeedRow]:
    """Every need of the kelurahan as a value row, in one query."""
    return [
        NeedRow(pk, rt, rw, category, urgency, Status(status), home, person, created, done, by)
        for pk, rt, rw, category, urgency, status, home, person, created, done, by in (
            Need.objects.filter(kelurahan=kelurahan).values_list(
                "pk",
                "rt_id",
                "rt__rw__number",
                "category",
                "urgency",
                "status",
                "beneficiary_household_id",
                "beneficiary_person_id",
                "created_at",
                "delivered_at",
                "raised_by_id",
            )
        )
    ]


def service_level_targets_for_dashboard(*, kelurahan: Kelurahan) -> dict[str, int]:
    """Target hours to delivery per urgency: the kelurahan's own, else the defaults."""
    targets = {str(urgency): hours for urgency, hours in DEFAULT_TARGET_HOURS.items()}
    for urgency, hours in ServiceLevel.objects.filter(kelurahan=kelurahan).values_list(
        "urgency", "target_hours"
    ):
        targets[urgency] = hours
    return targets
