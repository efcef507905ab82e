"""Funds use-cases.

- ``transfer_post``: the one way to move value: postings that sum to zero, atomic, with an
  idempotency key, a transparency entry, account rows locked in pk order and balances
  changed by conditional UPDATEs; ``transfer_reverse`` corrects one by its mirror image.
- ``accounts_ensure``: a kelurahan's fixed accounts (bank, cash, goods store, aid fund,
  operational fund, vouchers outstanding, stock differences).
- ``campaign_create`` / ``campaign_close``: appeals with a target, period, owner and an
  optional earmark (an RW, a category or a named activity).
- ``pledge_create``: a sponsor matches small donations at a ratio up to a cap
  (``_matches_apply`` runs on every confirmed donation).
- ``donation_create``: a donor gives money (payment reference + QRIS) or goods;
  ``donation_record``: the treasurer records a bank transfer or cash with a receipt photo;
  ``statement_import``: a bank statement CSV matched by amount and reference;
  ``donation_confirm``: the treasurer confirms; only then does it count.
- ``merchant_enrol``, ``voucher_issue``, ``voucher_redeem``, ``vouchers_expire_due``:
  vouchers redeemable at UMKM without recipient data, value returned when they expire;
  a household's codes go out by message, wrong codes are rate-limited per UMKM and IP
  (``VoucherCodeFailure`` rows, pruned daily by ``voucher_code_failures_prune``).
- ``voucher_code_guard`` (or ``voucher_code_check`` / ``voucher_code_failed``): the same
  limit for a buyer typing a voucher code at market ordering, per user and per IP.
- ``goods_issue``, ``stock_count``: in-kind goods out to activities, counts with
  discrepancies.
- ``payout_account_propose`` / ``payout_account_approve``: a beneficiary's bank account,
  set by two officers (never the one who registered the beneficiary).
- ``disbursement_request`` / ``disbursement_approve`` / ``disbursement_pay``: money out
  with two approvals by other officers and proof of payment.
- ``callbacks_sample`` / ``callback_record``: a random sample of recipients called back.
- ``funds_profile_set``: the kelurahan's static QRIS and bank label.
"""

import base64
import contextlib
import csv
import datetime as dt
import hashlib
import hmac
import io
import ipaddress
import json
import re
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import acting_role, permission_gate, permission_require
from gotong.core.exceptions import (
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from gotong.core.money import rupiah_format
from gotong.registry.models import Household, Organisation, OrganisationKind, Person
from gotong.territory.models import RT, RW, Kelurahan
from gotong.transparency.services import entry_enqueue, evidence_upload

from . import qris
from .models import (
    AID_SOURCES,
    DEBIT_NORMAL,
    MAY_GO_NEGATIVE,
    SINGLETON_KINDS,
    Account,
    AccountKind,
    Approval,
    Callback,
    CallbackStatus,
    Campaign,
    CampaignStatus,
    Category,
    Channel,
    Disbursement,
    DisbursementKind,
    DisbursementStatus,
    Donation,
    DonationKind,
    DonationStatus,
    DonationTarget,
    EarmarkKind,
    FundsProfile,
    GoodsItem,
    GoodsMovement,
    GoodsMovementKind,
    Match,
    MatchPledge,
    OwnerKind,
    PayoutAccount,
    PayoutAccountStatus,
    Posting,
    Redemption,
    StatementImport,
    StatementLine,
    Transfer,
    TransferKind,
    Voucher,
    VoucherCodeFailure,
    VoucherMerchant,
    VoucherStatus,
)

MAX_AMOUNT = 1_000_000_000_000  # Rp 1 trillion: far above any kelurahan's movement
VOUCHER_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
VOUCHER_CODE_LENGTH = 12  # 60 random bits
VOUCHER_SIGNING_SALT = "gotong.funds.voucher"
# Wrong voucher codes (typed or scanned, matching no voucher) allowed per hour, per UMKM
# and per IP address; the IP limit is higher because several UMKM may share one address
# behind a mobile carrier's NAT. A buyer paying a market order with a voucher has their
# own limit; the IP count includes both. Counted in the database (``VoucherCodeFailure``).
VOUCHER_WRONG_CODES_PER_UMKM_PER_HOUR = 10
VOUCHER_WRONG_CODES_PER_BUYER_PER_HOUR = 10
VOUCHER_WRONG_CODES_PER_IP_PER_HOUR = 30
VOUCHER_WRONG_CODES_WINDOW = dt.timedelta(hours=1)
VOUCHER_WRONG_CODES_KEPT = dt.timedelta(hours=24)
_WRONG_CODE_REASONS = ("unknown", "signature")
REFERENCE_ALPHABET = VOUCHER_CODE_ALPHABET
REFERENCE_RE = re.compile(r"GR-[2-9A-HJ-NP-Z]{6}", re.IGNORECASE)
STATEMENT_COLUMNS = ("tanggal", "keterangan", "jumlah")
STATEMENT_MAX_BYTES = 5 * 1024 * 1024  # callers read at most one byte more
STATEMENT_MAX_ROWS = 20_000

_SINGLETON_NAMES = {
    AccountKind.BANK: _("Kelurahan bank account"),
    AccountKind.CASH: _("Cash box"),
    AccountKind.IN_KIND: _("Goods store"),
    AccountKind.AID_FUND: _("Kelurahan aid fund"),
    AccountKind.OPERATIONAL_FUND: _("Operational fund"),
    AccountKind.VOUCHER_LIABILITY: _("Vouchers outstanding"),
    AccountKind.STOCK_ADJUSTMENT: _("Stock count differences"),
}


# --------------------------------------------------------------------------- helpers


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
            from decimal import Decimal

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


def _upload_sha256(upload: Any) -> str:
    """SHA-256 (hex) of an upload's bytes: what its evidence keeps as the original's hash.
    Reads no more than an evidence photo may hold (a larger one is refused there)."""
    upload.seek(0)
    raw = upload.read(settings.GOTONG_EVIDENCE_MAX_BYTES + 1)
    upload.seek(0)
    return hashlib.sha256(raw).hexdigest()


def _receipt_reused(kelurahan: Kelurahan, digest: str) -> Conflict | None:
    """The refusal when a donation of this kelurahan that counts (not cancelled) already
    has a receipt photo with these bytes: a double tap, or one receipt for two gifts."""
    other = (
        Donation.objects.filter(kelurahan=kelurahan, receipt_sha256=digest)
        .exclude(status=DonationStatus.CANCELLED)
        .order_by("pk")
        .first()
    )
    if other is None:
        return None
    return Conflict(
        _(
            "This receipt photo was already used for donation %(reference)s. Nothing was "
            "recorded; if it is another payment, take a photo of its own receipt."
        )
        % {"reference": other.payment_reference},
        {"field": "receipt", "reason": "receipt_used", "reference": other.payment_reference},
    )


# --------------------------------------------------------------------------- ledger


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


_REVERSIBLE = (TransferKind.DONATION, TransferKind.MATCH, TransferKind.INTERNAL)


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
    if transfer.kind not in _REVERSIBLE:
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


# --------------------------------------------------------------------------- campaigns


@transaction.atomic
def campaign_create(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    title: str,
    purpose: str,
    target_amount: Any,
    starts_on: dt.date,
    ends_on: dt.date,
    owner_kind: str = OwnerKind.KELURAHAN,
    owner_rw: RW | None = None,
    owner_organisation: Organisation | None = None,
    earmark_kind: str = EarmarkKind.NONE,
    earmark_rw: RW | None = None,
    earmark_category: str = "",
    earmark_activity_id: int | None = None,
) -> Campaign:
    """Open a campaign with its own ledger account (an earmark account when scoped)."""
    unit: Any = owner_rw if owner_kind == OwnerKind.RW and owner_rw else kelurahan
    permission_require(actor, "funds.manage_campaigns", unit)
    title, purpose = " ".join((title or "").split()), (purpose or "").strip()
    if not title or not purpose:
        raise ValidationFailed(_("A campaign needs a title and a purpose."), {"field": "title"})
    target = amount_clean(target_amount, field="target_amount")
    if ends_on < starts_on:
        raise ValidationFailed(_("The campaign ends before it starts."), {"field": "ends_on"})
    if owner_kind not in OwnerKind.values:
        raise ValidationFailed(_("Unknown owner."), {"field": "owner_kind"})
    if owner_kind == OwnerKind.RW and (owner_rw is None or owner_rw.kelurahan_id != kelurahan.pk):
        raise ValidationFailed(_("Choose the RW that owns the campaign."), {"field": "owner_rw"})
    if owner_kind == OwnerKind.COMMUNITY and (
        owner_organisation is None or owner_organisation.kelurahan_id != kelurahan.pk
    ):
        raise ValidationFailed(
            _("Choose the community group that owns the campaign."),
            {"field": "owner_organisation"},
        )
    if earmark_kind not in EarmarkKind.values:
        raise ValidationFailed(_("Unknown earmark."), {"field": "earmark_kind"})
    if earmark_kind == EarmarkKind.RW and (
        earmark_rw is None or earmark_rw.kelurahan_id != kelurahan.pk
    ):
        raise ValidationFailed(_("Choose the RW of the earmark."), {"field": "earmark_rw"})
    if earmark_kind == EarmarkKind.CATEGORY and earmark_category not in Category.values:
        raise ValidationFailed(
            _("Choose the category of the earmark."), {"field": "earmark_category"}
        )
    if earmark_kind == EarmarkKind.ACTIVITY:
        from gotong.activities import selectors as activity_selectors

        if earmark_activity_id is None:
            raise ValidationFailed(
                _("Choose the activity of the earmark."), {"field": "earmark_activity_id"}
            )
        activity_selectors.activity_get(kelurahan=kelurahan, pk=earmark_activity_id)
    kind = AccountKind.EARMARK if earmark_kind else AccountKind.CAMPAIGN
    count = Campaign.objects.filter(kelurahan=kelurahan).count()
    account = _account_new(
        kelurahan, kind, f"campaign:{kelurahan.pk}-{count + 1}-{secrets.token_hex(2)}", title
    )
    campaign = Campaign.objects.create(
        kelurahan=kelurahan,
        title=title[:120],
        purpose=purpose[:1000],
        target_amount=target,
        starts_on=starts_on,
        ends_on=ends_on,
        owner_kind=owner_kind,
        owner_rw=owner_rw if owner_kind == OwnerKind.RW else None,
        owner_organisation=owner_organisation if owner_kind == OwnerKind.COMMUNITY else None,
        earmark_kind=earmark_kind,
        earmark_rw=earmark_rw if earmark_kind == EarmarkKind.RW else None,
        earmark_category=earmark_category if earmark_kind == EarmarkKind.CATEGORY else "",
        earmark_activity_id=earmark_activity_id if earmark_kind == EarmarkKind.ACTIVITY else None,
        account=account,
        created_by=actor,
    )
    Account.objects.filter(pk=account.pk).update(code=f"campaign:{campaign.pk}")
    account.code = f"campaign:{campaign.pk}"
    _log(
        kelurahan,
        "funds.campaign_created",
        actor,
        f"campaign:{campaign.pk}",
        {
            "target": target,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "owner": owner_kind,
            "owner_rw": owner_rw.number if owner_rw and owner_kind == OwnerKind.RW else None,
            "earmark": earmark_kind or None,
            "earmark_rw": campaign.earmark_rw.number if campaign.earmark_rw else None,
            "earmark_category": campaign.earmark_category or None,
            "earmark_activity": (
                f"activity:{earmark_activity_id}" if campaign.earmark_activity_id else None
            ),
        },
        role=_role(actor, "funds.manage_campaigns", unit),
    )
    return campaign


@transaction.atomic
def campaign_close(*, actor: Any, campaign: Campaign) -> Campaign:
    """Stop taking donations (money already given stays earmarked to the campaign)."""
    unit = campaign.owner_rw or campaign.kelurahan
    permission_require(actor, "funds.manage_campaigns", unit)
    if campaign.status == CampaignStatus.CLOSED:
        raise Conflict(_("The campaign is already closed."))
    campaign.status = CampaignStatus.CLOSED
    campaign.save(update_fields=["status", "updated_at"])
    _log(campaign.kelurahan, "funds.campaign_closed", actor, f"campaign:{campaign.pk}", {})
    return campaign


def earmark_check(
    *,
    account: Account,
    category: str,
    activity_id: int | None = None,
    rt: RT | None = None,
) -> None:
    """Refuse spending an earmarked campaign's money outside its earmark."""
    if account.kind != AccountKind.EARMARK:
        return
    campaign = Campaign.objects.select_related("earmark_rw").get(account=account)
    ok = True
    if campaign.earmark_kind == EarmarkKind.CATEGORY:
        ok = category == campaign.earmark_category
    elif campaign.earmark_kind == EarmarkKind.ACTIVITY:
        ok = activity_id is not None and activity_id == campaign.earmark_activity_id
    elif campaign.earmark_kind == EarmarkKind.RW:
        if rt is None and activity_id is not None:
            from gotong.activities import selectors as activity_selectors

            rt = activity_selectors.activity_get(kelurahan=campaign.kelurahan, pk=activity_id).rt
        ok = rt is not None and rt.rw_id == campaign.earmark_rw_id
    if not ok:
        raise ValidationFailed(
            _("The money of “%(campaign)s” is earmarked and cannot be spent on this.")
            % {"campaign": campaign.title},
            {"reason": "earmark", "campaign": campaign.pk},
        )


# --------------------------------------------------------------------------- matching


@transaction.atomic
def pledge_create(
    *,
    actor: Any,
    campaign: Campaign,
    sponsor: Organisation,
    cap: Any,
    ratio_numerator: int = 1,
    ratio_denominator: int = 1,
    max_donation: Any = None,
) -> MatchPledge:
    """Record a sponsor's matching pledge; it matches once the sponsor's money is confirmed."""
    kelurahan = campaign.kelurahan
    permission_require(actor, "funds.operate", kelurahan)
    if sponsor.kelurahan_id != kelurahan.pk:
        raise NotFound(_("No such organisation in this kelurahan."))
    cap_value = amount_clean(cap, field="cap")
    limit = amount_clean(max_donation, field="max_donation") if max_donation else None
    if ratio_numerator < 1 or ratio_denominator < 1 or ratio_numerator > 100:
        raise ValidationFailed(_("The ratio must be positive (e.g. 1:1)."), {"field": "ratio"})
    account = _account_new(
        kelurahan,
        AccountKind.MATCH_POOL,
        f"pledge:new-{secrets.token_hex(4)}",
        f"Matching: {sponsor.name} → {campaign.title}",
        organisation=sponsor,
    )
    pledge = MatchPledge.objects.create(
        kelurahan=kelurahan,
        sponsor=sponsor,
        campaign=campaign,
        ratio_numerator=ratio_numerator,
        ratio_denominator=ratio_denominator,
        cap=cap_value,
        max_donation=limit,
        account=account,
        created_by=actor,
    )
    Account.objects.filter(pk=account.pk).update(code=f"pledge:{pledge.pk}")
    account.code = f"pledge:{pledge.pk}"
    _log(
        kelurahan,
        "funds.pledge_created",
        actor,
        f"pledge:{pledge.pk}",
        {
            "campaign": campaign.pk,
            "sponsor": f"organisation:{sponsor.pk}",
            "ratio": f"{ratio_numerator}:{ratio_denominator}",
            "cap": cap_value,
            "max_donation": limit,
        },
    )
    return pledge


def _matches_apply(donation: Donation, actor: Any) -> list[Match]:
    """Each active pledge of the campaign matches an eligible donation until its cap."""
    made: list[Match] = []
    if donation.campaign_id is None or donation.kind != DonationKind.MONEY:
        return made
    pledges = (
        MatchPledge.objects.select_for_update(of=("self",))
        .filter(campaign_id=donation.campaign_id, is_active=True)
        .select_related("account", "campaign__account")
        .order_by("pk")
    )
    for pledge in pledges:
        if pledge.max_donation is not None and donation.amount > pledge.max_donation:
            continue
        wanted = donation.amount * pledge.ratio_numerator // pledge.ratio_denominator
        pool = Account.objects.get(pk=pledge.account_id).balance
        amount = min(wanted, pledge.cap - pledge.matched_total, pool)
        if amount <= 0:
            continue
        # Conditional: two donations confirmed at once cannot both take the last rupiah.
        taken = MatchPledge.objects.filter(
            pk=pledge.pk, matched_total__lte=pledge.cap - amount
        ).update(matched_total=F("matched_total") + amount)
        if taken != 1:
            continue
        transfer = transfer_post(
            kelurahan=donation.kelurahan,
            kind=TransferKind.MATCH,
            postings=[(pledge.account, amount), (pledge.campaign.account, -amount)],
            actor=None,
            memo=f"Match {donation.payment_reference}",
            campaign=pledge.campaign,
            log_data={"pledge": pledge.pk, "donation": f"donation:{donation.pk}"},
        )
        made.append(
            Match.objects.create(pledge=pledge, donation=donation, amount=amount, transfer=transfer)
        )
    return made


# --------------------------------------------------------------------------- donations


def _reference_new() -> str:
    return "GR-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def _target_account(donation: Donation) -> Account:
    if donation.target == DonationTarget.CAMPAIGN and donation.campaign is not None:
        return donation.campaign.account
    if donation.target == DonationTarget.PLEDGE and donation.pledge is not None:
        return donation.pledge.account
    accounts = accounts_ensure(kelurahan=donation.kelurahan)
    if donation.target == DonationTarget.OPERATIONAL:
        return accounts[AccountKind.OPERATIONAL_FUND]
    return accounts[AccountKind.AID_FUND]


@transaction.atomic
def donation_create(
    *,
    kelurahan: Kelurahan,
    donor: Any,
    amount: Any,
    target: str = DonationTarget.CAMPAIGN,
    campaign: Campaign | None = None,
    pledge: MatchPledge | None = None,
    kind: str = DonationKind.MONEY,
    channel: str = Channel.QRIS,
    is_anonymous: bool = False,
    public_name: str = "",
    donor_organisation: Organisation | None = None,
    goods_name: str = "",
    goods_unit: str = "",
    goods_quantity: int | None = None,
    goods_category: str = "",
    goods_expires_on: dt.date | None = None,
    recorded_by: Any = None,
) -> Donation:
    """A pledge of money (with a payment reference for QRIS or a bank transfer) or goods.

    It counts only once the treasurer confirms it (``donation_confirm``).
    """
    value = amount_clean(amount)
    if target not in DonationTarget.values:
        raise ValidationFailed(_("Unknown donation target."), {"field": "target"})
    if target == DonationTarget.CAMPAIGN:
        if campaign is None or campaign.kelurahan_id != kelurahan.pk:
            raise NotFound(_("No such campaign in this kelurahan."))
        if campaign.status != CampaignStatus.ACTIVE:
            raise ValidationFailed(_("This campaign no longer takes donations."))
    if target == DonationTarget.PLEDGE:
        if pledge is None or pledge.kelurahan_id != kelurahan.pk:
            raise NotFound(_("No such matching pledge in this kelurahan."))
        if kind != DonationKind.MONEY:
            raise ValidationFailed(_("A matching pledge is funded with money."))
    if kind not in DonationKind.values or channel not in Channel.values:
        raise ValidationFailed(_("Unknown kind of donation or payment channel."))
    if kind == DonationKind.IN_KIND:
        channel = Channel.GOODS
        goods_name = " ".join((goods_name or "").split())
        if not goods_name or not goods_unit or not goods_quantity or goods_quantity < 1:
            raise ValidationFailed(
                _("Goods need a name, a unit and a quantity."), {"field": "goods_name"}
            )
        if goods_category not in Category.values:
            raise ValidationFailed(_("Choose the category of the goods."))
        if goods_category == Category.SEMBAKO and goods_expires_on is None:
            raise ValidationFailed(
                _("Food needs its best-before date."), {"field": "goods_expires_on"}
            )
    elif channel == Channel.GOODS:
        raise ValidationFailed(_("Money is given by QRIS, bank transfer or cash."))
    if donor_organisation is not None and donor_organisation.kelurahan_id != kelurahan.pk:
        raise NotFound(_("No such organisation in this kelurahan."))
    public_name = " ".join((public_name or "").split())[:100]
    for _attempt in range(5):
        reference = _reference_new()
        if not Donation.objects.filter(payment_reference=reference).exists():
            break
    donation = Donation.objects.create(
        kelurahan=kelurahan,
        target=target,
        campaign=campaign if target == DonationTarget.CAMPAIGN else None,
        pledge=pledge if target == DonationTarget.PLEDGE else None,
        kind=kind,
        amount=value,
        donor_user=donor if getattr(donor, "is_authenticated", False) else None,
        donor_organisation=donor_organisation,
        public_name=public_name,
        is_anonymous=is_anonymous,
        goods_name=goods_name if kind == DonationKind.IN_KIND else "",
        goods_unit=(goods_unit or "")[:20] if kind == DonationKind.IN_KIND else "",
        goods_quantity=goods_quantity if kind == DonationKind.IN_KIND else None,
        goods_category=goods_category if kind == DonationKind.IN_KIND else "",
        goods_expires_on=goods_expires_on if kind == DonationKind.IN_KIND else None,
        channel=channel,
        payment_reference=reference,
    )
    _log(
        kelurahan,
        "funds.donation_pledged",
        recorded_by or donor,
        f"donation:{donation.pk}",
        {
            "reference": reference,
            "amount": value,
            "kind": kind,
            "channel": channel,
            "target": target,
            "campaign": donation.campaign_id,
            "csr": bool(donor_organisation),
            "anonymous": is_anonymous,
        },
    )
    return donation


def donation_qris_payload(*, donation: Donation) -> str | None:
    """The dynamic QRIS payload to pay this donation, or None when no QRIS is configured."""
    profile = FundsProfile.objects.filter(kelurahan=donation.kelurahan).first()
    if profile is None or not profile.qris_static_payload or donation.kind != DonationKind.MONEY:
        return None
    return qris.qris_dynamic(
        profile.qris_static_payload, amount=donation.amount, reference=donation.payment_reference
    )


@transaction.atomic
def donation_record(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    receipt: Any,
    donation: Donation | None = None,
    channel: str = Channel.CASH,
    amount: Any = None,
    target: str = DonationTarget.AID_FUND,
    campaign: Campaign | None = None,
    public_name: str = "",
    is_anonymous: bool = False,
    donor_organisation: Organisation | None = None,
    **goods: Any,
) -> Donation:
    """The treasurer records money received by bank transfer or in cash (or goods handed
    in) with a photo of the receipt; a pending donation or a new one. Not yet counted.

    A receipt photo whose bytes (SHA-256) are those of another donation's receipt in this
    kelurahan is refused with Conflict naming that donation, nothing saved: a double tap
    cannot record one payment twice (a unique constraint backs it under concurrency). A
    cancelled (reversed) donation's receipt may be used again for its correction."""
    permission_require(actor, "funds.treasury", kelurahan)
    digest = _upload_sha256(receipt) if receipt is not None else ""
    if digest and (refused := _receipt_reused(kelurahan, digest)) is not None:
        raise refused
    if donation is None:
        donation = donation_create(
            kelurahan=kelurahan,
            donor=None,
            amount=amount,
            target=target,
            campaign=campaign,
            kind=goods.pop("kind", DonationKind.MONEY),
            channel=channel,
            public_name=public_name,
            is_anonymous=is_anonymous,
            donor_organisation=donor_organisation,
            recorded_by=actor,
            **goods,
        )
    elif donation.kelurahan_id != kelurahan.pk:
        raise NotFound(_("No such donation in this kelurahan."))
    donation = Donation.objects.select_for_update(of=("self",)).get(pk=donation.pk)
    if donation.status != DonationStatus.PENDING:
        raise Conflict(_("This donation was already recorded."), {"status": donation.status})
    if amount is not None and amount_clean(amount) != donation.amount:
        raise ValidationFailed(
            _("The amount received differs from the donation (%(amount)s).")
            % {"amount": rupiah_format(donation.amount)},
            {"field": "amount"},
        )
    code = _receipt_from(
        receipt,
        kelurahan=kelurahan,
        actor=actor,
        subject=f"donation:{donation.pk}",
        note=f"Bukti {donation.payment_reference}",
    )
    if donation.kind == DonationKind.MONEY and channel in (Channel.CASH, Channel.BANK_TRANSFER):
        donation.channel = channel
    donation.status = DonationStatus.RECORDED
    donation.recorded_by = actor
    donation.recorded_at = timezone.now()
    donation.receipt_code = code
    donation.receipt_sha256 = digest
    try:
        with transaction.atomic():
            donation.save(
                update_fields=[
                    "channel",
                    "status",
                    "recorded_by",
                    "recorded_at",
                    "receipt_code",
                    "receipt_sha256",
                    "updated_at",
                ]
            )
    except IntegrityError as exc:  # the same receipt recorded concurrently
        raise _receipt_reused(kelurahan, digest) or Conflict(
            _("This receipt photo was already used for another donation.")
        ) from exc
    _log(
        kelurahan,
        "funds.donation_recorded",
        actor,
        f"donation:{donation.pk}",
        {"reference": donation.payment_reference, "channel": donation.channel, "receipt": code},
        role=_role(actor, "funds.treasury", kelurahan),
    )
    return donation


@transaction.atomic
def donation_confirm(
    *, actor: Any, donation: Donation, idempotency_key: str | None = None, at: Any = None
) -> Donation:
    """The treasurer confirms money (or goods) received: it is posted and matched.

    Cash recorded by hand must be confirmed by another officer than the one who recorded it.
    """
    kelurahan = donation.kelurahan
    permission_require(actor, "funds.treasury", kelurahan)
    request = {"confirm": donation.pk}
    replay = transfer_replayed(kelurahan=kelurahan, key=idempotency_key, request=request)
    if replay is not None:
        return Donation.objects.get(transfer=replay)
    donation = (
        Donation.objects.select_for_update(of=("self",))
        .select_related("campaign__account", "pledge__account", "kelurahan")
        .get(pk=donation.pk)
    )
    if donation.status == DonationStatus.CONFIRMED:
        raise Conflict(_("This donation was already confirmed."))
    if donation.status != DonationStatus.RECORDED:
        raise ValidationFailed(
            _("Record the payment (receipt or bank statement) before confirming it."),
            {"status": donation.status},
        )
    if donation.statement_line_id is None and donation.recorded_by_id == actor.pk:
        raise PermissionDenied(
            _("Another officer must confirm what you recorded yourself."),
            {"reason": "separation_of_duties"},
        )
    accounts = accounts_ensure(kelurahan=kelurahan)
    if donation.kind == DonationKind.IN_KIND:
        asset = accounts[AccountKind.IN_KIND]
        kind = TransferKind.GOODS_IN
    else:
        asset = accounts[AccountKind.CASH if donation.channel == Channel.CASH else AccountKind.BANK]
        kind = TransferKind.DONATION
    fund = _target_account(donation)
    transfer = transfer_post(
        kelurahan=kelurahan,
        kind=kind,
        postings=[(asset, donation.amount), (fund, -donation.amount)],
        actor=actor,
        memo=donation.payment_reference,
        idempotency_key=idempotency_key,
        request=request,
        campaign=donation.campaign,
        receipt_code=donation.receipt_code,
        log_data={
            "donation": f"donation:{donation.pk}",
            "csr": bool(donation.donor_organisation_id),
        },
        at=at,
    )
    donation.status = DonationStatus.CONFIRMED
    donation.confirmed_by = actor
    donation.confirmed_at = at or timezone.now()
    donation.transfer = transfer
    donation.save(
        update_fields=["status", "confirmed_by", "confirmed_at", "transfer", "updated_at"]
    )
    if donation.kind == DonationKind.IN_KIND:
        item = GoodsItem.objects.create(
            kelurahan=kelurahan,
            name=donation.goods_name,
            unit=donation.goods_unit,
            category=donation.goods_category,
            quantity=donation.goods_quantity or 0,
            unit_value=donation.amount // max(1, donation.goods_quantity or 1),
            expires_on=donation.goods_expires_on,
            fund_account=fund,
            donation=donation,
        )
        GoodsMovement.objects.create(
            item=item,
            kind=GoodsMovementKind.IN,
            quantity=item.quantity,
            transfer=transfer,
            actor=actor,
            receipt_code=donation.receipt_code,
            created_at=donation.confirmed_at,
        )
    else:
        _matches_apply(donation, actor)
    return donation


@transaction.atomic
def donation_cancel(*, actor: Any, donation: Donation) -> Donation:
    """The donor (or the treasurer) withdraws a donation that was never paid."""
    is_donor = donation.donor_user_id is not None and donation.donor_user_id == actor.pk
    if not is_donor:
        permission_require(actor, "funds.treasury", donation.kelurahan)
    updated = Donation.objects.filter(pk=donation.pk, status=DonationStatus.PENDING).update(
        status=DonationStatus.CANCELLED
    )
    if not updated:
        raise Conflict(_("Only a donation still waiting for payment can be cancelled."))
    donation.refresh_from_db()
    _log(donation.kelurahan, "funds.donation_cancelled", actor, f"donation:{donation.pk}", {})
    return donation


def _statement_amount(text: str, row: int) -> int:
    raw = (text or "").strip().replace("Rp", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,00)?", raw):
        raw = raw.replace(".", "").replace(",00", "")
    elif re.fullmatch(r"\d+([.,]00)?", raw):
        raw = raw[:-3] if raw[-3:] in (".00", ",00") else raw
    if not raw.isdigit() or int(raw) <= 0:
        raise ValidationFailed(
            _("Row %(row)s: the amount must be a whole, positive number of rupiah.") % {"row": row},
            {"row": row, "column": "jumlah"},
        )
    return int(raw)


def _statement_parse(content: bytes) -> list[dict[str, Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(_("The statement must be a UTF-8 CSV file.")) from exc
    sample = text[:2000]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns = [(c or "").strip().lower() for c in (reader.fieldnames or [])]
    missing = [c for c in STATEMENT_COLUMNS if c not in columns]
    if missing:
        raise ValidationFailed(
            _("The statement needs the columns %(needed)s; missing: %(missing)s.")
            % {"needed": ", ".join(STATEMENT_COLUMNS), "missing": ", ".join(missing)},
            {"reason": "columns", "missing": missing},
        )
    lines: list[dict[str, Any]] = []
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        if len(lines) >= STATEMENT_MAX_ROWS:
            raise ValidationFailed(_("The statement has too many rows."))
        try:
            booked = dt.date.fromisoformat(row["tanggal"])
        except ValueError as exc:
            try:
                booked = dt.datetime.strptime(row["tanggal"], "%d/%m/%Y").date()  # noqa: DTZ007
            except ValueError:
                raise ValidationFailed(
                    _("Row %(row)s: the date must be YYYY-MM-DD or DD/MM/YYYY.") % {"row": number},
                    {"row": number, "column": "tanggal"},
                ) from exc
        lines.append(
            {
                "row": number,
                "booked_on": booked,
                "amount": _statement_amount(row["jumlah"], number),
                "description": row["keterangan"][:300],
                "bank_reference": row.get("referensi", "")[:60],
            }
        )
    if not lines:
        raise ValidationFailed(_("The statement has no rows."))
    return lines


# Other apps match statement lines that no donation matched (e.g. the market's QRIS
# payments), without funds depending on them: each registers a matcher once (in its
# AppConfig.ready) with ``statement_matcher_register``.
#   match(actor=, kelurahan=, line=StatementLine) -> bool: records what the line paid
#     (the line is the evidence) and returns True, or returns False and changes nothing;
#   matched(kelurahan=, line_ids=) -> {line id: label}: what each line paid, for pages
#     (ids and codes only, no personal data).
StatementMatch = Callable[..., bool]
StatementMatched = Callable[..., dict[int, str]]
_STATEMENT_MATCHERS: list[tuple[StatementMatch, StatementMatched]] = []


def statement_matcher_register(match: StatementMatch, *, matched: StatementMatched) -> None:
    """Add a matcher for statement lines no donation matched (once; registering the
    same function again is ignored)."""
    if all(m is not match for m, _r in _STATEMENT_MATCHERS):
        _STATEMENT_MATCHERS.append((match, matched))


def statement_matchers() -> list[tuple[StatementMatch, StatementMatched]]:
    """The registered matchers, in registration order."""
    return list(_STATEMENT_MATCHERS)


@transaction.atomic
def statement_import(
    *, actor: Any, kelurahan: Kelurahan, file_name: str, content: bytes
) -> StatementImport:
    """Match incoming transfers of a bank statement CSV (tanggal, keterangan, jumlah) to
    pending donations by reference and amount; a line no donation matched is offered to
    the registered matchers (``statement_matcher_register``, e.g. market QRIS payments);
    the rest is listed as unmatched.

    Matched donations become "recorded"; the treasurer still confirms each one. What a
    matcher records (e.g. an order's payment) is recorded now, the line as its evidence.
    A refused file (bad columns, amounts, dates) records nothing.
    """
    permission_require(actor, "funds.treasury", kelurahan)
    if len(content) > STATEMENT_MAX_BYTES:
        raise ValidationFailed(
            _("The statement file is too large (at most 5 MB)."), {"field": "file"}
        )
    lines = _statement_parse(content)
    digest = hashlib.sha256(content).hexdigest()
    if StatementImport.objects.filter(kelurahan=kelurahan, file_sha256=digest).exists():
        raise Conflict(_("This statement file was already imported."))
    statement = StatementImport.objects.create(
        kelurahan=kelurahan,
        file_name=(file_name or "statement.csv")[:200],
        file_sha256=digest,
        imported_by=actor,
        lines_total=len(lines),
    )
    references = {
        ref.upper() for line in lines for ref in REFERENCE_RE.findall(line["description"])
    }
    pending = {
        d.payment_reference: d
        for d in Donation.objects.select_for_update(of=("self",)).filter(
            kelurahan=kelurahan,
            status=DonationStatus.PENDING,
            kind=DonationKind.MONEY,
            payment_reference__in=references,
        )
    }
    matched = 0
    matched_other = 0
    now = timezone.now()
    for line in lines:
        donation = None
        for ref in REFERENCE_RE.findall(line["description"]):
            candidate = pending.get(ref.upper())
            if candidate is not None and candidate.amount == line["amount"]:
                donation = pending.pop(ref.upper())
                break
        stored = StatementLine.objects.create(statement=statement, donation=donation, **line)
        if donation is None:
            for match, _matched in _STATEMENT_MATCHERS:
                if match(actor=actor, kelurahan=kelurahan, line=stored):
                    matched += 1
                    matched_other += 1
                    break
        if donation is not None:
            matched += 1
            donation.status = DonationStatus.RECORDED
            donation.statement_line = stored
            donation.recorded_by = actor
            donation.recorded_at = now
            if donation.channel == Channel.CASH:
                donation.channel = Channel.BANK_TRANSFER
            donation.save(
                update_fields=[
                    "status",
                    "statement_line",
                    "recorded_by",
                    "recorded_at",
                    "channel",
                    "updated_at",
                ]
            )
    statement.lines_matched = matched
    statement.save(update_fields=["lines_matched", "updated_at"])
    _log(
        kelurahan,
        "funds.statement_imported",
        actor,
        f"statement:{statement.pk}",
        {
            "file": _fingerprint(content),
            "lines": len(lines),
            "matched": matched,
            "matched_other": matched_other,
        },
        role=_role(actor, "funds.treasury", kelurahan),
    )
    return statement


# --------------------------------------------------------------------------- vouchers


def _code_hash(code: str) -> str:
    key = settings.SECRET_KEY.encode()
    normal = re.sub(r"[^0-9A-Z]", "", code.upper())
    return hmac.new(key, f"voucher:{normal}".encode(), hashlib.sha256).hexdigest()


def voucher_code_new() -> str:
    """An unguessable voucher code (60 random bits) in three dash-separated groups of four."""
    raw = "".join(secrets.choice(VOUCHER_CODE_ALPHABET) for _ in range(VOUCHER_CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def voucher_qr_payload(code: str) -> str:
    """What the voucher's QR holds: the code signed with the server's key."""
    return signing.Signer(salt=VOUCHER_SIGNING_SALT).sign(code)


def _voucher_code_from(scanned: str) -> str:
    """A typed code, or a scanned signed payload whose signature must verify."""
    text = (scanned or "").strip()
    if ":" in text:
        try:
            return signing.Signer(salt=VOUCHER_SIGNING_SALT).unsign(text)
        except signing.BadSignature as exc:
            raise ValidationFailed(
                _("This QR code is not a voucher of this platform."), {"reason": "signature"}
            ) from exc
    return text


@transaction.atomic
def merchant_enrol(
    *, actor: Any, organisation: Organisation, categories: Sequence[str]
) -> VoucherMerchant:
    """Enrol an approved UMKM to accept vouchers of some categories (or change them)."""
    kelurahan = organisation.kelurahan
    permission_require(actor, "funds.operate", kelurahan)
    if organisation.kind != OrganisationKind.UMKM or organisation.status != "approved":
        raise ValidationFailed(_("Only an approved UMKM can accept vouchers."))
    chosen = sorted(set(categories))
    if not chosen or any(c not in Category.values for c in chosen):
        raise ValidationFailed(_("Choose the voucher categories it accepts."))
    merchant = VoucherMerchant.objects.filter(organisation=organisation).first()
    if merchant is None:
        account = _account_new(
            kelurahan,
            AccountKind.UMKM_PAYABLE,
            f"umkm:{organisation.pk}",
            f"Owed to {organisation.name}",
            organisation=organisation,
        )
        merchant = VoucherMerchant.objects.create(
            kelurahan=kelurahan,
            organisation=organisation,
            categories=chosen,
            account=account,
            enrolled_by=actor,
        )
    else:
        merchant.categories = chosen
        merchant.save(update_fields=["categories", "updated_at"])
    _log(
        kelurahan,
        "funds.merchant_enrolled",
        actor,
        f"organisation:{organisation.pk}",
        {"categories": chosen},
    )
    return merchant


@transaction.atomic
def voucher_issue(
    *,
    actor: Any,
    source: Account,
    category: str,
    value: Any,
    count: int,
    rt: RT,
    household: Household | None = None,
    allow_partial: bool = False,
    valid_days: int = 30,
    idempotency_key: str | None = None,
    codes: Sequence[str] | None = None,
    at: dt.datetime | None = None,
    link_base: str = "",
) -> list[tuple[Voucher, str]]:
    """Issue ``count`` vouchers paid from an aid fund or campaign, for a household or
    anonymously through the RT. Returns each voucher with its code (shown only now).

    A household's vouchers are sent by message (code and a link to its QR card, made
    absolute with ``link_base``) to the head, else an adult member, with a phone number
    and consent to notifications; a household nobody there can receive them is refused.
    For anonymous vouchers the RT's head is told how many to expect; the codes reach
    them on the sheet printed once at issue.
    """
    kelurahan = source.kelurahan
    permission_require(actor, "funds.operate", kelurahan)
    each = amount_clean(value, field="value")
    if category not in Category.values:
        raise ValidationFailed(_("Choose the voucher category."), {"field": "category"})
    if not 1 <= count <= 500:
        raise ValidationFailed(_("Issue between 1 and 500 vouchers at a time."))
    if not 1 <= valid_days <= 366:
        raise ValidationFailed(_("A voucher is valid for 1 to 366 days."))
    if source.kind not in AID_SOURCES or rt.kelurahan_id != kelurahan.pk:
        raise ValidationFailed(_("Vouchers are paid from the aid fund or a campaign."))
    if household is not None and household.kelurahan_id != kelurahan.pk:
        raise NotFound(_("No such household in this kelurahan."))
    if household is not None and household.rt_id != rt.pk:
        raise ValidationFailed(_("This household lives in another RT."), {"field": "rt"})
    contact = _household_contact(household) if household is not None else None
    if household is not None and contact is None:
        raise ValidationFailed(
            _(
                "Nobody in this household has a phone number and agreed to messages, so the "
                "voucher cannot be sent. Issue it anonymously through the RT instead."
            ),
            {"field": "household", "reason": "unreachable"},
        )
    earmark_check(account=source, category=category, rt=rt)
    request = {
        "source": source.pk,
        "category": category,
        "value": each,
        "count": count,
        "rt": rt.pk,
        "household": household.pk if household else None,
    }
    replay = transfer_replayed(kelurahan=kelurahan, key=idempotency_key, request=request)
    if replay is not None:
        raise Conflict(
            _("These vouchers were already issued; their codes were shown then."),
            {"transfer": replay.pk},
        )
    liability = accounts_ensure(kelurahan=kelurahan)[AccountKind.VOUCHER_LIABILITY]
    campaign = Campaign.objects.filter(account=source).first()
    transfer = transfer_post(
        kelurahan=kelurahan,
        kind=TransferKind.VOUCHER_ISSUE,
        postings=[(source, each * count), (liability, -each * count)],
        actor=actor,
        memo=f"{count} voucher {category}",
        idempotency_key=idempotency_key,
        request=request,
        campaign=campaign,
        log_data={
            "vouchers": count,
            "value": each,
            "category": category,
            "rt": rt.number,
            "rw": rt.rw.number,
        },
        at=at,
    )
    issued_at = at or timezone.now()
    plain = list(codes) if codes else [voucher_code_new() for _ in range(count)]
    if len(plain) != count:
        raise ValidationFailed(_("One code per voucher is needed."))
    vouchers = Voucher.objects.bulk_create(
        [
            Voucher(
                kelurahan=kelurahan,
                code_hash=_code_hash(code),
                code_hint=code[-4:],
                category=category,
                value=each,
                remaining=each,
                allow_partial=allow_partial,
                source_account=source,
                campaign=campaign,
                household=household,
                rt=rt,
                expires_at=issued_at + dt.timedelta(days=valid_days),
                issued_by=actor,
                issue_transfer=transfer,
            )
            for code in plain
        ]
    )
    issued = list(zip(vouchers, plain, strict=True))
    if contact is not None:
        _voucher_codes_send(kelurahan, contact, issued, link_base)
    else:
        _voucher_sheet_announce(kelurahan, rt, issued)
    return issued


def _household_contact(household: Household) -> Person | None:
    """Who receives a household's voucher codes: the head, else the first adult member,
    active, with a phone number and consent to notifications."""
    from gotong.registry.models import ConsentPurpose, PersonStatus
    from gotong.registry.services import person_consents

    today = timezone.localdate()
    members = sorted(
        household.members.filter(status=PersonStatus.ACTIVE).exclude(phone=""),
        key=lambda p: (p.pk != household.head_id, p.pk),
    )
    for person in members:
        if person.birth_date is not None and (today - person.birth_date).days < 18 * 365:
            continue
        if ConsentPurpose.NOTIFICATIONS in person_consents(person=person):
            return person
    return None


def voucher_card_url(*, kelurahan: Kelurahan, code: str, link_base: str = "") -> str:
    """The voucher's card page (its QR to show at a UMKM) for a code; absolute when
    ``link_base`` (e.g. ``https://host/``) is given."""
    from urllib.parse import quote

    from django.urls import reverse

    path = reverse("funds:voucher_card", kwargs={"slug": kelurahan.slug})
    query = quote(voucher_qr_payload(code), safe="")
    return f"{link_base.rstrip('/')}{path}?kode={query}"


def _voucher_codes_send(
    kelurahan: Kelurahan, contact: Person, issued: list[tuple[Voucher, str]], link_base: str
) -> None:
    from gotong.registry.services import person_notify

    for voucher, code in issued:
        person_notify(
            person=contact,
            template="voucher_issued",
            context={
                "code": code,
                "value": rupiah_format(voucher.value),
                "category": Category(voucher.category).label,
                "expires_on": timezone.localtime(voucher.expires_at).date(),
                "link": voucher_card_url(kelurahan=kelurahan, code=code, link_base=link_base),
                "kelurahan": kelurahan.name,
            },
        )


def _voucher_sheet_announce(
    kelurahan: Kelurahan, rt: RT, issued: list[tuple[Voucher, str]]
) -> None:
    """Tell the RT's head how many anonymous vouchers to expect on the printed sheet."""
    from gotong.accounts.models import Role
    from gotong.accounts.selectors import membership_list_for_rt
    from gotong.channels.services import notification_send

    first = issued[0][0]
    heads = membership_list_for_rt(kelurahan=kelurahan, rt=rt).filter(role=Role.KETUA_RT)
    for membership in heads:
        notification_send(
            recipient=membership.user.phone,
            template="voucher_rt_sheet",
            kelurahan=kelurahan,
            context={
                "count": len(issued),
                "value": rupiah_format(first.value),
                "category": Category(first.category).label,
                "rt": str(rt),
                "expires_on": timezone.localtime(first.expires_at).date(),
            },
        )


def merchant_for_user(*, kelurahan: Kelurahan, user: Any) -> VoucherMerchant | None:
    """The enrolled UMKM this user runs (registered it, or is its contact number)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        VoucherMerchant.objects.filter(kelurahan=kelurahan)
        .filter(Q(organisation__registered_by=user) | Q(organisation__contact_phone=user.phone))
        .select_related("organisation", "account")
        .order_by("pk")
        .first()
    )


def _ip_clean(ip: str | None) -> str | None:
    """The caller's address as stored (None when missing or not an IP address)."""
    try:
        return str(ipaddress.ip_address((ip or "").strip()))
    except ValueError:
        return None


def voucher_code_is_wrong(exc: BaseException) -> bool:
    """Whether a refusal means the code matched no voucher (or a QR's signature failed):
    those are counted against the caller. A used, expired or out-of-category voucher is a
    real code and is not counted."""
    return (
        isinstance(exc, (NotFound, ValidationFailed))
        and exc.extra.get("reason") in _WRONG_CODE_REASONS
    )


def _wrong_code_record(
    *,
    kelurahan: Kelurahan,
    merchant: VoucherMerchant | None = None,
    user: Any = None,
    ip: str | None,
) -> None:
    VoucherCodeFailure.objects.create(
        kelurahan=kelurahan,
        merchant=merchant,
        user=user if getattr(user, "is_authenticated", False) else None,
        ip=_ip_clean(ip),
        at=timezone.now(),
    )


def _wrong_codes_since() -> dt.datetime:
    return timezone.now() - VOUCHER_WRONG_CODES_WINDOW


def _wrong_codes_by_ip(ip: str | None) -> int:
    """Wrong codes from this address in the last hour, at a UMKM's page or at ordering."""
    address = _ip_clean(ip)
    if address is None:
        return 0
    return VoucherCodeFailure.objects.filter(ip=address, at__gte=_wrong_codes_since()).count()


def _wrong_codes_count(merchant: VoucherMerchant, ip: str | None) -> tuple[int, int]:
    """Wrong codes in the last hour by this UMKM and from this IP address.

    Each wrong code is a ``VoucherCodeFailure`` row, so the count is read from the
    database and holds across processes and workers; ``manage.py funds_daily`` deletes
    rows older than a day (``voucher_code_failures_prune``).
    """
    by_umkm = VoucherCodeFailure.objects.filter(
        merchant=merchant, at__gte=_wrong_codes_since()
    ).count()
    return by_umkm, _wrong_codes_by_ip(ip)


def voucher_wrong_codes_check(*, merchant: VoucherMerchant, ip: str | None) -> None:
    """Refuse (429) a UMKM or an IP address that typed too many wrong codes this hour."""
    by_umkm, by_ip = _wrong_codes_count(merchant, ip)
    if by_umkm >= VOUCHER_WRONG_CODES_PER_UMKM_PER_HOUR:
        raise RateLimited(
            _(
                "Too many wrong voucher codes were entered for your UMKM. For safety, "
                "redeeming is paused: try again in an hour."
            ),
            {"reason": "wrong_codes", "scope": "umkm"},
        )
    if by_ip >= VOUCHER_WRONG_CODES_PER_IP_PER_HOUR:
        raise RateLimited(
            _(
                "Too many wrong voucher codes were entered from this network. For safety, "
                "redeeming is paused: try again in an hour."
            ),
            {"reason": "wrong_codes", "scope": "ip"},
        )


def voucher_code_check(*, kelurahan: Kelurahan, user: Any, ip: str | None) -> None:
    """Before a BUYER's voucher code is tried (paying a market order): refuse with
    RateLimited (429, ``extra.scope`` "buyer" or "ip") when this user typed
    ``VOUCHER_WRONG_CODES_PER_BUYER_PER_HOUR`` wrong codes in the last hour (in any
    kelurahan), or this IP address ``VOUCHER_WRONG_CODES_PER_IP_PER_HOUR`` (wrong codes
    typed at UMKM pages count too). Reads only; an anonymous user is limited by address
    alone. The counts span every kelurahan (``kelurahan`` names the market asking, as in
    ``voucher_code_failed``)."""
    since = _wrong_codes_since()
    if getattr(user, "is_authenticated", False):
        by_buyer = VoucherCodeFailure.objects.filter(user=user, at__gte=since).count()
        if by_buyer >= VOUCHER_WRONG_CODES_PER_BUYER_PER_HOUR:
            raise RateLimited(
                _(
                    "Too many wrong voucher codes were entered from your account. For "
                    "safety, paying with a voucher is paused: try again in an hour."
                ),
                {"reason": "wrong_codes", "scope": "buyer", "field": "voucher_code"},
            )
    if _wrong_codes_by_ip(ip) >= VOUCHER_WRONG_CODES_PER_IP_PER_HOUR:
        raise RateLimited(
            _(
                "Too many wrong voucher codes were entered from this network. For safety, "
                "paying with a voucher is paused: try again in an hour."
            ),
            {"reason": "wrong_codes", "scope": "ip", "field": "voucher_code"},
        )


def voucher_code_failed(*, kelurahan: Kelurahan, user: Any, ip: str | None) -> None:
    """Count a BUYER's voucher code that matched no voucher (see ``voucher_code_is_wrong``).

    Call it where its row commits: after the transaction that tried the code was rolled
    back (outside the ``transaction.atomic`` block of the order), never inside it, or the
    count would be rolled back with the order and the limit would never bite."""
    _wrong_code_record(kelurahan=kelurahan, user=user, ip=ip)


@contextlib.contextmanager
def voucher_code_guard(*, kelurahan: Kelurahan, user: Any, ip: str | None) -> Iterator[None]:
    """Rate-limit a buyer's typed voucher code around the code that tries it::

        with funds_services.voucher_code_guard(kelurahan=k, user=request.user, ip=ip):
            market_services.order_place(..., voucher_code=code)  # its own transaction

    Before the block: ``voucher_code_check`` (429 when over a limit, nothing tried).
    When the block raises a wrong-code refusal (``NotFound``/``ValidationFailed`` with
    ``extra.reason`` "unknown" or "signature", as ``voucher_market_pay`` raises), it is
    counted (``voucher_code_failed``) and re-raised; other errors pass through uncounted.
    Use it outside the order's ``transaction.atomic`` so the count commits."""
    voucher_code_check(kelurahan=kelurahan, user=user, ip=ip)
    try:
        yield
    except (NotFound, ValidationFailed) as exc:
        if voucher_code_is_wrong(exc):
            voucher_code_failed(kelurahan=kelurahan, user=user, ip=ip)
        raise


def voucher_code_failures_prune(*, now: dt.datetime | None = None) -> int:
    """Delete wrong-code rows older than ``VOUCHER_WRONG_CODES_KEPT`` (a day), all
    kelurahan; returns how many (run by ``manage.py funds_daily``)."""
    cutoff = (now or timezone.now()) - VOUCHER_WRONG_CODES_KEPT
    deleted, _by_model = VoucherCodeFailure.objects.filter(at__lt=cutoff).delete()
    return deleted


def voucher_redeem(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    code: str,
    amount: Any = None,
    idempotency_key: str | None = None,
    merchant: VoucherMerchant | None = None,
    ip: str | None = None,
) -> Redemption:
    """A UMKM redeems a voucher (scanned or typed), once, in full or in part as allowed;
    the UMKM's payable grows. The recipient is never named.

    A code that matches no voucher (or a QR whose signature fails) is counted against the
    UMKM and the caller's IP address; over the hourly limits every attempt is refused with
    RateLimited (429), so codes cannot be guessed. The count is committed even though the
    redemption is refused.
    """
    # The seller's role is held in their RT; the voucher may come from any RT.
    permission_gate(actor, "funds.redeem", kelurahan)
    merchant = merchant or merchant_for_user(kelurahan=kelurahan, user=actor)
    if merchant is None or merchant.kelurahan_id != kelurahan.pk:
        raise PermissionDenied(_("Your UMKM is not enrolled to accept vouchers."))
    voucher_wrong_codes_check(merchant=merchant, ip=ip)
    try:
        return _voucher_redeem(
            actor=actor,
            kelurahan=kelurahan,
            code=code,
            amount=amount,
            idempotency_key=idempotency_key,
            merchant=merchant,
        )
    except (NotFound, ValidationFailed) as exc:
        if voucher_code_is_wrong(exc):
            _wrong_code_record(kelurahan=kelurahan, merchant=merchant, ip=ip)
        raise


@transaction.atomic
def _voucher_redeem(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    code: str,
    amount: Any,
    idempotency_key: str | None,
    merchant: VoucherMerchant,
) -> Redemption:
    plain = _voucher_code_from(code)
    request = {"redeem": _code_hash(plain), "merchant": merchant.pk, "amount": amount}
    replay = transfer_replayed(kelurahan=kelurahan, key=idempotency_key, request=request)
    if replay is not None:
        return Redemption.objects.get(transfer=replay)
    voucher = (
        Voucher.objects.select_for_update(of=("self",))
        .filter(kelurahan=kelurahan, code_hash=_code_hash(plain))
        .first()
    )
    if voucher is None:
        raise NotFound(_("Unknown voucher code."), {"reason": "unknown"})
    if voucher.status == VoucherStatus.REDEEMED:
        raise Conflict(_("This voucher was already used."), {"reason": "used"})
    if voucher.status == VoucherStatus.EXPIRED or voucher.expires_at <= timezone.now():
        raise Conflict(_("This voucher has expired."), {"reason": "expired"})
    if voucher.category not in merchant.categories:
        raise ValidationFailed(
            _("This UMKM does not accept %(category)s vouchers.")
            % {"category": voucher.get_category_display()},
            {"reason": "category"},
        )
    take = voucher.remaining if amount in (None, "") else amount_clean(amount)
    if take > voucher.remaining:
        raise ValidationFailed(
            _("The voucher has only %(left)s left.") % {"left": rupiah_format(voucher.remaining)},
            {"reason": "too_much"},
        )
    if not voucher.allow_partial and take != voucher.remaining:
        raise ValidationFailed(
            _("This voucher must be used in full (%(value)s).")
            % {"value": rupiah_format(voucher.remaining)},
            {"reason": "partial"},
        )
    left = voucher.remaining - take
    # Conditional: without the row lock (SQLite) two redemptions cannot both succeed.
    updated = Voucher.objects.filter(
        pk=voucher.pk, status=VoucherStatus.ACTIVE, remaining=voucher.remaining
    ).update(
        remaining=left,
        status=VoucherStatus.REDEEMED if left == 0 else VoucherStatus.ACTIVE,
        updated_at=timezone.now(),
    )
    if updated != 1:
        raise Conflict(_("This voucher was already used."), {"reason": "used"})
    liability = accounts_ensure(kelurahan=kelurahan)[AccountKind.VOUCHER_LIABILITY]
    transfer = transfer_post(
        kelurahan=kelurahan,
        kind=TransferKind.VOUCHER_REDEEM,
        postings=[(liability, take), (merchant.account, -take)],
        actor=actor,
        memo=f"Voucher …{voucher.code_hint}",
        idempotency_key=idempotency_key,
        request=request,
        campaign=voucher.campaign,
        log_data={
            "voucher": f"voucher:{voucher.pk}",
            "umkm": f"organisation:{merchant.organisation_id}",
            "category": voucher.category,
        },
    )
    return Redemption.objects.create(
        voucher=voucher,
        merchant=merchant,
        amount=take,
        transfer=transfer,
        redeemed_by=actor,
        created_at=transfer.created_at,
    )


@transaction.atomic
def voucher_expire(*, voucher: Voucher, now: dt.datetime | None = None) -> Voucher | None:
    """Expire one voucher past its date and return what is left to its source."""
    now = now or timezone.now()
    voucher = (
        Voucher.objects.select_for_update(of=("self",))
        .select_related("source_account")
        .get(pk=voucher.pk)
    )
    if voucher.status != VoucherStatus.ACTIVE or voucher.expires_at > now:
        return None
    left = voucher.remaining
    updated = Voucher.objects.filter(
        pk=voucher.pk, status=VoucherStatus.ACTIVE, remaining=left
    ).update(status=VoucherStatus.EXPIRED, updated_at=now)
    if updated != 1:
        return None
    voucher.status = VoucherStatus.EXPIRED
    if left > 0:
        liability = accounts_ensure(kelurahan=voucher.kelurahan)[AccountKind.VOUCHER_LIABILITY]
        transfer = transfer_post(
            kelurahan=voucher.kelurahan,
            kind=TransferKind.VOUCHER_EXPIRE,
            postings=[(liability, left), (voucher.source_account, -left)],
            actor=None,
            memo=f"Voucher …{voucher.code_hint}",
            campaign=voucher.campaign,
            log_data={"voucher": f"voucher:{voucher.pk}"},
            at=now,
        )
        Voucher.objects.filter(pk=voucher.pk).update(expire_transfer=transfer)
    return voucher


def vouchers_expire_due(*, now: dt.datetime | None = None) -> int:
    """Expire every voucher past its date (all kelurahan); returns how many."""
    now = now or timezone.now()
    due = Voucher.objects.filter(status=VoucherStatus.ACTIVE, expires_at__lte=now).order_by("pk")
    return sum(1 for v in due.iterator() if voucher_expire(voucher=v, now=now) is not None)


# --------------------------------------------------------------------------- goods


def _activity(kelurahan: Kelurahan, activity_id: int) -> Any:
    from gotong.activities import selectors as activity_selectors

    return activity_selectors.activity_get(kelurahan=kelurahan, pk=activity_id)


def _activity_evidence_code(kelurahan: Kelurahan, activity_id: int, receipt_code: str) -> str:
    from gotong.transparency import selectors as transparency_selectors

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


@transaction.atomic
def goods_issue(
    *,
    actor: Any,
    item: GoodsItem,
    quantity: int,
    activity_id: int,
    receipt_code: str = "",
) -> GoodsMovement:
    """Hand goods out of the store to an activity, with the activity's evidence photo."""
    kelurahan = item.kelurahan
    permission_require(actor, "funds.operate", kelurahan)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValidationFailed(_("The quantity must be a whole number above zero."))
    activity = _activity(kelurahan, activity_id)
    code = _activity_evidence_code(kelurahan, activity.pk, receipt_code)
    item = (
        GoodsItem.objects.select_for_update(of=("self",))
        .select_related("fund_account")
        .get(pk=item.pk)
    )
    earmark_check(account=item.fund_account, category=item.category, activity_id=activity.pk)
    if item.expires_on is not None and item.expires_on < timezone.localdate():
        raise ValidationFailed(_("These goods are past their best-before date."))
    taken = GoodsItem.objects.filter(pk=item.pk, quantity__gte=quantity).update(
        quantity=F("quantity") - quantity
    )
    if taken != 1:
        raise ValidationFailed(
            _("Only %(left)s %(unit)s in stock.") % {"left": item.quantity, "unit": item.unit},
            {"reason": "stock"},
        )
    value = quantity * item.unit_value
    if item.quantity == quantity:
        # The last units carry what integer division left over.
        value = item.unit_value * quantity + (
            (item.donation.amount - item.unit_value * item.donation.goods_quantity)
            if item.donation and item.donation.goods_quantity
            else 0
        )
    transfer = None
    if value > 0:
        store = accounts_ensure(kelurahan=kelurahan)[AccountKind.IN_KIND]
        transfer = transfer_post(
            kelurahan=kelurahan,
            kind=TransferKind.GOODS_OUT,
            postings=[(item.fund_account, value), (store, -value)],
            actor=actor,
            memo=f"{quantity} {item.unit} {item.name}"[:200],
            campaign=Campaign.objects.filter(account=item.fund_account).first(),
            activity_id=activity.pk,
            receipt_code=code,
            log_data={"goods": f"goods:{item.pk}", "quantity": quantity},
        )
    movement = GoodsMovement.objects.create(
        item=item,
        kind=GoodsMovementKind.OUT,
        quantity=-quantity,
        activity_id=activity.pk,
        receipt_code=code,
        transfer=transfer,
        actor=actor,
        created_at=timezone.now(),
    )
    _resource_link(activity, "goods", f"goods:{item.pk}", quantity, item.unit)
    if transfer is None:
        _log(
            kelurahan,
            "funds.goods_out",
            actor,
            f"goods:{item.pk}",
            {"quantity": quantity, "activity": f"activity:{activity.pk}", "receipt": code},
        )
    return movement


def _resource_link(activity: Any, kind: str, external_id: str, quantity: int, unit: str) -> None:
    from gotong.activities.services import resource_link_add

    resource_link_add(
        activity=activity, kind=kind, external_id=external_id, quantity=max(1, quantity), unit=unit
    )


@transaction.atomic
def stock_count(*, actor: Any, item: GoodsItem, counted: int, note: str = "") -> GoodsMovement:
    """Record a physical count; a difference is booked to the stock differences account."""
    kelurahan = item.kelurahan
    permission_require(actor, "funds.operate", kelurahan)
    if isinstance(counted, bool) or not isinstance(counted, int) or counted < 0:
        raise ValidationFailed(_("The count must be a whole number, zero or more."))
    item = (
        GoodsItem.objects.select_for_update(of=("self",))
        .select_related("fund_account")
        .get(pk=item.pk)
    )
    expected = item.quantity
    updated = GoodsItem.objects.filter(pk=item.pk, quantity=expected).update(quantity=counted)
    if updated != 1:
        raise Conflict(_("The stock changed while counting; count again."))
    difference = counted - expected
    transfer = None
    value = abs(difference) * item.unit_value
    if difference and value:
        accounts = accounts_ensure(kelurahan=kelurahan)
        store, adjustment = accounts[AccountKind.IN_KIND], accounts[AccountKind.STOCK_ADJUSTMENT]
        postings = (
            [(adjustment, value), (store, -value)]
            if difference < 0
            else [(store, value), (adjustment, -value)]
        )
        transfer = transfer_post(
            kelurahan=kelurahan,
            kind=TransferKind.STOCK_COUNT,
            postings=postings,
            actor=actor,
            memo=f"Stok {item.name}: {expected} → {counted}"[:200],
            log_data={"goods": f"goods:{item.pk}", "expected": expected, "counted": counted},
        )
    else:
        _log(
            kelurahan,
            "funds.stock_counted",
            actor,
            f"goods:{item.pk}",
            {"expected": expected, "counted": counted},
        )
    return GoodsMovement.objects.create(
        item=item,
        kind=GoodsMovementKind.COUNT,
        quantity=difference,
        counted=counted,
        expected=expected,
        note=" ".join((note or "").split())[:200],
        transfer=transfer,
        actor=actor,
        created_at=timezone.now(),
    )


# --------------------------------------------------------------------------- payouts


@transaction.atomic
def payout_account_propose(
    *, actor: Any, person: Person, bank_name: str, account_number: str
) -> PayoutAccount:
    """Propose a beneficiary's bank account (Tier 2, encrypted); a second officer approves.

    Whoever registered the beneficiary may not set their payout account.
    """
    from gotong.core.crypto import field_encrypt

    kelurahan = person.kelurahan
    permission_require(actor, "funds.operate", kelurahan)
    if person.created_by_id is not None and person.created_by_id == actor.pk:
        raise PermissionDenied(
            _("Whoever registered a beneficiary cannot set their payout account."),
            {"reason": "separation_of_duties"},
        )
    number = re.sub(r"[\s-]", "", account_number or "")
    bank = " ".join((bank_name or "").split())
    if not bank or not re.fullmatch(r"\d{6,20}", number):
        raise ValidationFailed(
            _("Give the bank and an account number of 6 to 20 digits."),
            {"field": "account_number"},
        )
    payout = PayoutAccount.objects.create(
        kelurahan=kelurahan,
        person=person,
        bank_name=bank[:60],
        account_number_ciphertext=field_encrypt(number, context="funds.payout.account_number"),
        account_last4=number[-4:],
        proposed_by=actor,
    )
    _log(
        kelurahan,
        "funds.payout_account_proposed",
        actor,
        f"payout:{payout.pk}",
        {"beneficiary": f"person:{person.pk}"},
    )
    return payout


@transaction.atomic
def payout_account_approve(
    *, actor: Any, payout: PayoutAccount, approve: bool = True
) -> PayoutAccount:
    """A second officer (not the proposer, not the registrar) activates or rejects it."""
    kelurahan = payout.kelurahan
    permission_require(actor, "funds.approve", kelurahan)
    payout = (
        PayoutAccount.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=payout.pk)
    )
    if payout.status != PayoutAccountStatus.PENDING:
        raise Conflict(_("This bank account change was already decided."))
    if actor.pk in (payout.proposed_by_id, payout.person.created_by_id):
        raise PermissionDenied(
            _("A bank account change needs a second officer."),
            {"reason": "separation_of_duties"},
        )
    if approve:
        PayoutAccount.objects.filter(
            person=payout.person, status=PayoutAccountStatus.ACTIVE
        ).update(status=PayoutAccountStatus.REPLACED)
    payout.status = PayoutAccountStatus.ACTIVE if approve else PayoutAccountStatus.REJECTED
    payout.approved_by = actor
    payout.save(update_fields=["status", "approved_by", "updated_at"])
    _log(
        kelurahan,
        "funds.payout_account_decided",
        actor,
        f"payout:{payout.pk}",
        {"approved": approve},
        role=_role(actor, "funds.approve", kelurahan),
    )
    return payout


# --------------------------------------------------------------------------- disbursements


def _owed_unrequested(payable: Account) -> int:
    """What a payable (a UMKM's, the couriers') holds beyond the payouts already requested
    or approved from it; the account row is locked so two requests cannot both take it."""
    locked = Account.objects.select_for_update().get(pk=payable.pk)
    pending = Disbursement.objects.filter(
        source_account=locked,
        status__in=[DisbursementStatus.REQUESTED, DisbursementStatus.APPROVED],
    ).aggregate(total=Sum("amount"))["total"]
    return max(0, locked.balance - (pending or 0))


@transaction.atomic
def disbursement_request(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    kind: str,
    amount: Any,
    purpose: str,
    category: str,
    source: Account | None = None,
    activity_id: int | None = None,
    payout: PayoutAccount | None = None,
    merchant: VoucherMerchant | None = None,
    supplier: Organisation | None = None,
    pay_by_cash: bool = False,
) -> Disbursement:
    """Ask to pay money out: cash aid to a beneficiary's account, a supplier for an
    activity, or a UMKM's voucher payable. Two other officers must approve."""
    permission_require(actor, "funds.operate", kelurahan)
    value = amount_clean(amount)
    purpose = " ".join((purpose or "").split())
    if not purpose:
        raise ValidationFailed(_("Say what the money is for."), {"field": "purpose"})
    if category not in Category.values:
        raise ValidationFailed(_("Choose the category."), {"field": "category"})
    if kind == DisbursementKind.COURIER:
        raise ValidationFailed(
            _("A courier is paid from the market cycle's money page."), {"field": "kind"}
        )
    if kind == DisbursementKind.UMKM_SETTLEMENT:
        if merchant is None or merchant.kelurahan_id != kelurahan.pk:
            raise NotFound(_("No such UMKM in this kelurahan."))
        source = merchant.account
        owed = _owed_unrequested(source)
        if value > owed:
            raise ValidationFailed(
                _("The UMKM is owed only %(owed)s.") % {"owed": rupiah_format(owed)}
            )
    else:
        if source is None or source.kelurahan_id != kelurahan.pk or source.kind not in AID_SOURCES:
            raise ValidationFailed(
                _("Aid is paid from the aid fund or a campaign."), {"field": "source"}
            )
        if activity_id is not None:
            _activity(kelurahan, activity_id)
        if kind == DisbursementKind.CASH_AID:
            if payout is not None:
                payout = PayoutAccount.objects.select_related("person__rt").get(pk=payout.pk)
            if (
                payout is None
                or payout.kelurahan_id != kelurahan.pk
                or payout.status != PayoutAccountStatus.ACTIVE
            ):
                raise ValidationFailed(
                    _("Cash aid needs the beneficiary's approved bank account."),
                    {"field": "payout"},
                )
            rt = payout.person.rt
        elif kind == DisbursementKind.SUPPLIER:
            if supplier is None or supplier.kelurahan_id != kelurahan.pk or activity_id is None:
                raise ValidationFailed(
                    _("A supplier payment names the supplier and the activity."),
                    {"field": "supplier"},
                )
            rt = None
        else:
            raise ValidationFailed(_("Unknown kind of payment."), {"field": "kind"})
        earmark_check(account=source, category=category, activity_id=activity_id, rt=rt)
    accounts = accounts_ensure(kelurahan=kelurahan)
    disbursement = Disbursement.objects.create(
        kelurahan=kelurahan,
        kind=kind,
        source_account=source,
        pay_from=accounts[AccountKind.CASH if pay_by_cash else AccountKind.BANK],
        amount=value,
        purpose=purpose[:200],
        category=category,
        activity_id=activity_id,
        payout_account=payout if kind == DisbursementKind.CASH_AID else None,
        merchant=merchant if kind == DisbursementKind.UMKM_SETTLEMENT else None,
        supplier=supplier if kind == DisbursementKind.SUPPLIER else None,
        requested_by=actor,
    )
    _log(
        kelurahan,
        "funds.disbursement_requested",
        actor,
        f"disbursement:{disbursement.pk}",
        {
            "kind": kind,
            "amount": value,
            "source": source.code,
            "category": category,
            "activity": f"activity:{activity_id}" if activity_id else None,
        },
        role=_role(actor, "funds.operate", kelurahan),
    )
    return disbursement


APPROVALS_NEEDED = 2


@transaction.atomic
def disbursement_approve(*, actor: Any, disbursement: Disbursement) -> Disbursement:
    """One of two approvals by officers other than the requester (never the same twice)."""
    kelurahan = disbursement.kelurahan
    permission_require(actor, "funds.approve", kelurahan)
    disbursement = Disbursement.objects.select_for_update(of=("self",)).get(pk=disbursement.pk)
    if disbursement.status != DisbursementStatus.REQUESTED:
        raise Conflict(_("This payment is not waiting for approval."))
    if disbursement.requested_by_id == actor.pk:
        raise PermissionDenied(
            _("Nobody approves their own request."), {"reason": "separation_of_duties"}
        )
    if disbursement.approvals.filter(officer=actor).exists():
        raise PermissionDenied(
            _("The second approval must come from a different officer."),
            {"reason": "same_officer"},
        )
    role = _role(actor, "funds.approve", kelurahan)
    try:
        with transaction.atomic():
            Approval.objects.create(
                disbursement=disbursement, officer=actor, role=role, created_at=timezone.now()
            )
    except IntegrityError as exc:
        raise PermissionDenied(
            _("The second approval must come from a different officer."),
            {"reason": "same_officer"},
        ) from exc
    count = disbursement.approvals.count()
    if count >= APPROVALS_NEEDED:
        disbursement.status = DisbursementStatus.APPROVED
        disbursement.save(update_fields=["status", "updated_at"])
    _log(
        kelurahan,
        "funds.disbursement_approved",
        actor,
        f"disbursement:{disbursement.pk}",
        {"approvals": count},
        role=role,
    )
    return disbursement


@transaction.atomic
def disbursement_reject(*, actor: Any, disbursement: Disbursement, reason: str) -> Disbursement:
    """An approving officer refuses a request (with a reason)."""
    permission_require(actor, "funds.approve", disbursement.kelurahan)
    if not " ".join((reason or "").split()):
        raise ValidationFailed(_("Give a reason."), {"field": "reason"})
    updated = Disbursement.objects.filter(
        pk=disbursement.pk, status__in=[DisbursementStatus.REQUESTED, DisbursementStatus.APPROVED]
    ).update(status=DisbursementStatus.REJECTED)
    if not updated:
        raise Conflict(_("This payment can no longer be rejected."))
    disbursement.refresh_from_db()
    _log(
        disbursement.kelurahan,
        "funds.disbursement_rejected",
        actor,
        f"disbursement:{disbursement.pk}",
        {},
    )
    return disbursement


@transaction.atomic
def disbursement_pay(
    *,
    actor: Any,
    disbursement: Disbursement,
    proof: Any = None,
    receipt_code: str = "",
    idempotency_key: str | None = None,
) -> Disbursement:
    """The treasurer pays an approved request and attaches the proof of payment; the
    ledger moves and the activity gets a funds resource link."""
    kelurahan = disbursement.kelurahan
    permission_require(actor, "funds.treasury", kelurahan)
    request = {"pay": disbursement.pk}
    replay = transfer_replayed(kelurahan=kelurahan, key=idempotency_key, request=request)
    if replay is not None:
        return Disbursement.objects.get(transfer=replay)
    disbursement = (
        Disbursement.objects.select_for_update(of=("self",))
        .select_related("source_account", "pay_from")
        .get(pk=disbursement.pk)
    )
    if disbursement.status == DisbursementStatus.PAID:
        raise Conflict(_("This payment was already made."))
    if disbursement.status != DisbursementStatus.APPROVED:
        raise ValidationFailed(_("A payment needs two approvals first."))
    if receipt_code:
        from gotong.transparency import selectors as transparency_selectors

        code = transparency_selectors.evidence_get(kelurahan=kelurahan, code=receipt_code).code
    else:
        code = _receipt_from(
            proof,
            kelurahan=kelurahan,
            actor=actor,
            subject=f"disbursement:{disbursement.pk}",
            note="Bukti pembayaran",
        )
    # A UMKM's or a courier's payable settled is not aid spending (``funds_summary``).
    kind = (
        TransferKind.SETTLEMENT
        if disbursement.kind in (DisbursementKind.UMKM_SETTLEMENT, DisbursementKind.COURIER)
        else TransferKind.SPEND
    )
    campaign = Campaign.objects.filter(account=disbursement.source_account).first()
    transfer = transfer_post(
        kelurahan=kelurahan,
        kind=kind,
        postings=[
            (disbursement.source_account, disbursement.amount),
            (disbursement.pay_from, -disbursement.amount),
        ],
        actor=actor,
        memo=disbursement.get_kind_display()[:200],
        idempotency_key=idempotency_key,
        request=request,
        campaign=campaign,
        activity_id=disbursement.activity_id,
        receipt_code=code,
        log_data={"disbursement": f"disbursement:{disbursement.pk}"},
    )
    disbursement.status = DisbursementStatus.PAID
    disbursement.paid_by = actor
    disbursement.receipt_code = code
    disbursement.transfer = transfer
    disbursement.save(update_fields=["status", "paid_by", "receipt_code", "transfer", "updated_at"])
    if disbursement.activity_id:
        _resource_link(
            _activity(kelurahan, disbursement.activity_id),
            "funds",
            f"transfer:{transfer.pk}",
            1,
            "transfer",
        )
    return disbursement


# --------------------------------------------------------------------------- callbacks


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
    if status not in CallbackStatus.values or status == CallbackStatus.OPEN:
        raise ValidationFailed(_("Choose the outcome of the call."), {"field": "status"})
    updated = Callback.objects.filter(pk=callback.pk, status=CallbackStatus.OPEN).update(
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


# --------------------------------------------------------------------------- settings


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


# --------------------------------------------------------------------------- market
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


@transaction.atomic
def umkm_payable_ensure(*, organisation: Organisation) -> VoucherMerchant:
    """A market seller's payable account: its ``VoucherMerchant`` record, enrolled
    automatically without voucher categories (an operator may add some later)."""
    merchant = (
        VoucherMerchant.objects.filter(organisation=organisation).select_related("account").first()
    )
    if merchant is not None:
        return merchant
    kelurahan = organisation.kelurahan
    if organisation.kind != OrganisationKind.UMKM:
        raise ValidationFailed(_("Only a UMKM can be owed for market sales."))
    account = Account.objects.filter(
        kelurahan=kelurahan, code=f"umkm:{organisation.pk}"
    ).first() or _account_new(
        kelurahan,
        AccountKind.UMKM_PAYABLE,
        f"umkm:{organisation.pk}",
        f"Owed to {organisation.name}",
        organisation=organisation,
    )
    merchant = VoucherMerchant.objects.create(
        kelurahan=kelurahan, organisation=organisation, categories=[], account=account
    )
    _log(
        kelurahan,
        "funds.merchant_enrolled",
        None,
        f"organisation:{organisation.pk}",
        {"categories": [], "market": True},
    )
    return merchant


@transaction.atomic
def voucher_market_pay(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    code: str,
    items: Sequence[tuple[str, str]],
    amount_max: int,
    market_order_id: int,
) -> Redemption:
    """A buyer pays a market order with an aid voucher (typed or scanned code).

    ``items`` are the order's lines as (name, voucher category the item belongs to, or
    "" when no voucher may pay for it): the voucher's category must be that of every
    line. The voucher pays up to ``amount_max`` (the order total), once (conditional
    update), in full unless it may be used in parts; its value goes from vouchers
    outstanding to the market clearing account until the cycle is settled."""
    plain = _voucher_code_from(code)
    if not plain.strip():
        raise ValidationFailed(_("Type the voucher code."), {"field": "voucher_code"})
    voucher = (
        Voucher.objects.select_for_update(of=("self",))
        .filter(kelurahan=kelurahan, code_hash=_code_hash(plain))
        .first()
    )
    if voucher is None:
        raise NotFound(_("Unknown voucher code."), {"field": "voucher_code", "reason": "unknown"})
    if voucher.status == VoucherStatus.REDEEMED:
        raise Conflict(_("This voucher was already used."), {"reason": "used"})
    if voucher.status == VoucherStatus.EXPIRED or voucher.expires_at <= timezone.now():
        raise Conflict(_("This voucher has expired."), {"reason": "expired"})
    wrong = [name for name, category in items if category != voucher.category]
    if wrong:
        raise ValidationFailed(
            _("A %(category)s voucher cannot pay for: %(items)s.")
            % {"category": voucher.get_category_display(), "items": ", ".join(wrong)},
            {"field": "voucher_code", "reason": "category", "category": voucher.category},
        )
    if voucher.remaining > amount_max and not voucher.allow_partial:
        raise ValidationFailed(
            _("This voucher must be used in full (%(value)s) but the order comes to %(total)s.")
            % {
                "value": rupiah_format(voucher.remaining),
                "total": rupiah_format(amount_max),
            },
            {"field": "voucher_code", "reason": "partial"},
        )
    take = min(voucher.remaining, amount_max)
    if take <= 0:
        raise ValidationFailed(_("There is nothing to pay."), {"field": "voucher_code"})
    left = voucher.remaining - take
    updated = Voucher.objects.filter(
        pk=voucher.pk, status=VoucherStatus.ACTIVE, remaining=voucher.remaining
    ).update(
        remaining=left,
        status=VoucherStatus.REDEEMED if left == 0 else VoucherStatus.ACTIVE,
        updated_at=timezone.now(),
    )
    if updated != 1:
        raise Conflict(_("This voucher was already used."), {"reason": "used"})
    accounts = market_accounts(kelurahan=kelurahan)
    transfer = transfer_post(
        kelurahan=kelurahan,
        kind=TransferKind.VOUCHER_REDEEM,
        postings=[
            (accounts[AccountKind.VOUCHER_LIABILITY], take),
            (accounts[AccountKind.MARKET_CLEARING], -take),
        ],
        actor=actor,
        memo=f"Voucher …{voucher.code_hint}",
        campaign=voucher.campaign,
        log_data={
            "voucher": f"voucher:{voucher.pk}",
            "market_order": f"order:{market_order_id}",
            "category": voucher.category,
        },
    )
    return Redemption.objects.create(
        voucher=voucher,
        amount=take,
        market_order_id=market_order_id,
        transfer=transfer,
        redeemed_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=transfer.created_at,
    )


@transaction.atomic
def voucher_market_refund(
    *, actor: Any, kelurahan: Kelurahan, voucher_id: int, amount: int, market_order_id: int
) -> Transfer:
    """Give back to a voucher what a market order no longer costs (a line cancelled at
    closing, the order cancelled): the voucher can be used again, or, once expired, the
    value returns to the voucher's source."""
    voucher = Voucher.objects.select_for_update(of=("self",)).get(
        pk=voucher_id, kelurahan=kelurahan
    )
    value = amount_clean(amount)
    accounts = market_accounts(kelurahan=kelurahan)
    now = timezone.now()
    if voucher.status != VoucherStatus.EXPIRED and voucher.expires_at > now:
        if voucher.remaining + value > voucher.value:
            raise ValidationFailed(_("More than the voucher's value cannot be given back."))
        Voucher.objects.filter(pk=voucher.pk).update(
            remaining=F("remaining") + value, status=VoucherStatus.ACTIVE, updated_at=now
        )
        target = accounts[AccountKind.VOUCHER_LIABILITY]
        returned_to = "voucher"
    else:
        target = voucher.source_account
        returned_to = "source"
    return transfer_post(
        kelurahan=kelurahan,
        kind=TransferKind.MARKET_REFUND,
        postings=[(accounts[AccountKind.MARKET_CLEARING], value), (target, -value)],
        actor=actor,
        memo=f"Voucher …{voucher.code_hint}",
        campaign=voucher.campaign,
        log_data={
            "voucher": f"voucher:{voucher.pk}",
            "market_order": f"order:{market_order_id}",
            "returned_to": returned_to,
        },
    )


@transaction.atomic
def courier_payout_request(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    courier_id: int,
    amount: Any,
    purpose: str,
    pay_by_cash: bool = False,
) -> Disbursement:
    """Ask to pay a market courier their share out of the couriers' payable account (the
    market names the courier by its id and the cycle in the purpose). A disbursement of
    its own kind ("Paying a courier's delivery share") naming the payee only as
    ``courier_id`` (shown as "Courier #id", never a name). Two officers other than the
    requester approve and the treasurer pays with proof (``disbursement_approve`` /
    ``disbursement_pay``), as for a UMKM: the money settles a payable (a ``settlement``
    transfer), it is not aid spending. The amount may not exceed what the account holds
    beyond payouts already asked for."""
    permission_require(actor, "funds.operate", kelurahan)
    if not isinstance(courier_id, int) or isinstance(courier_id, bool) or courier_id <= 0:
        raise ValidationFailed(_("Name the courier to pay."), {"field": "courier"})
    value = amount_clean(amount)
    purpose = " ".join((purpose or "").split())
    if not purpose:
        raise ValidationFailed(_("Say what the money is for."), {"field": "purpose"})
    source = market_accounts(kelurahan=kelurahan)[AccountKind.COURIER_PAYABLE]
    owed = _owed_unrequested(source)
    if value > owed:
        raise ValidationFailed(
            _("The couriers are owed only %(owed)s.") % {"owed": rupiah_format(owed)},
            {"field": "amount"},
        )
    accounts = accounts_ensure(kelurahan=kelurahan)
    disbursement = Disbursement.objects.create(
        kelurahan=kelurahan,
        kind=DisbursementKind.COURIER,
        source_account=source,
        pay_from=accounts[AccountKind.CASH if pay_by_cash else AccountKind.BANK],
        amount=value,
        purpose=purpose[:200],
        category=Category.OTHER,
        courier_id=courier_id,
        requested_by=actor,
    )
    _log(
        kelurahan,
        "funds.disbursement_requested",
        actor,
        f"disbursement:{disbursement.pk}",
        {
            "kind": disbursement.kind,
            "amount": value,
            "source": source.code,
            "courier": f"courier:{courier_id}",
        },
        role=_role(actor, "funds.operate", kelurahan),
    )
    return disbursement
