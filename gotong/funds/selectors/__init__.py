"""Funds reads, always for one kelurahan, one module per subject; every public name is
re-exported here. Selectors never import services.

- ``ledger``: ``account_balance`` (derived from postings), ``account_list`` / ``account_get`` /
  ``account_of_kind`` (reads only: a missing fixed account is NotFound), transfers,
  ``ledger_reconcile``, ``funds_summary`` (the dashboard's public totals).
- ``goods``: ``goods_summary``, lots, movements and stock-count differences.
- ``campaigns``: ``campaign_list`` / ``campaign_get``, ``campaign_summaries``,
  ``campaign_report``; matching pledges.
- ``donations``: ``donation_get`` (by id or reference), ``donation_queue``,
  ``donation_with_receipt``, a donor's donations and ``donor_report``.
- ``statements``: statement imports and ``statement_other_matches``.
- ``vouchers``: merchants, redemptions, vouchers, ``voucher_get_by_code``.
- ``disbursements``: disbursements and payout accounts.
- ``callbacks``: callbacks to recipients.
- ``spending``: ``spent_totals`` (the one definition of "spent", per campaign and outside
  any), ``spending_transfers``, ``spend_lines``, ``campaign_spending_page``.
- ``reports``: ``monthly_report``, ``report_months``, ``month_bounds`` and counts.
"""

from .callbacks import (
    callback_get,
    callback_list,
)
from .campaigns import (
    CampaignReport,
    CampaignSummary,
    campaign_get,
    campaign_list,
    campaign_report,
    campaign_summaries,
    pledge_get,
    pledge_list,
)
from .disbursements import (
    disbursement_get,
    disbursement_list,
    payout_account_get,
    payout_account_list,
)
from .donations import (
    DonorTrail,
    donation_get,
    donation_get_by_reference,
    donation_list_for_user,
    donation_queue,
    donation_with_receipt,
    donor_report,
)
from .goods import (
    GoodsLine,
    goods_discrepancies,
    goods_get,
    goods_list,
    goods_movements,
    goods_summary,
)
from .ledger import (
    FundsSummary,
    Reconciliation,
    TransferDetail,
    account_balance,
    account_get,
    account_list,
    account_of_kind,
    funds_summary,
    ledger_reconcile,
    transfer_detail,
    transfer_get,
    transfer_list,
    transfer_reversals,
)
from .reports import (
    MonthlyReport,
    ReportLine,
    disbursements_waiting,
    donation_kind_counts,
    month_bounds,
    monthly_report,
    report_months,
)
from .spending import (
    SpendLine,
    SpentTotals,
    campaign_spending_page,
    spend_lines,
    spending_transfers,
    spent_totals,
)
from .statements import (
    statement_get,
    statement_list,
    statement_other_matches,
)
from .vouchers import (
    merchant_get,
    merchant_list,
    redemption_list_for_merchant,
    voucher_counts,
    voucher_get_by_code,
    voucher_list,
)

__all__ = [
    "CampaignReport",
    "CampaignSummary",
    "DonorTrail",
    "FundsSummary",
    "GoodsLine",
    "MonthlyReport",
    "Reconciliation",
    "ReportLine",
    "SpendLine",
    "SpentTotals",
    "TransferDetail",
    "account_balance",
    "account_get",
    "account_list",
    "account_of_kind",
    "callback_get",
    "callback_list",
    "campaign_get",
    "campaign_list",
    "campaign_report",
    "campaign_spending_page",
    "campaign_summaries",
    "disbursement_get",
    "disbursement_list",
    "disbursements_waiting",
    "donation_get",
    "donation_get_by_reference",
    "donation_kind_counts",
    "donation_list_for_user",
    "donation_queue",
    "donation_with_receipt",
    "donor_report",
    "funds_summary",
    "goods_discrepancies",
    "goods_get",
    "goods_list",
    "goods_movements",
    "goods_summary",
    "ledger_reconcile",
    "merchant_get",
    "merchant_list",
    "month_bounds",
    "monthly_report",
    "payout_account_get",
    "payout_account_list",
    "pledge_get",
    "pledge_list",
    "redemption_list_for_merchant",
    "report_months",
    "spend_lines",
    "spending_transfers",
    "spent_totals",
    "statement_get",
    "statement_list",
    "statement_other_matches",
    "transfer_detail",
    "transfer_get",
    "transfer_list",
    "transfer_reversals",
    "voucher_counts",
    "voucher_get_by_code",
    "voucher_list",
]
