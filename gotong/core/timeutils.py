"""Time is stored in UTC and shown in Asia/Jakarta (WIB)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

WIB = ZoneInfo("Asia/Jakarta")


def to_wib(moment: dt.datetime) -> dt.datetime:
    """Convert an aware datetime to Western Indonesian Time."""
    return moment.astimezone(WIB)


def utc_iso(moment: dt.datetime | None = None) -> str:
    """An ISO 8601 UTC timestamp with a ``Z`` suffix, for logs and signed records."""
    moment = moment or timezone.now()
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
