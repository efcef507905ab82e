"""At most ``GOTONG_EVIDENCE_UPLOADS_PER_MINUTE`` evidence uploads a minute per user.

Counted in the database (``EvidenceUploadAttempt``), so the limit holds across processes
and workers. ``evidence_upload_attempt_record`` runs before the upload's own transaction
(``services.evidence_upload``): the row is inserted first and then the user's rows of
the last minute up to it are counted, so two racing uploads can both be refused but never
both slip past the limit. A refused attempt removes its row (waiting a minute always
helps). 0 turns the limit off (the test settings); platform batches (``seed_demo``, inside
``gotong.core.seeding.platform_batch``) are not counted.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gotong.core.exceptions import RateLimited
from gotong.core.seeding import platform_batch_active

from .models import EvidenceUploadAttempt

WINDOW = dt.timedelta(minutes=1)
KEPT = dt.timedelta(hours=1)


def evidence_upload_attempt_record(*, uploader: Any) -> None:
    """Count an upload by ``uploader``; raise ``RateLimited`` (429) beyond the limit."""
    limit = getattr(settings, "GOTONG_EVIDENCE_UPLOADS_PER_MINUTE", 0)
    if not limit or platform_batch_active() or not getattr(uploader, "is_authenticated", False):
        return
    now = timezone.now()
    with transaction.atomic():
        attempt = EvidenceUploadAttempt.objects.create(user=uploader, at=now)
        EvidenceUploadAttempt.objects.filter(user=uploader, at__lt=now - KEPT).delete()
    earlier = EvidenceUploadAttempt.objects.filter(
        user=uploader, at__gt=now - WINDOW, pk__lte=attempt.pk
    ).count()
    if earlier > limit:
        EvidenceUploadAttempt.objects.filter(pk=attempt.pk).delete()
        raise RateLimited(
            _("Too many photos in the last minute. Wait a moment and try again."),
            {"reason": "rate", "limit": limit, "retry_after_seconds": int(WINDOW.total_seconds())},
        )
