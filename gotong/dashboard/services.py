"""Dashboard use-cases.

- ``snapshot_refresh``: recompute a kelurahan's public, cube and officer figures and
  store them as its snapshot (the task runs it when the log grew or the snapshot aged).
- ``snapshots_refresh_due``: refresh every kelurahan whose snapshot is out of date.
- ``reference_figure_set``: an operator records an official figure the dashboard divides
  by (households per RW from the monografi), logged.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import acting_role, permission_require
from gotong.core.exceptions import ValidationFailed
from gotong.territory.models import RW, Kelurahan
from gotong.transparency.models import LogHead
from gotong.transparency.services import entry_record

from .figures import snapshot_compute
from .models import ReferenceCode, ReferenceFigure, Snapshot

# A snapshot older than this is refreshed even when the log did not grow (90-day windows).
MAX_AGE = dt.timedelta(hours=1)


def _log_size(kelurahan: Kelurahan) -> int:
    return LogHead.objects.filter(pk=kelurahan.pk).values_list("size", flat=True).first() or 0


@transaction.atomic
def snapshot_refresh(*, kelurahan: Kelurahan, now: dt.datetime | None = None) -> Snapshot:
    """Recompute and store the kelurahan's dashboard snapshot."""
    size = _log_size(kelurahan)
    data = snapshot_compute(kelurahan=kelurahan, now=now)
    snapshot, _created = Snapshot.objects.update_or_create(
        kelurahan=kelurahan,
        defaults={"computed_at": now or timezone.now(), "log_size": size, **data},
    )
    return snapshot


def snapshots_refresh_due(*, now: dt.datetime | None = None) -> int:
    """Refresh each kelurahan whose log grew or whose snapshot is older than MAX_AGE."""
    now = now or timezone.now()
    current = {
        pk: (size, at)
        for pk, size, at in Snapshot.objects.values_list("kelurahan_id", "log_size", "computed_at")
    }
    refreshed = 0
    for kelurahan in Kelurahan.objects.order_by("pk"):
        size, at = current.get(kelurahan.pk, (None, None))
        if size == _log_size(kelurahan) and at is not None and now - at < MAX_AGE:
            continue
        snapshot_refresh(kelurahan=kelurahan, now=now)
        refreshed += 1
    return refreshed


@transaction.atomic
def reference_figure_set(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    code: str,
    value: int,
    source: str,
    rw: RW | None = None,
) -> ReferenceFigure:
    """Record an official figure (e.g. households in an RW), with its source; logged."""
    permission_require(actor, "dashboard.set_reference", kelurahan)
    if code not in ReferenceCode.values:
        raise ValidationFailed(_("Unknown reference figure."), {"field": "code"})
    if rw is not None and rw.kelurahan_id != kelurahan.pk:
        raise ValidationFailed(_("This RW is not in this kelurahan."), {"field": "rw"})
    if not 1 <= value <= 1_000_000:
        raise ValidationFailed(_("Give a number between 1 and 1,000,000."), {"field": "value"})
    source = (source or "").strip()
    if not source:
        raise ValidationFailed(_("Name the source of this figure."), {"field": "source"})
    figure, _created = ReferenceFigure.objects.update_or_create(
        kelurahan=kelurahan,
        code=code,
        rw=rw,
        defaults={"value": value, "source": source[:200], "set_by": actor},
    )
    entry_record(
        kelurahan=kelurahan,
        type="dashboard.reference_set",
        actor=actor,
        role=acting_role(actor, "dashboard.set_reference", kelurahan),
        subject=f"reference:{figure.pk}",
        data={"code": code, "rw": rw.number if rw else None, "value": value},
    )
    return figure
