"""The kelurahan's public fee rules (``settings_set``)."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import permission_require
from gotong.core.exceptions import (
    ValidationFailed,
)
from gotong.territory.models import Kelurahan

from ..models import (
    MarketSettings,
)
from ._common import (
    _log,
)


@transaction.atomic
def settings_set(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    operations_fee_bp: int,
    delivery_fee: int,
    courier_share_bp: int = 10000,
    baseline_cycles: int = 2,
) -> MarketSettings:
    """An operator sets the public fee rules (effective for cycles opened afterwards)."""
    permission_require(actor, "market.manage", kelurahan)
    if not 0 <= operations_fee_bp <= 3000:
        raise ValidationFailed(
            _("The operations fee must be between 0% and 30%."), {"field": "operations_fee_bp"}
        )
    if not 0 <= delivery_fee <= 100_000:
        raise ValidationFailed(
            _("The delivery fee must be between Rp 0 and Rp 100.000."), {"field": "delivery_fee"}
        )
    if not 0 <= courier_share_bp <= 10000 or not 1 <= baseline_cycles <= 12:
        raise ValidationFailed(_("These settings are out of range."), {"field": "courier_share_bp"})
    row, _created = MarketSettings.objects.update_or_create(
        kelurahan=kelurahan,
        defaults={
            "operations_fee_bp": operations_fee_bp,
            "delivery_fee": delivery_fee,
            "courier_share_bp": courier_share_bp,
            "baseline_cycles": baseline_cycles,
        },
    )
    _log(
        kelurahan,
        "market.settings_set",
        actor,
        f"kelurahan:{kelurahan.pk}",
        {
            "operations_fee_bp": operations_fee_bp,
            "delivery_fee": delivery_fee,
            "courier_share_bp": courier_share_bp,
        },
    )
    return row
