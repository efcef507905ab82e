"""Campaign reads: lists, public summaries and a campaign's report; matching pledges.
Always for one kelurahan."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from gotong.core.exceptions import NotFound
from gotong.funds.models import (
    Campaign,
    CampaignStatus,
    Donation,
    DonationStatus,
    MatchPledge,
    Transfer,
    TransferKind,
)
from gotong.territory.models import Kelurahan

from .spending import SpendLine, spend_lines, spending_transfers, spent_totals

# Spending lines in a campaign's report (the API and the donor's trail; the page pages).
REPORT_SPEND_LINES = 200


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
    raised: int  # money donated, as the kelurahan's ``funds_summary.raised`` counts it
    matched: int
    spent: int
    balance: int
    donors: int
    goods_in: int = 0  # declared value of goods received (not money, not in ``raised``)
    goods_out: int = 0  # declared value of goods handed out (not money, not in ``spent``)

    @property
    def progress_percent(self) -> int:
        """Money and goods given towards the target (a goods appeal has a target too)."""
        given = self.raised + self.matched + self.goods_in
        return min(100, given * 100 // max(1, self.campaign.target_amount))


def campaign_summaries(*, kelurahan: Kelurahan, active_only: bool = False) -> list[CampaignSummary]:
    """Each campaign with money raised, matched, spent (``spent_totals``, the one definition
    the kelurahan's total uses too), goods received and handed out (declared value, kept
    apart from money as ``funds_summary`` keeps them) and its balance (5 queries)."""
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
    spent = spent_totals(kelurahan=kelurahan)
    donors = dict(
        Donation.objects.filter(kelurahan=kelurahan, status=DonationStatus.CONFIRMED)
        .values("campaign_id")
        .annotate(n=Count("pk"))
        .values_list("campaign_id", "n")
    )
    return [
        CampaignSummary(
            campaign=c,
            raised=per[(c.pk, TransferKind.DONATION)],
            matched=per[(c.pk, TransferKind.MATCH)],
            spent=spent.of(c),
            balance=c.account.balance,
            donors=donors.get(c.pk, 0),
            goods_in=per[(c.pk, TransferKind.GOODS_IN)],
            goods_out=per[(c.pk, TransferKind.GOODS_OUT)],
        )
        for c in campaigns
    ]


@dataclass
class CampaignReport:
    summary: CampaignSummary
    spending: list[SpendLine]
    donors_public: list[tuple[str, int, dt.datetime]]
    pledges: list[MatchPledge]


def campaign_report(*, campaign: Campaign) -> CampaignReport:
    """The public report of a campaign: money in, matched, spent (its newest spending
    lines with purpose and receipt), balance, named donors (anonymous ones unnamed),
    pledges; no personal data."""
    summary = next(
        s for s in campaign_summaries(kelurahan=campaign.kelurahan) if s.campaign.pk == campaign.pk
    )
    spending = spend_lines(
        kelurahan=campaign.kelurahan,
        transfers=spending_transfers(kelurahan=campaign.kelurahan, campaign=campaign)[
            :REPORT_SPEND_LINES
        ],
    )
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
