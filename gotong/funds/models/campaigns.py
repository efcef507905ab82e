"""Campaigns (with earmarks), donations and matching pledges."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gotong.core.models import BaseModel
from gotong.territory.models import RW, Kelurahan

from ._common import Category
from .ledger import Account, Transfer


class OwnerKind(models.TextChoices):
    KELURAHAN = "kelurahan", _("Kelurahan")
    RW = "rw", _("RW")
    COMMUNITY = "community", _("Community group")


class EarmarkKind(models.TextChoices):
    NONE = "", _("No earmark")
    RW = "rw", _("An RW")
    CATEGORY = "category", _("A category")
    ACTIVITY = "activity", _("A named activity")


class CampaignStatus(models.TextChoices):
    ACTIVE = "active", _("Open for donations")
    CLOSED = "closed", _("Closed")


class Campaign(BaseModel):
    """A public appeal for money or goods, with an optional earmark on what it may pay for."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=120)
    purpose = models.TextField(_("purpose"), max_length=1000)
    target_amount = models.BigIntegerField(_("target (Rp)"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    owner_kind = models.CharField(_("owner"), max_length=10, choices=OwnerKind.choices)
    owner_rw = models.ForeignKey(
        RW, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner_organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    earmark_kind = models.CharField(
        _("earmark"), max_length=10, choices=EarmarkKind.choices, blank=True, default=""
    )
    earmark_rw = models.ForeignKey(
        RW, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    earmark_category = models.CharField(
        _("earmarked category"), max_length=12, choices=Category.choices, blank=True
    )
    earmark_activity_id = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.ACTIVE
    )
    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="campaign")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_amount__gt=0), name="funds_campaign_target_positive"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="funds_campaign_period"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DonationTarget(models.TextChoices):
    CAMPAIGN = "campaign", _("A campaign")
    AID_FUND = "aid_fund", _("The kelurahan aid fund")
    OPERATIONAL = "operational", _("The operational fund")
    PLEDGE = "pledge", _("Funding a matching pledge")


class DonationKind(models.TextChoices):
    MONEY = "money", _("Money")
    IN_KIND = "in_kind", _("Goods (in kind)")


class Channel(models.TextChoices):
    QRIS = "qris", _("QRIS")
    BANK_TRANSFER = "bank", _("Bank transfer")
    CASH = "cash", _("Cash")
    GOODS = "goods", _("Goods handed in")


class DonationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for payment")
    RECORDED = "recorded", _("Payment recorded, waiting for the treasurer")
    CONFIRMED = "confirmed", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


class Donation(BaseModel):
    """A gift of money or goods; it counts only once the treasurer has confirmed it."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    target = models.CharField(max_length=12, choices=DonationTarget.choices)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="donations"
    )
    pledge = models.ForeignKey(
        "MatchPledge", on_delete=models.PROTECT, null=True, blank=True, related_name="fundings"
    )
    kind = models.CharField(max_length=8, choices=DonationKind.choices, default=DonationKind.MONEY)
    amount = models.BigIntegerField(_("amount (Rp)"))
    donor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    donor_organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    public_name = models.CharField(_("name shown publicly"), max_length=100, blank=True)
    is_anonymous = models.BooleanField(_("anonymous to the public"), default=False)
    # Goods (in kind): what, how many, declared value per unit, best before.
    goods_name = models.CharField(_("goods"), max_length=100, blank=True)
    goods_unit = models.CharField(_("unit"), max_length=20, blank=True)
    goods_quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    goods_category = models.CharField(max_length=12, choices=Category.choices, blank=True)
    goods_expires_on = models.DateField(_("best before"), null=True, blank=True)
    channel = models.CharField(max_length=6, choices=Channel.choices)
    payment_reference = models.CharField(_("payment reference"), max_length=16, unique=True)
    status = models.CharField(
        max_length=10, choices=DonationStatus.choices, default=DonationStatus.PENDING
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    receipt_code = models.CharField(_("receipt photo"), max_length=16, blank=True)
    # SHA-256 of the receipt photo's original bytes (as its evidence keeps it): one receipt
    # backs one donation that counts (a double tap cannot record it twice).
    receipt_sha256 = models.CharField(max_length=64, blank=True)
    statement_line = models.ForeignKey(
        "StatementLine", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="donation"
    )

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kelurahan", "status", "amount"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="funds_donation_amount_positive"
            ),
            models.CheckConstraint(
                condition=~Q(target="campaign") | Q(campaign__isnull=False),
                name="funds_donation_campaign_given",
            ),
            models.CheckConstraint(
                condition=~Q(target="pledge") | Q(pledge__isnull=False),
                name="funds_donation_pledge_given",
            ),
            models.UniqueConstraint(
                fields=["kelurahan", "receipt_sha256"],
                condition=~Q(receipt_sha256="") & ~Q(status="cancelled"),
                name="funds_donation_receipt_once",
            ),
        ]

    def __str__(self) -> str:
        return self.payment_reference


class MatchPledge(BaseModel):
    """A sponsor matches small donations to a campaign at a ratio, up to a cap."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    sponsor = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="pledges")
    # Rupiah matched per rupiah donated, as a fraction (1:1 is 1/1, 1:2 is 1/2).
    ratio_numerator = models.PositiveIntegerField(default=1)
    ratio_denominator = models.PositiveIntegerField(default=1)
    cap = models.BigIntegerField(_("cap (Rp)"))
    max_donation = models.BigIntegerField(_("only donations up to (Rp)"), null=True, blank=True)
    matched_total = models.BigIntegerField(default=0, editable=False)
    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="pledge")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("matching pledge")
        verbose_name_plural = _("matching pledges")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(cap__gt=0), name="funds_pledge_cap_positive"),
            models.CheckConstraint(
                condition=Q(matched_total__gte=0, matched_total__lte=models.F("cap")),
                name="funds_pledge_within_cap",
            ),
            models.CheckConstraint(
                condition=Q(ratio_numerator__gte=1, ratio_denominator__gte=1),
                name="funds_pledge_ratio_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Pledge #{self.pk}"


class Match(models.Model):
    """One matching transfer caused by one donation."""

    pledge = models.ForeignKey(MatchPledge, on_delete=models.PROTECT, related_name="matches")
    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="matches")
    amount = models.BigIntegerField()
    transfer = models.OneToOneField(Transfer, on_delete=models.PROTECT, related_name="match")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "donation"], name="funds_match_once"),
        ]

    def __str__(self) -> str:
        return f"Match {self.amount}"
