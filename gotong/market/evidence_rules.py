"""Who sees the photos about a market order (registered with transparency from ``ready``).

A market order's photos are a transfer receipt (names and account numbers) or the
hand-over at the buyer's door: neither is for the public. The receipt page still shows
their fingerprints; the buyer sees the photos, and so do those who may read the evidence
(the uploader, officers). An aid order's hand-over photo is evidence about its need
instead, and follows the need's rule.
"""

from typing import Any

from gotong.territory.models import Kelurahan
from gotong.transparency.evidence_subjects import evidence_photo_rule_register

from .models import Order


def order_photos_public(*, kelurahan: Kelurahan, subject_ids: set[int]) -> set[int]:
    """No market order's photo is public."""
    return set()


def order_photo_viewer(*, user: Any, kelurahan: Kelurahan, subject_id: int) -> bool:
    """The buyer of the order."""
    return Order.objects.filter(kelurahan=kelurahan, pk=subject_id, buyer_id=user.pk).exists()


evidence_photo_rule_register("market_order", order_photos_public, order_photo_viewer)
