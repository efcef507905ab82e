"""Ledger reads: balances derived from postings, accounts, transfers, reconciliation, the
public funds totals. Always for one kelurahan."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from gotong.core.exceptions import NotFound
from gotong.funds.models import (
    AID_SOURCES,
    REVERSIBLE_KINDS,
    Account,
    AccountKind,
    Donation,
    Posting,
    Transfer,
    TransferKind,
)
from gotong.territory.models import Kelurahan

from .spending import spent_totals


def account_balance(*, account: Account, until: dt.datetime | None = None) -> int:
    """An account's natural balance summed from its postings (not the cached column)."""
    postings = Posting.objects.filter(account=account)
    if until is not None:
        postings = postings.filter(created_at__lt=until)
    raw = postings.aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    return int(raw if account.debit_normal else -raw)


def account_list(*, kelurahan: Kelurahan) -> QuerySet[Account]:
    """Every ledger account of the kelurahan, in pk order."""
    return Account.objects.filter(kelurahan=kelurahan).order_by("pk")


def account_get(*, kelurahan: Kelurahan, pk: int) -> Account:
    """One account of this kelurahan, or NotFound."""
    account = Account.objects.filter(kelurahan=kelurahan, pk=pk).first()
    if account is None:
        raise NotFound(_("No such account in this kelurahan."))
    return account


def account_of_kind(*, kelurahan: Kelurahan, kind: str) -> Account:
    """The kelurahan's single account of a fixed kind (bank, aid fund, ...); made when the
    kelurahan was created (``accounts_ensure``), so a missing one is NotFound, never made here."""
    account = Account.objects.filter(kelurahan=kelurahan, code=str(kind), kind=kind).first()
    if account is None:
        raise NotFound(
            _("This kelurahan's %(kind)s account is not set up.") % {"kind": kind},
            {"reason": "account_missing", "kind": str(kind)},
        )
    return account


def transfer_list(
    *, kelurahan: Kelurahan, account: Account | None = None, kind: str = ""
) -> QuerySet[Transfer]:
    """The kelurahan's transfers, newest first, with postings and accounts; optionally only
    those touching one account or of one kind."""
    transfers = Transfer.objects.filter(kelurahan=kelurahan)
    if account is not None:
        transfers = transfers.filter(
            pk__in=Posting.objects.filter(account=account).values("transfer_id")
        )
    if kind:
        transfers = transfers.filter(kind=kind)
    return (
        transfers.select_related("actor", "campaign")
        .prefetch_related("postings__account")
        .order_by("-created_at", "-pk")
    )


def transfer_get(*, kelurahan: Kelurahan, pk: int) -> Transfer:
    """One transfer of this kelurahan, or NotFound."""
    transfer = Transfer.objects.filter(kelurahan=kelurahan, pk=pk).first()
    if transfer is None:
        raise NotFound(_("No such transfer in this kelurahan."))
    return transfer


@dataclass
class TransferDetail:
    transfer: Transfer
    postings: list[Posting]
    reversal: Transfer | None
    donation: Donation | None
    reversible: bool


def transfer_detail(*, kelurahan: Kelurahan, pk: int) -> TransferDetail:
    """A transfer of this kelurahan with its postings, the correction that reversed it (if
    any), the donation it confirmed (if any) and whether the treasurer may still reverse it;
    NotFound for another kelurahan's id."""
    transfer = (
        Transfer.objects.filter(kelurahan=kelurahan, pk=pk)
        .select_related("actor", "campaign", "reverses")
        .first()
    )
    if transfer is None:
        raise NotFound(_("No such transfer in this kelurahan."))
    postings = list(transfer.postings.select_related("account").order_by("pk"))
    reversal = Transfer.objects.filter(reverses=transfer).first()
    donation = Donation.objects.filter(transfer=transfer).first()
    return TransferDetail(
        transfer=transfer,
        postings=postings,
        reversal=reversal,
        donation=donation,
        reversible=reversal is None and transfer.kind in REVERSIBLE_KINDS,
    )


def transfer_reversals(*, kelurahan: Kelurahan, transfers: list[Transfer]) -> dict[int, int]:
    """For the given transfers, the id of the correction that reversed each (if any)."""
    return dict(
        Transfer.objects.filter(
            kelurahan=kelurahan, reverses_id__in=[t.pk for t in transfers]
        ).values_list("reverses_id", "pk")
    )


@dataclass
class Reconciliation:
    postings_sum: int
    unbalanced_transfers: list[int]
    mismatched_accounts: list[str]
    negative_accounts: list[str]

    @property
    def balanced(self) -> bool:
        return (
            self.postings_sum == 0
            and not self.unbalanced_transfers
            and not self.mismatched_accounts
            and not self.negative_accounts
        )


def ledger_reconcile(*, kelurahan: Kelurahan) -> Reconciliation:
    """Check the ledger: every transfer sums to zero, all postings sum to zero, each cached
    balance equals its postings, and no account is below zero where its kind forbids it."""
    postings = Posting.objects.filter(transfer__kelurahan=kelurahan)
    total = postings.aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    unbalanced = list(
        postings.values("transfer_id")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
        .values_list("transfer_id", flat=True)
    )
    sums = dict(
        postings.values("account_id")
        .annotate(total=Sum("amount"))
        .values_list("account_id", "total")
    )
    mismatched, negative = [], []
    for account in Account.objects.filter(kelurahan=kelurahan):
        raw = int(sums.get(account.pk, 0))
        natural = raw if account.debit_normal else -raw
        if natural != account.balance:
            mismatched.append(account.code)
        if natural < 0 and not account.may_go_negative:
            negative.append(account.code)
    return Reconciliation(int(total), unbalanced, mismatched, negative)


def _net_by_kind(
    kelurahan: Kelurahan, start: dt.datetime | None, end: dt.datetime | None
) -> dict[str, int]:
    """Sum of transfer amounts per kind, less the reversals of that kind (same window)."""
    transfers = Transfer.objects.filter(kelurahan=kelurahan)
    if start is not None:
        transfers = transfers.filter(created_at__gte=start)
    if end is not None:
        transfers = transfers.filter(created_at__lt=end)
    totals: dict[str, int] = defaultdict(int)
    for row in (
        transfers.exclude(kind=TransferKind.REVERSAL).values("kind").annotate(t=Sum("amount"))
    ):
        totals[row["kind"]] += int(row["t"])
    for row in (
        transfers.filter(kind=TransferKind.REVERSAL)
        .values("reverses__kind")
        .annotate(t=Sum("amount"))
    ):
        totals[row["reverses__kind"]] -= int(row["t"])
    return totals


@dataclass(frozen=True)
class FundsSummary:
    """Public money figures of a kelurahan in rupiah (no personal data)."""

    raised: int  # money donations confirmed (campaigns, aid and operational fund)
    matched: int  # added by sponsors' matching pledges
    spent: int  # ``spending.spent_totals``: the campaigns' spent plus the next figure
    spent_outside_campaigns: int  # spent from the aid fund, outside any campaign
    balance: int  # money still held for aid: aid fund + campaigns + earmarks
    operational_balance: int  # the separate operational fund
    vouchers_outstanding: int  # issued, not yet redeemed or expired
    owed_to_umkm: int  # redeemed vouchers not yet settled
    goods_value_in: int  # declared value of goods received
    goods_value_out: int  # declared value of goods handed out


def funds_summary(
    *, kelurahan: Kelurahan, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> FundsSummary:
    """Money raised / matched / spent in a period (default: all time) and current balances.

    For the public dashboard: reversals are netted out; sponsors' money counts as
    ``matched`` when it matches a donation, not when it funds the pledge.
    """
    net = _net_by_kind(kelurahan, start, end)
    spent = spent_totals(kelurahan=kelurahan, start=start, end=end)
    pledge_funding = int(
        Transfer.objects.filter(
            kelurahan=kelurahan,
            kind=TransferKind.DONATION,
            donation__target="pledge",
            reversed_by__isnull=True,
            **({"created_at__gte": start} if start else {}),
            **({"created_at__lt": end} if end else {}),
        ).aggregate(t=Coalesce(Sum("amount"), 0))["t"]
    )
    balances: dict[str, int] = defaultdict(int)
    for row in (
        Account.objects.filter(kelurahan=kelurahan).values("kind").annotate(t=Sum("balance"))
    ):
        balances[row["kind"]] = int(row["t"])
    return FundsSummary(
        raised=net[TransferKind.DONATION] - pledge_funding,
        matched=net[TransferKind.MATCH],
        spent=spent.total,
        spent_outside_campaigns=spent.outside_campaigns,
        balance=sum(balances[k] for k in AID_SOURCES),
        operational_balance=balances[AccountKind.OPERATIONAL_FUND],
        vouchers_outstanding=balances[AccountKind.VOUCHER_LIABILITY],
        owed_to_umkm=balances[AccountKind.UMKM_PAYABLE],
        goods_value_in=net[TransferKind.GOODS_IN],
        goods_value_out=net[TransferKind.GOODS_OUT],
    )
