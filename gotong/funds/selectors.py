"""Funds reads, always for one kelurahan: balances derived from postings, reconciliation,
campaign and donor reports, the monthly financial report, and the public totals the
dashboard shows (``funds_summary``, ``goods_summary``, ``campaign_summaries``)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.core.exceptions import NotFound
from gotong.core.timeutils import WIB
from gotong.territory.models import Kelurahan

from .codes import voucher_code_hash
from .hooks import statement_matchers
from .models import (
    AID_SOURCES,
    REVERSIBLE_KINDS,
    Account,
    AccountKind,
    Callback,
    Campaign,
    CampaignStatus,
    Disbursement,
    DisbursementStatus,
    Donation,
    DonationKind,
    DonationStatus,
    GoodsItem,
    GoodsMovement,
    GoodsMovementKind,
    MatchPledge,
    PayoutAccount,
    Posting,
    Redemption,
    StatementImport,
    Transfer,
    TransferKind,
    Voucher,
    VoucherMerchant,
    VoucherStatus,
)

# --------------------------------------------------------------------------- ledger


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


# --------------------------------------------------------------------------- totals


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
    spent: int  # paid out as aid (cash aid, suppliers) plus vouchers redeemed at UMKM
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
        spent=net[TransferKind.SPEND] + net[TransferKind.VOUCHER_REDEEM],
        balance=sum(balances[k] for k in AID_SOURCES),
        operational_balance=balances[AccountKind.OPERATIONAL_FUND],
        vouchers_outstanding=balances[AccountKind.VOUCHER_LIABILITY],
        owed_to_umkm=balances[AccountKind.UMKM_PAYABLE],
        goods_value_in=net[TransferKind.GOODS_IN],
        goods_value_out=net[TransferKind.GOODS_OUT],
    )


@dataclass(frozen=True)
class GoodsLine:
    name: str
    unit: str
    category: str
    quantity_in: int
    quantity_out: int
    in_stock: int
    stock_difference: int


def goods_summary(
    *, kelurahan: Kelurahan, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> list[GoodsLine]:
    """Goods in and out per item name and unit (quantities), for the public dashboard."""
    movements = GoodsMovement.objects.filter(item__kelurahan=kelurahan)
    if start is not None:
        movements = movements.filter(created_at__gte=start)
    if end is not None:
        movements = movements.filter(created_at__lt=end)
    lines: dict[tuple[str, str, str], dict[str, int]] = defaultdict(
        lambda: {"in": 0, "out": 0, "count": 0, "stock": 0}
    )
    for row in movements.values("item__name", "item__unit", "item__category", "kind").annotate(
        q=Sum("quantity")
    ):
        key = (row["item__name"], row["item__unit"], row["item__category"])
        slot = {"in": "in", "out": "out", "count": "count"}[row["kind"]]
        lines[key][slot] += int(row["q"])
    for row in (
        GoodsItem.objects.filter(kelurahan=kelurahan)
        .values("name", "unit", "category")
        .annotate(q=Sum("quantity"))
    ):
        lines[(row["name"], row["unit"], row["category"])]["stock"] = int(row["q"])
    return [
        GoodsLine(
            name=name,
            unit=unit,
            category=category,
            quantity_in=v["in"],
            quantity_out=-v["out"],
            in_stock=v["stock"],
            stock_difference=v["count"],
        )
        for (name, unit, category), v in sorted(lines.items())
    ]


# --------------------------------------------------------------------------- campaigns


def campaign_list(*, kelurahan: Kelurahan, active_only: bool = False) -> QuerySet[Campaign]:
    """Campaigns of the kelurahan with their account (newest first)."""
    campaigns = Campaign.objects.filter(kelurahan=kelurahan).select_related(
        "account", "owner_rw", "earmark_rw", "owner_organisation"
    )
    if active_only:
        campaigns = campaigns.filter(status=CampaignStatus.ACTIVE)
    return campaigns.order_by("-starts_on", "-pk")


def campaign_get(*, kelurahan: Kelurahan, pk: int) -> Campaign:
    """One campaign of this kelurahan, or NotFound."""
    campaign = campaign_list(kelurahan=kelurahan).filter(pk=pk).first()
    if campaign is None:
        raise NotFound(_("No such campaign in this kelurahan."))
    return campaign


@dataclass
class CampaignSummary:
    campaign: Campaign
    raised: int
    matched: int
    spent: int
    balance: int
    donors: int

    @property
    def progress_percent(self) -> int:
        return min(100, (self.raised + self.matched) * 100 // max(1, self.campaign.target_amount))


def campaign_summaries(*, kelurahan: Kelurahan, active_only: bool = False) -> list[CampaignSummary]:
    """Each campaign with money raised, matched, spent and its balance (3 queries)."""
    campaigns = list(campaign_list(kelurahan=kelurahan, active_only=active_only))
    per: dict[tuple[int, str], int] = defaultdict(int)
    for row in (
        Transfer.objects.filter(kelurahan=kelurahan, campaign__isnull=False)
        .exclude(kind=TransferKind.REVERSAL)
        .values("campaign_id", "kind")
        .annotate(t=Sum("amount"))
    ):
        per[(row["campaign_id"], row["kind"])] += int(row["t"])
    for row in (
        Transfer.objects.filter(
            kelurahan=kelurahan, kind=TransferKind.REVERSAL, campaign__isnull=False
        )
        .values("campaign_id", "reverses__kind")
        .annotate(t=Sum("amount"))
    ):
        per[(row["campaign_id"], row["reverses__kind"])] -= int(row["t"])
    donors = dict(
        Donation.objects.filter(kelurahan=kelurahan, status=DonationStatus.CONFIRMED)
        .values("campaign_id")
        .annotate(n=Count("pk"))
        .values_list("campaign_id", "n")
    )
    return [
        CampaignSummary(
            campaign=c,
            raised=per[(c.pk, TransferKind.DONATION)] + per[(c.pk, TransferKind.GOODS_IN)],
            matched=per[(c.pk, TransferKind.MATCH)],
            spent=sum(
                per[(c.pk, k)]
                for k in (TransferKind.SPEND, TransferKind.VOUCHER_ISSUE, TransferKind.GOODS_OUT)
            )
            - per[(c.pk, TransferKind.VOUCHER_EXPIRE)],
            balance=c.account.balance,
            donors=donors.get(c.pk, 0),
        )
        for c in campaigns
    ]


@dataclass
class SpendLine:
    at: dt.datetime
    kind: str
    amount: int
    activity_id: int | None
    receipt_code: str
    transfer_id: int


@dataclass
class CampaignReport:
    summary: CampaignSummary
    spending: list[SpendLine]
    donors_public: list[tuple[str, int, dt.datetime]]
    pledges: list[MatchPledge]


def campaign_report(*, campaign: Campaign) -> CampaignReport:
    """The public page of a campaign: money in, matched, spent by activity with receipts,
    balance, named donors (anonymous ones unnamed), pledges; no personal data."""
    summary = next(
        s for s in campaign_summaries(kelurahan=campaign.kelurahan) if s.campaign.pk == campaign.pk
    )
    reversed_ids = set(
        Transfer.objects.filter(campaign=campaign, kind=TransferKind.REVERSAL).values_list(
            "reverses_id", flat=True
        )
    )
    spending = [
        SpendLine(t.created_at, t.kind, t.amount, t.activity_id, t.receipt_code, t.pk)
        for t in Transfer.objects.filter(
            campaign=campaign,
            kind__in=[
                TransferKind.SPEND,
                TransferKind.VOUCHER_ISSUE,
                TransferKind.GOODS_OUT,
                TransferKind.VOUCHER_EXPIRE,
            ],
        ).order_by("-created_at")[:200]
        if t.pk not in reversed_ids
    ]
    donors = [
        (
            str(_("Anonymous donor"))
            if d.is_anonymous
            else (
                d.donor_organisation.name
                if d.donor_organisation
                else (d.public_name or str(_("Donor")))
            ),
            d.amount,
            d.confirmed_at or d.created_at,
        )
        for d in Donation.objects.filter(campaign=campaign, status=DonationStatus.CONFIRMED)
        .select_related("donor_organisation")
        .order_by("-confirmed_at")[:100]
    ]
    pledges = list(
        MatchPledge.objects.filter(campaign=campaign).select_related("sponsor", "account")
    )
    return CampaignReport(summary, spending, donors, pledges)


# --------------------------------------------------------------------------- donations


def donation_get(*, kelurahan: Kelurahan, pk: int) -> Donation:
    """One donation of this kelurahan, or NotFound."""
    donation = (
        Donation.objects.filter(kelurahan=kelurahan, pk=pk)
        .select_related("campaign", "pledge", "donor_organisation", "transfer")
        .first()
    )
    if donation is None:
        raise NotFound(_("No such donation in this kelurahan."))
    return donation


def donation_get_by_reference(*, kelurahan: Kelurahan, reference: str) -> Donation:
    """A donation by its payment reference within this kelurahan, or NotFound."""
    donation = Donation.objects.filter(
        kelurahan=kelurahan, payment_reference=(reference or "").strip().upper()
    ).first()
    if donation is None:
        raise NotFound(_("No donation with this reference in this kelurahan."))
    return donation


def donation_with_receipt(*, kelurahan: Kelurahan, receipt_sha256: str) -> Donation | None:
    """The first donation of this kelurahan that counts (not cancelled) whose receipt photo
    has these bytes (SHA-256 hex), else None."""
    return (
        Donation.objects.filter(kelurahan=kelurahan, receipt_sha256=receipt_sha256)
        .exclude(status=DonationStatus.CANCELLED)
        .order_by("pk")
        .first()
    )


def donation_queue(
    *, kelurahan: Kelurahan, status: str = DonationStatus.RECORDED
) -> QuerySet[Donation]:
    """Donations in one status for the treasurer (default: recorded, to confirm)."""
    return (
        Donation.objects.filter(kelurahan=kelurahan, status=status)
        .select_related("campaign", "donor_organisation", "recorded_by", "statement_line")
        .order_by("created_at")
    )


def donation_list_for_user(*, kelurahan: Kelurahan, user: Any) -> QuerySet[Donation]:
    """A donor's own donations, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Donation.objects.none()
    return (
        Donation.objects.filter(kelurahan=kelurahan, donor_user=user)
        .select_related("campaign", "transfer")
        .prefetch_related("matches__pledge__sponsor")
        .order_by("-created_at")
    )


@dataclass
class DonorTrail:
    donation: Donation
    share_percent: float
    matched: int
    spending: list[SpendLine] = field(default_factory=list)


def donor_report(*, kelurahan: Kelurahan, user: Any) -> list[DonorTrail]:
    """Where a donor's money went: for each confirmed donation, its campaign's spending
    (activities with receipts) and the donor's share of all money that came in."""
    trails: list[DonorTrail] = []
    summaries = {s.campaign.pk: s for s in campaign_summaries(kelurahan=kelurahan)}
    for donation in donation_list_for_user(kelurahan=kelurahan, user=user).filter(
        status=DonationStatus.CONFIRMED
    ):
        matched = sum(m.amount for m in donation.matches.all())
        if donation.campaign_id is None:
            trails.append(DonorTrail(donation, 0.0, matched))
            continue
        summary = summaries[donation.campaign_id]
        assert donation.campaign is not None  # noqa: S101 - campaign_id is set
        money_in = max(1, summary.raised + summary.matched)
        report = campaign_report(campaign=donation.campaign)
        trails.append(
            DonorTrail(
                donation,
                round(100 * donation.amount / money_in, 1),
                matched,
                [
                    s
                    for s in report.spending
                    if s.at >= (donation.confirmed_at or donation.created_at)
                ]
                or report.spending,
            )
        )
    return trails


def statement_get(*, kelurahan: Kelurahan, pk: int) -> StatementImport:
    """A statement import of this kelurahan with its lines, or NotFound."""
    statement = (
        StatementImport.objects.filter(kelurahan=kelurahan, pk=pk)
        .prefetch_related("lines__donation")
        .first()
    )
    if statement is None:
        raise NotFound(_("No such statement in this kelurahan."))
    return statement


def statement_other_matches(*, statement: StatementImport) -> dict[int, str]:
    """What the statement's lines matched outside donations, by line id: a label from
    the matcher that recorded it (e.g. a market order's QRIS payment)."""
    ids = list(statement.lines.filter(donation__isnull=True).values_list("pk", flat=True))
    found: dict[int, str] = {}
    for _match, matched in statement_matchers():
        if ids:
            for pk, label in matched(kelurahan=statement.kelurahan, line_ids=ids).items():
                found.setdefault(pk, label)
    return found


def statement_list(*, kelurahan: Kelurahan) -> QuerySet[StatementImport]:
    """Past bank statement imports of this kelurahan, newest first."""
    return (
        StatementImport.objects.filter(kelurahan=kelurahan)
        .select_related("imported_by")
        .order_by("-created_at", "-pk")
    )


def pledge_list(*, kelurahan: Kelurahan) -> QuerySet[MatchPledge]:
    """Matching pledges with sponsor, campaign and pool account."""
    return MatchPledge.objects.filter(kelurahan=kelurahan).select_related(
        "sponsor", "campaign", "account"
    )


def pledge_get(*, kelurahan: Kelurahan, pk: int) -> MatchPledge:
    """One matching pledge of this kelurahan, or NotFound."""
    pledge = pledge_list(kelurahan=kelurahan).filter(pk=pk).first()
    if pledge is None:
        raise NotFound(_("No such matching pledge in this kelurahan."))
    return pledge


# --------------------------------------------------------------------------- vouchers, goods


def merchant_list(*, kelurahan: Kelurahan) -> QuerySet[VoucherMerchant]:
    """UMKM enrolled for vouchers with what they are owed."""
    return VoucherMerchant.objects.filter(kelurahan=kelurahan).select_related(
        "organisation", "account"
    )


def merchant_get(*, kelurahan: Kelurahan, pk: int) -> VoucherMerchant:
    """One enrolled UMKM of this kelurahan, or NotFound."""
    merchant = merchant_list(kelurahan=kelurahan).filter(pk=pk).first()
    if merchant is None:
        raise NotFound(_("No such UMKM in this kelurahan."))
    return merchant


def redemption_list_for_merchant(
    *, kelurahan: Kelurahan, merchant: VoucherMerchant
) -> QuerySet[Redemption]:
    """A UMKM's redemptions (voucher hint, amount, time), newest first."""
    return (
        Redemption.objects.filter(merchant=merchant, voucher__kelurahan=kelurahan)
        .select_related("voucher")
        .order_by("-created_at")
    )


def voucher_list(*, kelurahan: Kelurahan, rt: Any = None) -> QuerySet[Voucher]:
    """Vouchers of the kelurahan (or of one RT), newest first; codes are never stored."""
    vouchers = Voucher.objects.filter(kelurahan=kelurahan).select_related("rt__rw", "campaign")
    if rt is not None:
        vouchers = vouchers.filter(rt=rt)
    return vouchers.order_by("-created_at", "-pk")


def voucher_counts(*, kelurahan: Kelurahan) -> dict[str, int]:
    """How many vouchers are active, redeemed and expired."""
    counts = dict(
        Voucher.objects.filter(kelurahan=kelurahan)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {s: counts.get(s, 0) for s in VoucherStatus.values}


def voucher_get_by_code(*, kelurahan: Kelurahan, code: str) -> Voucher:
    """The voucher of a code (looked up by its HMAC; the code itself is never stored)."""
    voucher = (
        Voucher.objects.filter(kelurahan=kelurahan, code_hash=voucher_code_hash(code))
        .select_related("rt__rw")
        .first()
    )
    if voucher is None:
        raise NotFound(_("Unknown voucher code."))
    return voucher


def goods_list(*, kelurahan: Kelurahan, in_stock_only: bool = False) -> QuerySet[GoodsItem]:
    """Goods in the store (soonest best-before first)."""
    items = GoodsItem.objects.filter(kelurahan=kelurahan).select_related("fund_account")
    if in_stock_only:
        items = items.filter(quantity__gt=0)
    return items.order_by("expires_on", "pk")


def goods_get(*, kelurahan: Kelurahan, pk: int) -> GoodsItem:
    """One goods lot of this kelurahan, or NotFound."""
    item = goods_list(kelurahan=kelurahan).filter(pk=pk).first()
    if item is None:
        raise NotFound(_("No such goods in this kelurahan."))
    return item


def goods_movements(*, kelurahan: Kelurahan) -> QuerySet[GoodsMovement]:
    """Every stock movement, newest first."""
    return (
        GoodsMovement.objects.filter(item__kelurahan=kelurahan)
        .select_related("item")
        .order_by("-created_at", "-pk")
    )


def goods_discrepancies(*, kelurahan: Kelurahan) -> QuerySet[GoodsMovement]:
    """Stock counts that found a difference."""
    return (
        goods_movements(kelurahan=kelurahan)
        .filter(kind=GoodsMovementKind.COUNT)
        .exclude(quantity=0)
    )


# --------------------------------------------------------------------------- disbursements


def disbursement_list(*, kelurahan: Kelurahan, status: str | None = None) -> QuerySet[Disbursement]:
    """Payments out with their approvals (newest first)."""
    rows = (
        Disbursement.objects.filter(kelurahan=kelurahan)
        .select_related("source_account", "requested_by", "merchant__organisation", "supplier")
        .prefetch_related("approvals")
    )
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at")


def disbursement_get(*, kelurahan: Kelurahan, pk: int) -> Disbursement:
    """One payment of this kelurahan, or NotFound."""
    row = disbursement_list(kelurahan=kelurahan).filter(pk=pk).first()
    if row is None:
        raise NotFound(_("No such payment in this kelurahan."))
    return row


def payout_account_list(*, kelurahan: Kelurahan, status: str | None = None) -> QuerySet[Any]:
    """Payout accounts (bank, last 4 digits, status); the number stays encrypted."""
    rows = PayoutAccount.objects.filter(kelurahan=kelurahan).select_related("person")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at")


def payout_account_get(*, kelurahan: Kelurahan, pk: int) -> Any:
    """One payout account of this kelurahan, or NotFound."""
    row = payout_account_list(kelurahan=kelurahan).filter(pk=pk).first()
    if row is None:
        raise NotFound(_("No such bank account in this kelurahan."))
    return row


def callback_list(*, kelurahan: Kelurahan, cycle: str | None = None) -> QuerySet[Callback]:
    """Call-backs to make (open first)."""
    rows = Callback.objects.filter(kelurahan=kelurahan).select_related(
        "disbursement__payout_account__person", "voucher__household__head"
    )
    if cycle:
        rows = rows.filter(cycle=cycle)
    return rows.order_by("status", "pk")


def callback_get(*, kelurahan: Kelurahan, pk: int) -> Callback:
    """One call-back of this kelurahan, or NotFound."""
    row = callback_list(kelurahan=kelurahan).filter(pk=pk).first()
    if row is None:
        raise NotFound(_("No such call-back in this kelurahan."))
    return row


# --------------------------------------------------------------------------- monthly report


@dataclass
class ReportLine:
    code: str
    name: str
    kind: str
    opening: int
    debits: int
    credits: int
    closing: int


@dataclass
class MonthlyReport:
    kelurahan: Kelurahan
    year: int
    month: int
    lines: list[ReportLine]
    transfers: int
    by_kind: dict[str, int]

    @property
    def reconciled(self) -> bool:
        """Signed closing balances sum to zero and each line adds up."""
        signed = sum(
            (line.closing if line.kind in ("bank", "cash", "in_kind") else -line.closing)
            for line in self.lines
            if line.kind != "stock_adjustment"
        ) + sum(line.closing for line in self.lines if line.kind == "stock_adjustment")
        rows_ok = all(
            line.closing
            == line.opening
            + (
                line.debits - line.credits
                if line.kind in ("bank", "cash", "in_kind", "stock_adjustment")
                else line.credits - line.debits
            )
            for line in self.lines
        )
        return signed == 0 and rows_ok

    @property
    def total_debits(self) -> int:
        return sum(line.debits for line in self.lines)

    @property
    def total_credits(self) -> int:
        return sum(line.credits for line in self.lines)


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """The month in WIB as UTC-aware datetimes [start, end)."""
    start = dt.datetime(year, month, 1, tzinfo=WIB)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=WIB)
    return start, end


def monthly_report(*, kelurahan: Kelurahan, year: int, month: int) -> MonthlyReport:
    """Every account's opening balance, debits, credits and closing balance for a month
    (WIB), from three grouped queries over the postings; reconciled to zero."""
    start, end = month_bounds(year, month)
    postings = Posting.objects.filter(account__kelurahan=kelurahan)
    before = dict(
        postings.filter(created_at__lt=start)
        .values("account_id")
        .annotate(t=Sum("amount"))
        .values_list("account_id", "t")
    )
    during = {
        row["account_id"]: row
        for row in postings.filter(created_at__gte=start, created_at__lt=end)
        .values("account_id")
        .annotate(
            debits=Coalesce(Sum("amount", filter=Q(amount__gt=0)), 0),
            credits=Coalesce(Sum("amount", filter=Q(amount__lt=0)), 0),
        )
    }
    lines = []
    for account in Account.objects.filter(kelurahan=kelurahan).order_by("pk"):
        sign = 1 if account.debit_normal or account.may_go_negative else -1
        raw_open = int(before.get(account.pk, 0))
        row = during.get(account.pk, {"debits": 0, "credits": 0})
        debits, credits = int(row["debits"]), -int(row["credits"])
        if not (raw_open or debits or credits):
            continue
        lines.append(
            ReportLine(
                code=account.code,
                name=account.name,
                kind=account.kind,
                opening=sign * raw_open,
                debits=debits,
                credits=credits,
                closing=sign * (raw_open + debits - credits),
            )
        )
    window = Transfer.objects.filter(kelurahan=kelurahan, created_at__gte=start, created_at__lt=end)
    by_kind = {
        row["kind"]: int(row["t"])
        for row in window.values("kind").annotate(t=Sum("amount")).order_by("kind")
    }
    return MonthlyReport(kelurahan, year, month, lines, window.count(), by_kind)


def report_months(*, kelurahan: Kelurahan) -> list[tuple[int, int]]:
    """Months (WIB) that have transfers, newest first, for the report index."""
    first = Transfer.objects.filter(kelurahan=kelurahan).order_by("created_at").first()
    if first is None:
        return []
    current = timezone.localtime(first.created_at, WIB).date().replace(day=1)
    today = timezone.localtime(timezone.now(), WIB).date().replace(day=1)
    months = []
    while current <= today:
        months.append((current.year, current.month))
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return list(reversed(months))


def donation_kind_counts(*, kelurahan: Kelurahan) -> dict[str, int]:
    """Confirmed donations by kind (money, in kind) and by CSR vs individuals."""
    confirmed = Donation.objects.filter(kelurahan=kelurahan, status=DonationStatus.CONFIRMED)
    return {
        "money": confirmed.filter(kind=DonationKind.MONEY).count(),
        "in_kind": confirmed.filter(kind=DonationKind.IN_KIND).count(),
        "csr": confirmed.filter(donor_organisation__isnull=False).count(),
    }


def disbursements_waiting(*, kelurahan: Kelurahan) -> int:
    """How many payments wait for approval or payment."""
    return Disbursement.objects.filter(
        kelurahan=kelurahan,
        status__in=[DisbursementStatus.REQUESTED, DisbursementStatus.APPROVED],
    ).count()
