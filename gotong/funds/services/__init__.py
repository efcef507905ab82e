"""Funds use-cases, one room (module) per group; every public name is re-exported here.

- ``ledger``: ``transfer_post``, the one way to move value: postings that sum to zero,
  atomic, with an idempotency key, a transparency entry, account rows locked in pk order
  and balances changed by conditional UPDATEs; ``transfer_replayed`` answers a replay;
  ``transfer_reverse`` corrects one by its mirror image; ``transfer_internal`` moves money
  between funds; ``accounts_ensure``: a kelurahan's fixed accounts (bank, cash, goods
  store, aid fund, operational fund, vouchers outstanding, stock differences), made when
  the kelurahan is created; ``market_accounts`` adds the market's clearing and couriers'
  accounts.
- ``campaigns``: ``campaign_create`` / ``campaign_close``: appeals with a target, period,
  owner and an optional earmark (an RW, a category or a named activity);
  ``earmark_check`` refuses spending outside it; ``pledge_create``: a sponsor matches
  small donations at a ratio up to a cap.
- ``donations``: ``donation_create``: a donor gives money (payment reference + QRIS) or
  goods; ``donation_record``: the treasurer records a bank transfer or cash with a receipt
  photo; ``donation_confirm``: the treasurer confirms, only then does it count (and
  pledges match it); ``donation_cancel``; ``donation_qris_payload``.
- ``statements``: ``statement_import``: a bank statement CSV matched by amount and
  reference; lines no donation matched go to the matchers other apps register with
  ``statement_matcher_register`` (``gotong.funds.hooks``).
- ``vouchers``: ``merchant_enrol``, ``voucher_issue``, ``voucher_redeem``,
  ``voucher_expire`` / ``vouchers_expire_due``: vouchers redeemable at UMKM without
  recipient data, value returned when they expire; a household's codes go out by message;
  ``voucher_market_pay`` / ``voucher_market_refund``: a voucher pays a market order (one
  ``_voucher_take`` spends a voucher for both); ``umkm_payable_ensure``: a market seller's
  payable; ``merchant_for_user``, ``voucher_code_new``, ``voucher_qr_payload``,
  ``voucher_card_url``.
- ``voucher_codes``: wrong codes are rate-limited per UMKM and IP
  (``voucher_wrong_codes_check``, ``VoucherCodeFailure`` rows pruned daily by
  ``voucher_code_failures_prune``); ``voucher_code_guard`` (or ``voucher_code_check`` /
  ``voucher_code_failed``): the same limit for a buyer typing a voucher code at market
  ordering, per user and per IP.
- ``goods``: ``goods_issue``, ``stock_count``: in-kind goods out to activities, counts with
  discrepancies.
- ``disbursements``: ``payout_account_propose`` / ``payout_account_approve``: a
  beneficiary's bank account, set by two officers (never the one who registered the
  beneficiary); ``disbursement_request`` / ``disbursement_approve`` /
  ``disbursement_reject`` / ``disbursement_pay``: money out with two approvals by other
  officers and proof of payment; ``courier_payout_request``: a market courier's share.
- ``callbacks``: ``callbacks_sample`` / ``callback_record``: a random sample of recipients
  called back.
- ``profile``: ``funds_profile_set``: the kelurahan's static QRIS and bank label;
  ``qris_payload_for``, ``qris_svg``.
- ``market_port``: the market's one way into funds (re-exports what gotong/market calls).
- ``_common``: private helpers the rooms share; ``amount_clean`` (a positive whole rupiah).
"""

# ``services.qris`` stays reachable as before (callers read ``qris.qris_check`` through it).
from gotong.funds import qris
from gotong.funds.codes import (
    VOUCHER_CODE_ALPHABET,
    VOUCHER_CODE_LENGTH,
    VOUCHER_SIGNING_SALT,
    voucher_code_hash,
)
from gotong.funds.hooks import (
    StatementMatch,
    StatementMatched,
    statement_matcher_register,
    statement_matchers,
)

from . import market_port
from ._common import (
    MAX_AMOUNT,
    amount_clean,
)
from .callbacks import (
    callback_record,
    callbacks_sample,
)
from .campaigns import (
    campaign_close,
    campaign_create,
    earmark_check,
    pledge_create,
)
from .disbursements import (
    APPROVALS_NEEDED,
    courier_payout_request,
    disbursement_approve,
    disbursement_pay,
    disbursement_reject,
    disbursement_request,
    payout_account_approve,
    payout_account_propose,
)
from .donations import (
    REFERENCE_ALPHABET,
    REFERENCE_RE,
    donation_cancel,
    donation_confirm,
    donation_create,
    donation_qris_payload,
    donation_record,
)
from .goods import (
    goods_issue,
    stock_count,
)
from .ledger import (
    accounts_ensure,
    market_accounts,
    transfer_internal,
    transfer_post,
    transfer_replayed,
    transfer_reverse,
)
from .profile import (
    funds_profile_set,
    qris_payload_for,
    qris_svg,
)
from .statements import (
    STATEMENT_COLUMNS,
    STATEMENT_MAX_BYTES,
    STATEMENT_MAX_ROWS,
    statement_import,
)
from .voucher_codes import (
    VOUCHER_WRONG_CODES_KEPT,
    VOUCHER_WRONG_CODES_PER_BUYER_PER_HOUR,
    VOUCHER_WRONG_CODES_PER_IP_PER_HOUR,
    VOUCHER_WRONG_CODES_PER_UMKM_PER_HOUR,
    VOUCHER_WRONG_CODES_WINDOW,
    voucher_code_check,
    voucher_code_failed,
    voucher_code_failures_prune,
    voucher_code_guard,
    voucher_code_is_wrong,
    voucher_wrong_code_record,
    voucher_wrong_codes_check,
)
from .vouchers import (
    merchant_enrol,
    merchant_for_user,
    umkm_payable_ensure,
    voucher_card_url,
    voucher_code_new,
    voucher_expire,
    voucher_issue,
    voucher_market_pay,
    voucher_market_refund,
    voucher_qr_payload,
    voucher_redeem,
    vouchers_expire_due,
)

__all__ = [
    "market_port",
    "APPROVALS_NEEDED",
    "MAX_AMOUNT",
    "REFERENCE_ALPHABET",
    "REFERENCE_RE",
    "STATEMENT_COLUMNS",
    "STATEMENT_MAX_BYTES",
    "STATEMENT_MAX_ROWS",
    "StatementMatch",
    "StatementMatched",
    "VOUCHER_CODE_ALPHABET",
    "VOUCHER_CODE_LENGTH",
    "VOUCHER_SIGNING_SALT",
    "VOUCHER_WRONG_CODES_KEPT",
    "VOUCHER_WRONG_CODES_PER_BUYER_PER_HOUR",
    "VOUCHER_WRONG_CODES_PER_IP_PER_HOUR",
    "VOUCHER_WRONG_CODES_PER_UMKM_PER_HOUR",
    "VOUCHER_WRONG_CODES_WINDOW",
    "accounts_ensure",
    "amount_clean",
    "callback_record",
    "callbacks_sample",
    "campaign_close",
    "campaign_create",
    "courier_payout_request",
    "disbursement_approve",
    "disbursement_pay",
    "disbursement_reject",
    "disbursement_request",
    "donation_cancel",
    "donation_confirm",
    "donation_create",
    "donation_qris_payload",
    "donation_record",
    "earmark_check",
    "funds_profile_set",
    "goods_issue",
    "market_accounts",
    "merchant_enrol",
    "merchant_for_user",
    "payout_account_approve",
    "payout_account_propose",
    "pledge_create",
    "qris",
    "qris_payload_for",
    "qris_svg",
    "statement_import",
    "statement_matcher_register",
    "statement_matchers",
    "stock_count",
    "transfer_internal",
    "transfer_post",
    "transfer_replayed",
    "transfer_reverse",
    "umkm_payable_ensure",
    "voucher_card_url",
    "voucher_code_check",
    "voucher_code_failed",
    "voucher_code_failures_prune",
    "voucher_code_guard",
    "voucher_code_hash",
    "voucher_code_is_wrong",
    "voucher_code_new",
    "voucher_expire",
    "voucher_issue",
    "voucher_market_pay",
    "voucher_market_refund",
    "voucher_qr_payload",
    "voucher_redeem",
    "voucher_wrong_code_record",
    "voucher_wrong_codes_check",
    "vouchers_expire_due",
]
