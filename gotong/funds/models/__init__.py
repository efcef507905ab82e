"""Funds: a double-entry ledger per kelurahan, campaigns, donations, matching pledges,
vouchers, in-kind goods and disbursements.

Money is integer rupiah. A ``Transfer`` is made of ``Posting`` rows whose amounts sum to
zero (debit positive, credit negative); both tables are append-only (database triggers,
``db.py``). ``Account.balance`` is the running natural balance kept in the same
transaction as the postings (credit-normal accounts count credits as positive); it is a
cache of the postings, checked by ``selectors.ledger_reconcile``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gotong.core.crypto import CiphertextField
from gotong.core.models import BaseModel
from gotong.territory.models import RT, RW, Kelurahan


class AccountKind(models.TextChoices):
    BANK = "bank", _("Bank account")
    CASH = "cash", _("Cash box")
    IN_KIND = "in_kind", _("Goods store (declared value)")
    AID_FUND = "aid_fund", _("Aid fund")
    OPERATIONAL_FUND = "operational_fund", _("Operational fund")
    CAMPAIGN = "campaign", _("Campaign")
    EARMARK = "earmark", _("Earmarked campaign")
    MATCH_POOL = "match_pool", _("Matching pledge")
    VOUCHER_LIABILITY = "voucher_liability", _("Vouchers outstanding")
    UMKM_PAYABLE = "umkm_payable", _("Owed to a UMKM")
    STOCK_ADJUSTMENT = "stock_adjustment", _("Stock count differences")
    MARKET_CLEARING = "market_clearing", _("Market payments held until settlement")
    COURIER_PAYABLE = "courier_payable", _("Owed to the market couriers")


# Assets hold debit balances; funds and liabilities hold credit balances.
DEBIT_NORMAL = frozenset({AccountKind.BANK, AccountKind.CASH, AccountKind.IN_KIND})
# Only the stock adjustment account may go either way (gains and losses of goods).
MAY_GO_NEGATIVE = frozenset({AccountKind.STOCK_ADJUSTMENT})
# Accounts whose value may pay for aid (campaigns, earmarks, the aid fund).
AID_SOURCES = frozenset({AccountKind.AID_FUND, AccountKind.CAMPAIGN, AccountKind.EARMARK})
# One of each per kelurahan.
SINGLETON_KINDS = (
    AccountKind.BANK,
    AccountKind.CASH,
    AccountKind.IN_KIND,
    AccountKind.AID_FUND,
    AccountKind.OPERATIONAL_FUND,
    AccountKind.VOUCHER_LIABILITY,
    AccountKind.STOCK_ADJUSTMENT,
)


class Account(models.Model):
    """A ledger account of one kelurahan; its balance is derived from its postings."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=AccountKind.choices)
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=150)
    debit_normal = models.BooleanField(default=False, editable=False)
    may_go_negative = models.BooleanField(default=False, editable=False)
    # Natural balance (credits positive on credit-normal accounts), kept with the postings.
    balance = models.BigIntegerField(default=0, editable=False)
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["kelurahan", "code"], name="funds_account_code_unique"),
            models.CheckConstraint(
                condition=Q(may_go_negative=True) | Q(balance__gte=0),
                name="funds_account_balance_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TransferKind(models.TextChoices):
    DONATION = "donation", _("Donation received")
    MATCH = "match", _("Matched by a sponsor")
    SPEND = "spend", _("Spent on aid")
    VOUCHER_ISSUE = "voucher_issue", _("Vouchers issued")
    VOUCHER_REDEEM = "voucher_redeem", _("Voucher redeemed at a UMKM")
    VOUCHER_EXPIRE = "voucher_expire", _("Voucher expired, value returned")
    SETTLEMENT = "settlement", _("UMKM or courier paid")
    GOODS_IN = "goods_in", _("Goods received")
    GOODS_OUT = "goods_out", _("Goods handed out")
    STOCK_COUNT = "stock_count", _("Stock count difference")
    INTERNAL = "internal", _("Internal transfer")
    REVERSAL = "reversal", _("Correction (reversal)")
    MARKET_PAYMENT = "market_payment", _("Market order paid")
    MARKET_SETTLEMENT = "market_settlement", _("Market cycle settled")
    MARKET_REFUND = "market_refund", _("Market order refunded")


# Kinds the treasurer may correct with ``transfer_reverse`` (the others have their own steps).
REVERSIBLE_KINDS = (TransferKind.DONATION, TransferKind.MATCH, TransferKind.INTERNAL)

# What counts as "spent" in public reports.
SPENT_KINDS = (TransferKind.SPEND, TransferKind.VOUCHER_REDEEM, TransferKind.GOODS_OUT)


class Transfer(models.Model):
    """A movement of value: postings that sum to zero. Never changed; corrected by a reversal."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=TransferKind.choices)
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    amount = models.BigIntegerField(_("amount"), help_text=_("Sum of the debits."))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    request_hash = models.CharField(max_length=64, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    campaign = models.ForeignKey(
        "Campaign", on_delete=models.PROTECT, null=True, blank=True, related_name="transfers"
    )
    activity_id = models.PositiveIntegerField(null=True, blank=True)
    receipt_code = models.CharField(_("receipt"), max_length=16, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["pk"]
        indexes = [models.Index(fields=["kelurahan", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["kelurahan", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="funds_transfer_idempotency_unique",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="funds_transfer_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"T-{self.pk}"


class Posting(models.Model):
    """One line of a transfer: debit (positive) or credit (negative) of one account."""

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount = models.BigIntegerField(_("amount"))
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        ordering = ["pk"]
        indexes = [models.Index(fields=["account", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="funds_posting_amount_nonzero")
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount}"


class Category(models.TextChoices):
    SEMBAKO = "sembako", _("Staple food (sembako)")
    POSYANDU = "posyandu", _("Posyandu / child health")
    HEALTH = "kesehatan", _("Health")
    EDUCATION = "pendidikan", _("Education")
    DISASTER = "bencana", _("Disaster relief")
    OTHER = "lainnya", _("Other")


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


class StatementImport(BaseModel):
    """One bank statement CSV, its matches and the lines it could not match."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=200)
    file_sha256 = models.CharField(max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    lines_total = models.PositiveIntegerField(default=0)
    lines_matched = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class StatementLine(models.Model):
    """An incoming bank transfer from a statement; matched to a pending donation or not."""

    statement = models.ForeignKey(StatementImport, on_delete=models.CASCADE, related_name="lines")
    row = models.PositiveIntegerField()
    booked_on = models.DateField()
    amount = models.BigIntegerField()
    description = models.CharField(max_length=300)
    bank_reference = models.CharField(max_length=60, blank=True)
    donation = models.ForeignKey(
        Donation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["statement_id", "row"]

    def __str__(self) -> str:
        return f"{self.row}: {self.amount}"


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


class GoodsItem(BaseModel):
    """A lot of in-kind goods in the kelurahan's store, valued at the donor's declared value."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("goods"), max_length=100)
    unit = models.CharField(_("unit"), max_length=20)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    quantity = models.PositiveIntegerField(_("in stock"))
    unit_value = models.BigIntegerField(_("declared value per unit (Rp)"))
    expires_on = models.DateField(_("best before"), null=True, blank=True)
    fund_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    donation = models.OneToOneField(
        Donation, on_delete=models.PROTECT, null=True, blank=True, related_name="goods_item"
    )

    class Meta:
        verbose_name = _("goods")
        verbose_name_plural = _("goods")
        ordering = ["expires_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_value__gte=0), name="funds_goods_value_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class GoodsMovementKind(models.TextChoices):
    IN = "in", _("Received")
    OUT = "out", _("Handed out")
    COUNT = "count", _("Stock count")


class GoodsMovement(models.Model):
    """Stock in, stock out to an activity, or a count with its discrepancy."""

    item = models.ForeignKey(GoodsItem, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=6, choices=GoodsMovementKind.choices)
    quantity = models.IntegerField(help_text="signed change of stock")
    counted = models.PositiveIntegerField(null=True, blank=True)
    expected = models.PositiveIntegerField(null=True, blank=True)
    activity_id = models.PositiveIntegerField(null=True, blank=True)
    receipt_code = models.CharField(max_length=16, blank=True)
    note = models.CharField(max_length=200, blank=True)
    transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="goods_movement"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity}"


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


class CallbackStatus(models.TextChoices):
    OPEN = "open", _("To call")
    CONFIRMED = "confirmed", _("Confirmed by the recipient")
    DISPUTED = "disputed", _("Recipient disputes it")
    UNREACHABLE = "unreachable", _("Could not be reached")


class Callback(BaseModel):
    """A sampled recipient to call back: did they receive what the ledger says?"""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    cycle = models.CharField(max_length=7, help_text="YYYY-MM")
    disbursement = models.ForeignKey(
        Disbursement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    voucher = models.ForeignKey(
        Voucher, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=CallbackStatus.choices, default="open")
    note = models.CharField(max_length=300, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.cycle} #{self.pk}"


class FundsProfile(BaseModel):
    """A kelurahan's payment details: its static merchant QRIS and its bank account label."""

    kelurahan = models.OneToOneField(Kelurahan, on_delete=models.PROTECT, related_name="+")
    qris_static_payload = models.TextField(_("static QRIS payload"), blank=True)
    bank_label = models.CharField(_("bank account shown to donors"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("funds profile")
        verbose_name_plural = _("funds profiles")


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
