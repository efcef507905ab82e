"""Buyers' ratings of the UMKM of a delivered order."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import permission_gate
from gotong.core.exceptions import (
    Conflict,
    PermissionDenied,
    ValidationFailed,
)

from ..models import (
    Order,
    OrderRating,
)
from ..selectors import order_umkm
from ..transitions import ORDER_RATEABLE
from ._common import (
    _log,
    _order_locked,
)

RATING_COMMENT_MAX = 200


# Long runs of digits look like phone, NIK or account numbers: not in a comment.
_DIGIT_RUN = re.compile(r"\d[\d\s.-]{6,}\d")


@dataclass(frozen=True)
class RatingSpec:
    organisation_id: int
    stars: int
    comment: str = ""


@transaction.atomic
def order_rate(*, actor: Any, order: Order, ratings: Sequence[RatingSpec]) -> list[OrderRating]:
    """The buyer rates a delivered order once: 1-5 stars for each UMKM whose goods it
    brought (a UMKM may be left out), with an optional short comment. The comment is
    shown to that UMKM and the officers without the buyer's name and is not logged.
    Aid orders are rated by the household through the activity, not here."""
    permission_gate(actor, "market.order", order.kelurahan)
    order = _order_locked(order)
    if order.buyer_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the buyer can rate this order."))
    if order.need_id is not None:
        raise Conflict(
            _("Aid orders are rated by the household through the activity."),
            {"field": "order"},
        )
    if order.status not in ORDER_RATEABLE:
        raise Conflict(_("You can rate an order once it has been delivered."), {"field": "status"})
    if OrderRating.objects.filter(order=order).exists():
        raise Conflict(_("You have already rated this order."), {"field": "order"})
    if not ratings:
        raise ValidationFailed(_("Give at least one UMKM some stars."), {"field": "stars"})
    allowed = {org.pk for org in order_umkm(order=order)}
    seen: set[int] = set()
    rows = []
    for spec in ratings:
        if spec.organisation_id not in allowed:
            raise ValidationFailed(
                _("That UMKM is not in this order."), {"field": "organisation_id"}
            )
        if spec.organisation_id in seen:
            raise ValidationFailed(_("A UMKM appears twice."), {"field": "organisation_id"})
        seen.add(spec.organisation_id)
        stars = spec.stars
        if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
            raise ValidationFailed(_("Give between 1 and 5 stars."), {"field": "stars"})
        comment = " ".join((spec.comment or "").split())
        if len(comment) > RATING_COMMENT_MAX:
            raise ValidationFailed(
                _("Keep the comment under %(n)s characters.") % {"n": RATING_COMMENT_MAX},
                {"field": "comment"},
            )
        if _DIGIT_RUN.search(comment):
            raise ValidationFailed(
                _("Leave phone, NIK and account numbers out of the comment."),
                {"field": "comment"},
            )
        rows.append(
            OrderRating(
                kelurahan=order.kelurahan,
                order=order,
                organisation_id=spec.organisation_id,
                stars=stars,
                comment=comment,
            )
        )
    OrderRating.objects.bulk_create(rows)
    _log(
        order.kelurahan,
        "market.order_rated",
        actor,
        f"order:{order.pk}",
        {
            "cycle": f"cycle:{order.cycle_id}",
            "stars": {f"organisation:{r.organisation_id}": r.stars for r in rows},
        },
    )
    return list(OrderRating.objects.filter(order=order).order_by("pk"))
