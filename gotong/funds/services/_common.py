"""Private helpers the funds services share: amounts, hashing, the log entry, receipts,
accounts, activity look-ups.
"""

import base64
import hashlib
import json
import re
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import acting_role
from gotong.activities import selectors as activity_selectors
from gotong.activities.services import resource_link_add
from gotong.core.exceptions import (
    ValidationFailed,
)
from gotong.funds.models import (
    DEBIT_NORMAL,
    MAY_GO_NEGATIVE,
    Account,
)
from gotong.territory.models import Kelurahan
from gotong.transparency import selectors as transparency_selectors
from gotong.transparency.services import entry_enqueue, evidence_upload

MAX_AMOUNT = 1_000_000_000_000  # Rp 1 trillion: far above any kelurahan's movement


def amount_clean(value: Any, *, field: str = "amount") -> int:
    """A positive whole number of rupiah, or ValidationFailed (fractions, zero, negative)."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, str):
        text = value.strip().replace("Rp", "").replace(" ", "")
        if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
            text = text.replace(".", "")
        value = int(text) if text.isdigit() else None
    elif isinstance(value, float):
        value = int(value) if value.is_integer() else "fraction"
    elif not isinstance(value, int):
        try:
            value = int(value) if Decimal(value) == int(value) else "fraction"
        except Exception:  # noqa: BLE001 - anything else is not an amount
            value = None
    if value == "fraction":
        raise ValidationFailed(
            _("Amounts are whole rupiah: no fractions."), {"field": field, "reason": "fraction"}
        )
    if not isinstance(value, int):
        raise ValidationFailed(
            _("The amount must be a whole number of rupiah."), {"field": field, "reason": "type"}
        )
    if value <= 0:
        raise ValidationFailed(
            _("The amount must be more than zero."), {"field": field, "reason": "not_positive"}
        )
    if value > MAX_AMOUNT:
        raise ValidationFailed(_("The amount is too large."), {"field": field, "reason": "large"})
    return value


def _role(user: Any, perm: str, unit: Any) -> str:
    return acting_role(user, perm, unit)


def _hash(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _fingerprint(content: bytes) -> str:
    """SHA-256 for the public log in base64url: a hex digest may hold a run of 16 decimal
    digits, which the log's checks take for a NIK."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).decode().rstrip("=")
    return f"sha256-b64:{digest}"


def _account_label(account: Account) -> str:
    return account.code


def _log(
    kelurahan: Kelurahan,
    type: str,
    actor: Any,
    subject: str,
    data: dict[str, Any],
    role: str | None = None,
) -> None:
    # Queued in this transaction and appended right after the commit: ledger writers do
    # not wait for one another on the log's append lock (see entry_enqueue).
    entry_enqueue(
        kelurahan=kelurahan,
        type=type,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        subject=subject,
        data=data,
        role=role,
    )


def _receipt_from(upload: Any, *, kelurahan: Kelurahan, actor: Any, subject: str, note: str) -> str:
    if upload is None:
        raise ValidationFailed(
            _("A photo of the receipt or proof of payment is required."), {"field": "receipt"}
        )
    return evidence_upload(
        kelurahan=kelurahan, uploader=actor, subject=subject, upload=upload, note=note
    ).code


def _account_new(kelurahan: Kelurahan, kind: str, code: str, name: str, **extra: Any) -> Account:
    return Account.objects.create(
        kelurahan=kelurahan,
        kind=kind,
        code=code,
        name=name[:150],
        debit_normal=kind in DEBIT_NORMAL,
        may_go_negative=kind in MAY_GO_NEGATIVE,
        **extra,
    )


def _activity(kelurahan: Kelurahan, activity_id: int) -> Any:
    return activity_selectors.activity_get(kelurahan=kelurahan, pk=activity_id)


def _activity_evidence_code(kelurahan: Kelurahan, activity_id: int, receipt_code: str) -> str:
    evidence = transparency_selectors.evidence_for_subject(
        kelurahan=kelurahan, subject=f"activity:{activity_id}"
    )
    if receipt_code:
        evidence = evidence.filter(code=receipt_code)
    found = evidence.first()
    if found is None:
        raise ValidationFailed(
            _("The activity needs a photo as evidence first."), {"field": "receipt_code"}
        )
    return found.code


def _resource_link(activity: Any, kind: str, external_id: str, quantity: int, unit: str) -> None:
    resource_link_add(
        activity=activity, kind=kind, external_id=external_id, quantity=max(1, quantity), unit=unit
    )
