"""Callbacks: a random sample of aid recipients called back, and the outcome recorded."""

import re
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import permission_require
from gotong.core.exceptions import (
    Conflict,
    ValidationFailed,
)
from gotong.funds.models import (
    Callback,
    Disbursement,
    DisbursementKind,
    DisbursementStatus,
    Voucher,
)
from gotong.territory.models import Kelurahan

from ..transitions import CALLBACK_ANSWERABLE, CALLBACK_OUTCOMES
from ._common import _log, _role


@transaction.atomic
def callbacks_sample(
    *, actor: Any, kelurahan: Kelurahan, cycle: str, size: int = 10, rng: Any = None
) -> list[Callback]:
    """Draw a random sample of this cycle's recipients (cash aid paid, vouchers for a
    household) for the operator to call back; once per cycle.

    ``actor`` needs ``funds.operate`` in the kelurahan (the operator's call-back page);
    ``actor=None`` is the daily task (``manage.py funds_daily``) and the demo seed."""
    if actor is not None:
        permission_require(actor, "funds.operate", kelurahan)
    if not re.fullmatch(r"\d{4}-\d{2}", cycle):
        raise ValidationFailed(_("The cycle is a month: YYYY-MM."))
    if Callback.objects.filter(kelurahan=kelurahan, cycle=cycle).exists():
        return list(Callback.objects.filter(kelurahan=kelurahan, cycle=cycle))
    year, month = (int(x) for x in cycle.split("-"))
    paid = list(
        Disbursement.objects.filter(
            kelurahan=kelurahan,
            kind=DisbursementKind.CASH_AID,
            status=DisbursementStatus.PAID,
            updated_at__year=year,
            updated_at__month=month,
        ).values_list("pk", flat=True)
    )
    vouchers = list(
        Voucher.objects.filter(
            kelurahan=kelurahan,
            household__isnull=False,
            created_at__year=year,
            created_at__month=month,
        ).values_list("pk", flat=True)
    )
    pool = [("d", pk) for pk in paid] + [("v", pk) for pk in vouchers]
    chooser = rng or secrets.SystemRandom()
    chosen = chooser.sample(pool, min(size, len(pool)))
    rows = Callback.objects.bulk_create(
        [
            Callback(
                kelurahan=kelurahan,
                cycle=cycle,
                disbursement_id=pk if kind == "d" else None,
                voucher_id=pk if kind == "v" else None,
            )
            for kind, pk in sorted(chosen)
        ]
    )
    _log(
        kelurahan,
        "funds.callbacks_sampled",
        actor,
        f"callbacks:{cycle}",
        {"population": len(pool), "sampled": len(rows)},
        role=_role(actor, "funds.operate", kelurahan) if actor is not None else None,
    )
    return rows


@transaction.atomic
def callback_record(*, actor: Any, callback: Callback, status: str, note: str = "") -> Callback:
    """The operator records the answer of a call-back."""
    permission_require(actor, "funds.operate", callback.kelurahan)
    if status not in CALLBACK_OUTCOMES:
        raise ValidationFailed(_("Choose the outcome of the call."), {"field": "status"})
    updated = Callback.objects.filter(pk=callback.pk, status__in=CALLBACK_ANSWERABLE).update(
        status=status,
        note=" ".join((note or "").split())[:300],
        handled_by=actor,
        updated_at=timezone.now(),
    )
    if not updated:
        raise Conflict(_("This call-back was already recorded."))
    callback.refresh_from_db()
    _log(
        callback.kelurahan,
        "funds.callback_recorded",
        actor,
        f"callback:{callback.pk}",
        {"status": status},
    )
    return callback
