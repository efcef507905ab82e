"""Payout accounts (bank numbers encrypted), disbursements and their approvals."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gotong.core.crypto import CiphertextField
from gotong.core.models import BaseModel
from gotong.territory.models import Kelurahan

from ._common import Category
from .ledger import Account, Transfer
from .vouchers import VoucherMerchant


class PayoutAccountStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a second officer")
    ACTIVE = "active", _("In use")
    REPLACED = "replaced", _("Replaced")
    REJECTED = "rejected", _("Rejected")


class PayoutAccount(BaseModel):
    """A beneficiary's bank account for cash aid (Tier 2, encrypted); changes need two officers."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    bank_name = models.CharField(_("bank"), max_length=60)
    account_number_ciphertext = CiphertextField(context="funds.payout.account_number")
    account_last4 = models.CharField(max_length=4)
    status = models.CharField(
        max_length=10, choices=PayoutAccountStatus.choices, default=PayoutAccountStatus.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="active"),
                name="funds_one_active_payout_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank_name} …{self.account_last4}"


class DisbursementKind(models.TextChoices):
    CASH_AID = "cash_aid", _("Cash aid to a beneficiary's bank account")
    SUPPLIER = "supplier", _("Payment for goods or services for an activity")
    UMKM_SETTLEMENT = "settlement", _("Settling a UMKM's vouchers")
    COURIER = "courier", _("Paying a courier's delivery share")


class DisbursementStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for two approvals")
    APPROVED = "approved", _("Approved, waiting for payment")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


class Disbursement(BaseModel):
    """Money going out: requested, approved by two other officers, paid with evidence."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=DisbursementKind.choices)
    source_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    pay_from = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(_("amount (Rp)"))
    purpose = models.CharField(_("purpose"), max_length=200)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    activity_id = models.PositiveIntegerField(null=True, blank=True)
    payout_account = models.ForeignKey(
        PayoutAccount, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    merchant = models.ForeignKey(
        VoucherMerchant, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    supplier = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The market courier paid (kind "courier"): the id of a ``market.Courier``, kept as a
    # plain reference (the market depends on funds, not the reverse) and shown as
    # "Courier #id", never the courier's name.
    courier_id = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=DisbursementStatus.choices, default=DisbursementStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    receipt_code = models.CharField(_("proof of payment"), max_length=16, blank=True)
    transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="disbursement"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="funds_disbursement_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(kind="courier") | Q(courier_id__isnull=True),
                name="funds_disbursement_courier_only_for_couriers",
            ),
        ]

    def __str__(self) -> str:
        return f"P-{self.pk}"


class Approval(models.Model):
    """One officer's approval of a disbursement (two different officers are needed)."""

    disbursement = models.ForeignKey(
        Disbursement, on_delete=models.CASCADE, related_name="approvals"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=20)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["disbursement", "officer"], name="funds_approval_once_per_officer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.disbursement_id}: {self.officer_id}"
