"""The kelurahan's funds profile (static QRIS, bank label) and the QRIS payloads drawn from it."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import permission_require
from gotong.core.exceptions import (
    ValidationFailed,
)
from gotong.funds import qris
from gotong.funds.models import (
    FundsProfile,
)
from gotong.territory.models import Kelurahan

from ._common import _fingerprint, _log, amount_clean


@transaction.atomic
def funds_profile_set(
    *, actor: Any, kelurahan: Kelurahan, qris_static_payload: str, bank_label: str = ""
) -> FundsProfile:
    """Configure the kelurahan's static merchant QRIS (validated) and bank label."""
    permission_require(actor, "funds.treasury", kelurahan)
    payload = (qris_static_payload or "").strip()
    if payload:
        facts = qris.qris_check(payload)
        if facts.dynamic:
            raise ValidationFailed(_("Give the static QRIS of the kelurahan, not a dynamic one."))
    profile, _created = FundsProfile.objects.get_or_create(kelurahan=kelurahan)
    profile.qris_static_payload = payload
    profile.bank_label = " ".join((bank_label or "").split())[:120]
    profile.save()
    _log(
        kelurahan,
        "funds.profile_set",
        actor,
        f"kelurahan:{kelurahan.pk}",
        {"qris": _fingerprint(payload.encode()) if payload else None},
    )
    return profile


def qris_payload_for(*, kelurahan: Kelurahan, amount: Any, reference: str) -> str | None:
    """The dynamic QRIS payload (the kelurahan's static QRIS with this amount and
    reference in tag 62.05), or None when no static QRIS is configured."""
    profile = FundsProfile.objects.filter(kelurahan=kelurahan).first()
    if profile is None or not profile.qris_static_payload:
        return None
    return qris.qris_dynamic(
        profile.qris_static_payload, amount=amount_clean(amount), reference=reference
    )


def qris_svg(payload: str) -> str:
    """A QRIS payload drawn as an inline SVG QR code."""
    return qris.qris_svg(payload)
