"""The monthly financial report and the counts around it. Always for one kelurahan."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from gotong.core.timeutils import WIB
from gotong.funds.models import (
    Account,
    Disbursement,
    DisbursementStatus,
    Donation,
    DonationKind,
    DonationStatus,
    Posting,
    Transfer,
)
from gotong.territory.models import Kelurahan


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
