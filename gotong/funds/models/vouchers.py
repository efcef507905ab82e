"""Vouchers, the UMKM that take them, redemptions and wrong-code counts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gotong.core.models import BaseModel
from gotong.territory.models import RT, Kelurahan

from ._common import Category
from .campaigns import Campaign
from .ledger import Account, Transfer


class VoucherStatus(models.TextChoices):
    ACTIVE = "active", _("Can be used")
    REDEEMED = "redeemed", _("Used")
    EXPIRED = "expired", _("Expired")


class Voucher(BaseModel):
    """Aid as a coupon of a value and category, redeemable at an enrolled UMKM.

    Only an HMAC of the code is stored; the code is shown once when issued. The voucher
    names a household or only the RT that hands it out (anonymous).
    """

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)
    code_hint = models.CharField(max_length=4, help_text="last characters, for people")
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    value = models.BigIntegerField(_("value (Rp)"))
    remaining = models.BigIntegerField(_("remaining (Rp)"))
    allow_partial = models.BooleanField(_("may be used in parts"), default=False)
    source_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="vouchers"
    )
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rt = models.ForeignKey(RT, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=VoucherStatus.choices, default=VoucherStatus.ACTIVE
    )
    expires_at = models.DateTimeField(_("expires at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    issue_transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="+")
    expire_transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        ordering = ["pk"]
        indexes = [models.Index(fields=["kelurahan", "status", "expires_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="funds_voucher_value_positive"),
            models.CheckConstraint(
                condition=Q(remaining__gte=0, remaining__lte=models.F("value")),
                name="funds_voucher_remaining_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Voucher …{self.code_hint}"


class VoucherMerchant(BaseModel):
    """A UMKM enrolled to accept vouchers of some categories; its payable account."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    organisation = models.OneToOneField(
        "registry.Organisation", on_delete=models.PROTECT, related_name="voucher_merchant"
    )
    categories = models.JSONField(default=list)
    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="merchant")
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Merchant #{self.organisation_id}"


class Redemption(models.Model):
    """A voucher used (in full or in part) at a UMKM."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="redemptions")
    # At one UMKM, or (``market_order_id``) for a market order that pays several UMKM
    # through the cycle's settlement.
    merchant = models.ForeignKey(
        VoucherMerchant, on_delete=models.PROTECT, null=True, blank=True, related_name="redemptions"
    )
    market_order_id = models.PositiveIntegerField(null=True, blank=True)
    amount = models.BigIntegerField()
    transfer = models.OneToOneField(Transfer, on_delete=models.PROTECT, related_name="redemption")
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.voucher_id}: {self.amount}"


class VoucherCodeFailure(models.Model):
    """A typed or scanned voucher code that matched no voucher (or a QR whose signature
    failed): one row per wrong code, counted to rate-limit code guessing per UMKM, per
    buyer and per IP address (``services.voucher_wrong_codes_check``,
    ``services.voucher_code_guard``). A row names the UMKM (at its redemption page) or
    the buyer (at ordering in the market), never the code typed; rows older than a day
    are deleted by ``manage.py funds_daily``."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.CASCADE, related_name="+")
    merchant = models.ForeignKey(
        VoucherMerchant, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("wrong voucher code")
        verbose_name_plural = _("wrong voucher codes")
        indexes = [
            models.Index(fields=["merchant", "at"], name="funds_vcf_merchant_at"),
            models.Index(fields=["user", "at"], name="funds_vcf_user_at"),
            models.Index(fields=["ip", "at"], name="funds_vcf_ip_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(merchant__isnull=True) | Q(user__isnull=True),
                name="funds_vcf_umkm_or_buyer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.ip or '-'}"
