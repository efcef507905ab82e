"""The market's one way into funds (as Saleor's ``payment/gateway.py`` is checkout's one
way into payments): every funds service ``gotong/market`` calls is defined or re-exported
here, so what the market may do to the ledger is read in one place.

The market moves its money through these: buyers' payments go into the market clearing
account (QRIS confirmed by the treasurer into the bank, cash at the door, an aid voucher,
an aid fund or campaign for a need), the cycle's settlement pays each UMKM's payable, the
couriers and the operational fund out of it, and what a closing refunds goes back to where
it came from. The market services check the permissions of each step; these keep the
funds rules (vouchers, earmarks, balances). Statement lines the market paid are matched
through the hook ``statement_matcher_register`` (registered in ``MarketConfig.ready``).
Import as ``from gotong.funds.services import market_port as funds``.
"""

from gotong.funds.codes import VOUCHER_CODE_ALPHABET
from gotong.funds.hooks import statement_matcher_register, statement_matchers

from ._common import amount_clean
from .campaigns import earmark_check
from .disbursements import (
    courier_payout_request,
    disbursement_approve,
    disbursement_pay,
    disbursement_request,
)
from .donations import donation_create
from .ledger import market_accounts, transfer_internal, transfer_post, transfer_replayed
from .profile import funds_profile_set, qris_payload_for, qris_svg
from .statements import statement_import
from .voucher_codes import VOUCHER_WRONG_CODES_PER_BUYER_PER_HOUR, voucher_code_guard
from .vouchers import umkm_payable_ensure, voucher_issue, voucher_market_pay, voucher_market_refund

__all__ = [
    # Ledger: the market's accounts, and transfers in and out of its clearing account.
    "amount_clean",
    "market_accounts",
    "transfer_internal",
    "transfer_post",
    "transfer_replayed",
    "earmark_check",
    # Paying: QRIS for an order, an aid voucher (with the buyer's wrong-code limit).
    "qris_payload_for",
    "qris_svg",
    "voucher_code_guard",
    "voucher_market_pay",
    "voucher_market_refund",
    "VOUCHER_WRONG_CODES_PER_BUYER_PER_HOUR",
    # Settlement: UMKM payables and courier payouts, approved and paid as disbursements.
    "umkm_payable_ensure",
    "disbursement_request",
    "courier_payout_request",
    "disbursement_approve",
    "disbursement_pay",
    # Bank statements: the market's matcher of lines no donation matched.
    "statement_matcher_register",
    "statement_matchers",
    "statement_import",
    # Set-up the market's demo and tests use: aid vouchers, donations, the static QRIS.
    "VOUCHER_CODE_ALPHABET",
    "voucher_issue",
    "donation_create",
    "funds_profile_set",
]
