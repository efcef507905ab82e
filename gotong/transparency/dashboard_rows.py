"""The transparency app's published reads for the dashboard."""

from gotong.territory.models import Kelurahan

from .models import Evidence


def evidence_subjects_for_dashboard(*, kelurahan: Kelurahan) -> set[str]:
    """Every subject (``activity:12``, ``need:3``) with at least one evidence photo."""
    return set(
        Evidence.objects.filter(kelurahan=kelurahan).values_list("subject", flat=True).distinct()
    )
