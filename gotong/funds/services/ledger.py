"""The ledger: fixed and market accounts, posting a transfer (the one way to move value),
replay by idempotency key, reversal and internal transfers.
"""

import contextlib
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import permission_require
from gotong.core.exceptions import (
    Conflict,
    ValidationFailed,
)
from gotong.funds.models import (
    AID_SOURCES,
    DEBIT_NORMAL,
    MAY_GO_NEGATIVE,
    REVERSIBLE_KINDS,
    SINGLETON_KINDS,
    Account,
    AccountKind,
    Campaign,
    Donation,
    DonationStatus,
    Match,
    MatchPledge,
    Posting,
    Transfer,
    TransferKind,
)
from gotong.territory.models import Kelurahan

from ..transitions import step_check
from ._common import MAX_AMOUNT, _hash, _log, amount_clean

_SINGLETON_NAMES = {
    AccountKind.BANK: _("Kelurahan bank account"),
    AccountKind.CASH: _("Cash box"),
    AccountKind.IN_KIND: _("Goods store"),
    AccountKind.AID_FUND: _("Kelurahan aid fund"),
    AccountKind.OPERATIONAL_FUND: _("Operational fund"),
    AccountKind.VOUCHER_LIABILITY: _("Vouchers outstanding"),
    AccountKind.STOCK_ADJUSTMENT: _("Stock count differences"),
}


def accounts_ensure(*, kelurahan: Kelurahan) -> dict[str, Account]:
    """The kelurahan's fixed accounts by kind, created on first use."""
    found = {
        a.kind: a
        for a in Account.objects.filter(kelurahan=kelurahan, kind__in=list(SINGLETON_KINDS))
    }
    for kind in SINGLETON_KINDS:
        if kind not in found:
            found[kind], _created = Account.objects.get_or_create(
                kelurahan=kelurahan,
                code=str(kind),
                defaults={
                    "kind": kind,
                    "name": str(_SINGLETON_NAMES[kind]),
                    "debit_normal": kind in DEBIT_NORMAL,
                    "may_go_negative": kind in MAY_GO_NEGATIVE,
                },
            )
    return found


def _postings_clean(
    kelurahan: Kelurahan, postings: Sequence[tuple[Account, int]]
) -> list[tuple[Account, int]]:
    cleaned: list[tuple[Account, int]] = []
    for account, amount in postings:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise ValidationFailed(_("Amounts are whole rupiah: no fractions."), {"reason": "type"})
        if amount == 0:
            raise ValidationFailed(_("A posting of zero rupiah is not allowed."))
        if abs(amount) > MAX_AMOUNT:
            raise ValidationFailed(_("The amount is too large."))
        if account.kelurahan_id != kelurahan.pk:
            raise ValidationFailed(_("An account of another kelurahan cannot be used."))
        cleaned.append((account, amount))
    if len(cleaned) < 2:
        raise ValidationFailed(_("A transfer needs at least two postings."))
    if sum(amount for _a, amount in cleaned) != 0:
        raise ValidationFailed(
            _("The postings of a transfer must sum to zero."), {"reason": "unbalanced"}
        )
    return cleaned


def _replay(kelurahan: Kelurahan, key: str, request_hash: str) -> Transfer | None:
    existing = Transfer.objects.filter(kelurahan=kelurahan, idempotency_key=key).first()
    if existing is None:
        return None
    if existing.request_hash != request_hash:
        raise ValidationFailed(
            _("This idempotency key was already used for a different request."),
            {"reason": "idempotency_key_reused", "idempotency_key": key},
        )
    existing.replayed = True  # type: ignore[attr-defined]
    return existing


def transfer_replayed(*, kelurahan: Kelurahan, key: str | None, request: Any) -> Transfer | None:
    """The transfer an earlier call with this key made (same request), else None.

    Raises ValidationFailed (422) when the key was used for a different request.
    """
    if not key:
        return None
    return _replay(kelurahan, key, _hash(request))


@transaction.atomic
def transfer_post(
    *,
    kelurahan: Kelurahan,
    kind: str,
    postings: Sequence[tuple[Account, int]],
    actor: Any,
    memo: str = "",
    idempotency_key: str | None = None,
    request: Any = None,
    campaign: Campaign | None = None,
    activity_id: int | None = None,
    receipt_code: str = "",
    reverses: Transfer | None = None,
    log_data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> Transfer:
    """Post a balanced transfer (debits positive, credits negative) and log it.

    With ``idempotency_key``: a replay of the same request returns the first transfer
    (``transfer.replayed`` is True), the same key with another request is refused (422),
    and of two concurrent calls with one key exactly one posts (the second waits on the
    key's unique index, then answers as a replay).

    Locks are held as briefly as possible: the transfer, its postings and its (queued)
    log entry are written first; the balances move last, account by account in pk order
    (so two transfers never deadlock), each by a conditional UPDATE that refuses to take an
    account below zero where its kind forbids it. The UPDATE takes the row lock and
    PostgreSQL re-checks the condition on the newest balance after waiting for it, so the
    guard holds under concurrency; on SQLite writers are serialised anyway. A refused
    balance rolls the whole transfer back.
    """
    cleaned = _postings_clean(kelurahan, postings)
    key = (idempotency_key or "").strip()[:100] or None
    request_hash = _hash(
        request
        if request is not None
        else {
            "kind": kind,
            "postings": sorted((a.pk, amount) for a, amount in cleaned),
            "memo": memo,
            "campaign": campaign.pk if campaign else None,
            "activity": activity_id,
        }
    )
    accounts = {account.pk: account for account, _amount in cleaned}
    deltas: dict[int, int] = defaultdict(int)
    for account, amount in cleaned:
        deltas[account.pk] += amount
    if key:
        replay = _replay(kelurahan, key, request_hash)
        if replay is not None:
            return replay
    now = at or timezone.now()
    debit_total = sum(amount for _a, amount in cleaned if amount > 0)
    guard = transaction.atomic() if (key or reverses is not None) else contextlib.nullcontext()
    try:
        with guard:
            transfer = Transfer.objects.create(
                kelurahan=kelurahan,
                kind=kind,
                memo=memo[:200],
                amount=debit_total,
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                idempotency_key=key,
                request_hash=request_hash if key else "",
                reverses=reverses,
                campaign=campaign,
                activity_id=activity_id,
                receipt_code=receipt_code,
                created_at=now,
            )
    except IntegrityError as exc:
        if key:
            # Another request with this key committed first (PostgreSQL waited for it on
            # the unique index): answer as a replay, or refuse a different body.
            replay = _replay(kelurahan, key, request_hash)
            if replay is not None:
                return replay
        if reverses is not None:
            raise Conflict(_("This transfer was already reversed.")) from exc
        raise
    Posting.objects.bulk_create(
        [
            Posting(transfer=transfer, account=account, amount=amount, created_at=now)
            for account, amount in cleaned
        ]
    )
    data: dict[str, Any] = {
        "kind": kind,
        "amount": debit_total,
        "postings": [{"account": a.code, "amount": amount} for a, amount in cleaned],
    }
    if campaign is not None:
        data["campaign"] = campaign.pk
    if activity_id:
        data["activity"] = f"activity:{activity_id}"
    if reverses is not None:
        data["reverses"] = f"transfer:{reverses.pk}"
    if receipt_code:
        data["receipt"] = receipt_code
    data.update(log_data or {})
    _log(kelurahan, "funds.transfer", actor, f"transfer:{transfer.pk}", data)
    for pk in sorted(deltas):
        account = accounts[pk]
        natural = deltas[pk] if account.debit_normal else -deltas[pk]
        if natural == 0:
            continue
        moved = (
            Account.objects.filter(pk=pk)
            .filter(Q(may_go_negative=True) | Q(balance__gte=-natural))
            .update(balance=F("balance") + natural)
        )
        if moved != 1:
            raise ValidationFailed(
                _("Not enough balance in %(account)s for this transfer.")
                % {"account": account.name},
                {"reason": "insufficient_balance", "account": account.code},
            )
    transfer.replayed = False  # type: ignore[attr-defined]
    return transfer


@transaction.atomic
def transfer_reverse(
    *, actor: Any, transfer: Transfer, reason: str, idempotency_key: str | None = None
) -> Transfer:
    """Correct a transfer by posting its mirror image (a donation's matches are reversed too).

    The reason is kept in the mirror's memo, which the public log does not carry."""
    kelurahan = transfer.kelurahan
    permission_require(actor, "funds.treasury", kelurahan)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed(_("Give a reason for the correction."), {"field": "reason"})
    replay = transfer_replayed(
        kelurahan=kelurahan, key=idempotency_key, request={"reverse": transfer.pk}
    )
    if replay is not None:
        return replay
    if transfer.kind not in REVERSIBLE_KINDS:
        raise ValidationFailed(
            _("This kind of transfer is corrected by its own step (expiry, stock count)."),
            {"kind": transfer.kind},
        )
    if Transfer.objects.filter(reverses=transfer).exists():
        raise Conflict(_("This transfer was already reversed."))
    postings = [(p.account, -p.amount) for p in transfer.postings.select_related("account")]
    donation = Donation.objects.filter(transfer=transfer).first()
    if donation is not None:
        for match in donation.matches.select_related("transfer", "pledge").order_by("pk"):
            if not Transfer.objects.filter(reverses=match.transfer).exists():
                _match_reverse(actor, match)
    mirror = transfer_post(
        kelurahan=kelurahan,
        kind=TransferKind.REVERSAL,
        postings=postings,
        actor=actor,
        memo=f"Koreksi T-{transfer.pk}: {reason}",
        idempotency_key=idempotency_key,
        request={"reverse": transfer.pk},
        campaign=transfer.campaign,
        reverses=transfer,
        log_data={"reversed_kind": transfer.kind},
    )
    if transfer.kind == TransferKind.MATCH:
        match = Match.objects.select_related("pledge").get(transfer=transfer)
        MatchPledge.objects.filter(pk=match.pledge_id).update(
            matched_total=F("matched_total") - match.amount
        )
    if donation is not None:
        step_check(
            "donation",
            current=donation.status,
            target=DonationStatus.CANCELLED,
            refused=_("A %(current)s donation cannot be reversed."),
            actor=actor,
        )
        donation.status = DonationStatus.CANCELLED
        donation.save(update_fields=["status", "updated_at"])
    return mirror


def _match_reverse(actor: Any, match: Match) -> None:
    transfer_post(
        kelurahan=match.transfer.kelurahan,
        kind=TransferKind.REVERSAL,
        postings=[
            (p.account, -p.amount) for p in match.transfer.postings.select_related("account")
        ],
        actor=actor,
        memo=f"Koreksi T-{match.transfer.pk}",
        campaign=match.transfer.campaign,
        reverses=match.transfer,
        log_data={"reversed_kind": TransferKind.MATCH},
    )
    MatchPledge.objects.filter(pk=match.pledge_id).update(
        matched_total=F("matched_total") - match.amount
    )


@transaction.atomic
def transfer_internal(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    source: Account,
    destination: Account,
    amount: Any,
    memo: str,
    idempotency_key: str | None = None,
) -> Transfer:
    """Move value between two funds (e.g. the aid fund into a campaign); never between aid
    and operational money, never into or out of assets, vouchers or UMKM payables."""
    permission_require(actor, "funds.treasury", kelurahan)
    value = amount_clean(amount)
    fund_kinds = {*AID_SOURCES, AccountKind.MATCH_POOL}
    if source.kind not in fund_kinds or destination.kind not in AID_SOURCES:
        if not (
            source.kind == AccountKind.BANK
            and destination.kind == AccountKind.CASH
            or source.kind == AccountKind.CASH
            and destination.kind == AccountKind.BANK
        ):
            raise ValidationFailed(
                _("Operational and aid money stay separate; this transfer is not allowed."),
                {"reason": "separation"},
            )
    if source.pk == destination.pk:
        raise ValidationFailed(_("Choose two different accounts."))
    debit, credit = (destination, source) if destination.debit_normal else (source, destination)
    return transfer_post(
        kelurahan=kelurahan,
        kind=TransferKind.INTERNAL,
        postings=[(debit, value), (credit, -value)],
        actor=actor,
        memo=memo,
        idempotency_key=idempotency_key,
    )


# The market (gotong/market) moves its money through these: buyers' payments go into the
# market clearing account (QRIS confirmed by the treasurer into the bank, cash at the
# door, an aid voucher, an aid fund or campaign for a need), the cycle's settlement pays
# each UMKM's payable, the couriers and the operational fund out of it, and what a
# closing refunds goes back to where it came from. The market services check the
# permissions of each step; these keep the funds rules (vouchers, earmarks, balances).

_MARKET_ACCOUNTS = {
    AccountKind.MARKET_CLEARING: ("market_clearing", _("Market payments held until settlement")),
    AccountKind.COURIER_PAYABLE: ("market_couriers", _("Owed to the market couriers")),
}


def market_accounts(*, kelurahan: Kelurahan) -> dict[str, Account]:
    """The fixed accounts plus the market's clearing and couriers' accounts (created on
    first use), by kind."""
    found = accounts_ensure(kelurahan=kelurahan)
    for kind, (code, name) in _MARKET_ACCOUNTS.items():
        found[kind], _created = Account.objects.get_or_create(
            kelurahan=kelurahan,
            code=code,
            defaults={
                "kind": kind,
                "name": str(name),
                "debit_normal": kind in DEBIT_NORMAL,
                "may_go_negative": kind in MAY_GO_NEGATIVE,
            },
        )
    return found
