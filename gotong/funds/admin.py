"""Read-only admin for the funds ledger and what feeds it.

The ledger is append-only (database triggers refuse UPDATE and DELETE on transfers and
postings): here nothing can be added, changed or deleted. Money moves only through the
services (``transfer_post``, ``transfer_reverse``, ...), which check roles, write the
public log and keep the balances. Campaigns, donations, pledges and statement imports are
shown read-only too: their changes must go through the same services to stay in the log.
The wrong voucher codes (rate-limit counters, no code kept) are shown read-only as well:
``manage.py funds_daily`` deletes them after a day.
"""

from django.contrib import admin

from gotong.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Account,
    Campaign,
    Donation,
    MatchPledge,
    Posting,
    StatementImport,
    StatementLine,
    Transfer,
    VoucherCodeFailure,
)


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "balance", "kelurahan"]
    list_filter = ["kelurahan", "kind"]
    list_select_related = ["kelurahan"]
    search_fields = ["code", "name"]


class PostingInline(ReadOnlyInline):
    model = Posting
    fields = ["account", "amount", "created_at"]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "amount", "created_at", "kelurahan", "receipt_code"]
    list_filter = ["kelurahan", "kind"]
    list_select_related = ["kelurahan"]
    search_fields = ["memo", "receipt_code", "idempotency_key"]
    date_hierarchy = "created_at"
    inlines = [PostingInline]


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["title", "status", "target_amount", "starts_on", "ends_on", "kelurahan"]
    list_filter = ["kelurahan", "status", "earmark_kind"]
    list_select_related = ["kelurahan"]
    search_fields = ["title"]


@admin.register(Donation)
class DonationAdmin(ReadOnlyAdmin):
    list_display = ["payment_reference", "amount", "kind", "channel", "status", "created_at"]
    list_filter = ["kelurahan", "status", "kind", "channel"]
    search_fields = ["payment_reference"]


@admin.register(MatchPledge)
class MatchPledgeAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "sponsor", "campaign", "cap", "matched_total", "is_active"]
    list_filter = ["kelurahan", "is_active"]
    list_select_related = ["sponsor", "campaign"]


class StatementLineInline(ReadOnlyInline):
    model = StatementLine
    fields = ["row", "booked_on", "amount", "description", "bank_reference", "donation"]


@admin.register(StatementImport)
class StatementImportAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "lines_total", "lines_matched", "created_at", "kelurahan"]
    list_filter = ["kelurahan"]
    inlines = [StatementLineInline]


@admin.register(VoucherCodeFailure)
class VoucherCodeFailureAdmin(ReadOnlyAdmin):
    list_display = ["at", "kelurahan", "merchant", "user", "ip"]
    list_filter = ["kelurahan"]
    list_select_related = ["kelurahan", "merchant__organisation", "user"]
    date_hierarchy = "at"
