"""What counts as "spent": one definition for the kelurahan's total and every campaign's
figure, and the spending lines a campaign page lists. Always for one kelurahan.

Spent is money that left the aid sources (aid fund, campaigns, earmarks) and reached
the people helped, net of what came back:

- ``spend`` counts: cash aid, supplier payments and market aid orders paid from an aid
  source.
- ``voucher_redeem`` counts: a voucher's value reached a UMKM (at its till or through a
  market order). Issuing a voucher only moves money to "vouchers outstanding" (shown as
  its own figure) and an expired voucher's value returns, so neither counts; the later
  ``settlement`` pays the UMKM what it is already owed, so counting it would count the
  same rupiah twice.
- ``market_refund`` subtracts when it gives value back to an aid source or to a voucher
  (a QRIS refund to the bank was never aid).
- A ``reversal`` of any of these subtracts (or adds back) what it mirrors, counted in the
  period it is made, as every public figure nets reversals.
- Goods handed out (``goods_out``) are declared value, not money: shown as their own
  figure (``goods_value_out``), not in "spent".

Every spending transfer names its campaign when its money came from one, so the
kelurahan's figure is the sum of the campaigns' figures plus what the aid fund spent
outside any campaign.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from gotong.funds.models import (
    AID_SOURCES,
    SPENT_KINDS,
    AccountKind,
    Campaign,
    Posting,
    Transfer,
    TransferKind,
)
from gotong.territory.models import Kelurahan
from gotong.transparency import selectors as transparency_selectors

# A market refund credited to one of these gives spent value back.
_RETURNED_TO = (*AID_SOURCES, AccountKind.VOUCHER_LIABILITY)
SPENDING_PAGE_SIZE = 20


def _returns_aid(transfer_ref: str) -> Exists:
    """The transfer named by ``transfer_ref`` credits an aid source or the vouchers."""
    return Exists(
        Posting.objects.filter(
            transfer_id=OuterRef(transfer_ref), amount__lt=0, account__kind__in=_RETURNED_TO
        )
    )


def _counted(prefix: str = "") -> Q:
    """Transfers (or, with ``prefix="reverses__"``, reversals of transfers) that count."""
    return Q(**{f"{prefix}kind__in": SPENT_KINDS}) | Q(
        **{f"{prefix}kind": TransferKind.MARKET_REFUND, "returns_aid": True}
    )


def _sign(kind: str) -> int:
    return -1 if kind == TransferKind.MARKET_REFUND else 1


@dataclass(frozen=True)
class SpentTotals:
    """Rupiah spent in a period: per campaign, outside any campaign, and in all."""

    by_campaign: dict[int, int] = field(default_factory=dict)
    outside_campaigns: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_campaign.values()) + self.outside_campaigns

    def of(self, campaign: Campaign) -> int:
        return self.by_campaign.get(campaign.pk, 0)


def spent_totals(
    *, kelurahan: Kelurahan, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> SpentTotals:
    """Money spent on aid in a period (default: all time), per campaign and outside any
    campaign, net of refunds and reversals (2 queries)."""
    transfers = Transfer.objects.filter(kelurahan=kelurahan)
    if start is not None:
        transfers = transfers.filter(created_at__gte=start)
    if end is not None:
        transfers = transfers.filter(created_at__lt=end)
    per: dict[int | None, int] = defaultdict(int)
    for row in (
        transfers.annotate(returns_aid=_returns_aid("pk"))
        .filter(_counted())
        .values("campaign_id", "kind")
        .annotate(t=Sum("amount"))
    ):
        per[row["campaign_id"]] += _sign(row["kind"]) * int(row["t"])
    for row in (
        transfers.filter(kind=TransferKind.REVERSAL)
        .annotate(returns_aid=_returns_aid("reverses_id"))
        .filter(_counted("reverses__"))
        .values("campaign_id", "reverses__kind")
        .annotate(t=Sum("amount"))
    ):
        per[row["campaign_id"]] -= _sign(row["reverses__kind"]) * int(row["t"])
    return SpentTotals(
        by_campaign={pk: amount for pk, amount in per.items() if pk is not None},
        outside_campaigns=per.get(None, 0),
    )


def spending_transfers(*, kelurahan: Kelurahan, campaign: Campaign | None) -> QuerySet[Transfer]:
    """The transfers counted as spent from one campaign (``None``: outside any campaign),
    newest first; a reversed transfer and its reversal are left out (they cancel)."""
    return (
        Transfer.objects.filter(kelurahan=kelurahan, campaign=campaign, reversed_by__isnull=True)
        .annotate(returns_aid=_returns_aid("pk"))
        .filter(_counted())
        .select_related("disbursement", "redemption__voucher")
        .order_by("-created_at", "-pk")
    )


@dataclass
class SpendLine:
    """One public spending line: never a name, a memo or a typed purpose."""

    at: dt.datetime
    kind: str
    amount: int  # negative when value came back (a refund)
    activity_id: int | None
    receipt_code: str
    transfer_id: int
    purpose: str = ""  # the disbursement's or the transfer's kind, in the reader's language
    category: str = ""  # the aid category label, when the transfer has one
    log_index: int | None = None  # the transfer's entry in the public log


def _purpose(transfer: Transfer) -> tuple[str, str]:
    """The purpose and category labels of a spending transfer, from its kind only."""
    disbursement = getattr(transfer, "disbursement", None)
    if disbursement is not None:
        return disbursement.get_kind_display(), disbursement.get_category_display()
    redemption = getattr(transfer, "redemption", None)
    if redemption is not None:
        return transfer.get_kind_display(), redemption.voucher.get_category_display()
    return transfer.get_kind_display(), ""


def spend_lines(*, kelurahan: Kelurahan, transfers: Iterable[Transfer]) -> list[SpendLine]:
    """Spending lines for the given transfers of ``spending_transfers``, with their
    purpose label and public log entry (1 query for the log)."""
    transfers = list(transfers)
    indexes = transparency_selectors.entry_indexes_for_subjects(
        kelurahan=kelurahan,
        entry_type="funds.transfer",
        subjects=[f"transfer:{t.pk}" for t in transfers],
    )
    lines = []
    for t in transfers:
        purpose, category = _purpose(t)
        lines.append(
            SpendLine(
                at=t.created_at,
                kind=t.kind,
                amount=_sign(t.kind) * t.amount,
                activity_id=t.activity_id,
                receipt_code=t.receipt_code,
                transfer_id=t.pk,
                purpose=str(purpose),
                category=str(category),
                log_index=indexes.get(f"transfer:{t.pk}"),
            )
        )
    return lines


def campaign_spending_page(
    *, campaign: Campaign, page: str | int | None, per_page: int = SPENDING_PAGE_SIZE
) -> tuple[Page[Transfer], list[SpendLine]]:
    """One page of a campaign's spending lines, newest first, and the page itself for the
    pager (an out-of-range or bad page number gives the nearest page)."""
    kelurahan = campaign.kelurahan
    found = Paginator(
        spending_transfers(kelurahan=kelurahan, campaign=campaign), per_page
    ).get_page(page)
    return found, spend_lines(kelurahan=kelurahan, transfers=found.object_list)
