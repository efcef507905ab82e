"""The registry's published reads for the dashboard: counts only, never a person.

(A module of its own while the app's services and selectors are being split; it may move
into ``selectors`` later.)
"""

from django.db.models import Count

from gotong.territory.models import Kelurahan

from .models import Household


def household_counts_by_rw(*, kelurahan: Kelurahan) -> dict[int, int]:
    """Registered households per RW number (RWs without any are absent)."""
    return dict(
        Household.objects.filter(kelurahan=kelurahan)
        .values("rt__rw__number")
        .annotate(n=Count("pk"))
        .values_list("rt__rw__number", "n")
    )
