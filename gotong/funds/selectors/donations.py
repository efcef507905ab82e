"""Donation reads: one donation, the treasurer's queue, a donor's own donations and their
trail. Always for one kelurahan."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gotong.core.exceptions import NotFound
from gotong.funds.models import (
    Donation,
    DonationStatus,
)
from gotong.territory.models import Kelurahan

from .campaigns import SpendLine, campaign_report, campaign_summaries


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
