"""The double-entry ledger: accounts, transfers and their append-only postings.

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

from gotong.territory.models import Kelurahan


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

# Kinds whose amount counts as "spent" in public reports; refunds to aid and reversals are
# netted by ``selectors.spending.spent_totals``, the one place the figure is computed.
SPENT_KINDS = (TransferKind.SPEND, TransferKind.VOUCHER_REDEEM)


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
