"""Funds: a double-entry ledger per kelurahan, campaigns, donations, matching pledges,
vouchers, in-kind goods and disbursements.

One module per subject (``ledger``, ``campaigns``, ``statements``, ``vouchers``,
``goods``, ``payouts``, ``callbacks``, ``profile``); this package re-exports every public
name, so ``from gotong.funds.models import X`` is the way in. Money is integer rupiah;
see ``ledger`` for the posting rules.
"""

from ._common import Category
from .callbacks import (
    Callback,
    CallbackStatus,
)
from .campaigns import (
    Campaign,
    CampaignStatus,
    Channel,
    Donation,
    DonationKind,
    DonationStatus,
    DonationTarget,
    EarmarkKind,
    Match,
    MatchPledge,
    OwnerKind,
)
from .goods import (
    GoodsItem,
    GoodsMovement,
    GoodsMovementKind,
)
from .ledger import (
    AID_SOURCES,
    DEBIT_NORMAL,
    MAY_GO_NEGATIVE,
    REVERSIBLE_KINDS,
    SINGLETON_KINDS,
    SPENT_KINDS,
    Account,
    AccountKind,
    Posting,
    Transfer,
    TransferKind,
)
from .payouts import (
    Approval,
    Disbursement,
    DisbursementKind,
    DisbursementStatus,
    PayoutAccount,
    PayoutAccountStatus,
)
from .profile import (
    FundsProfile,
)
from .statements import (
    StatementImport,
    StatementLine,
)
from .vouchers import (
    Redemption,
    Voucher,
    VoucherCodeFailure,
    VoucherMerchant,
    VoucherStatus,
)

__all__ = [
    "AID_SOURCES",
    "Account",
    "AccountKind",
    "Approval",
    "Callback",
    "CallbackStatus",
    "Campaign",
    "CampaignStatus",
    "Category",
    "Channel",
    "DEBIT_NORMAL",
    "Disbursement",
    "DisbursementKind",
    "DisbursementStatus",
    "Donation",
    "DonationKind",
    "DonationStatus",
    "DonationTarget",
    "EarmarkKind",
    "FundsProfile",
    "GoodsItem",
    "GoodsMovement",
    "GoodsMovementKind",
    "MAY_GO_NEGATIVE",
    "Match",
    "MatchPledge",
    "OwnerKind",
    "PayoutAccount",
    "PayoutAccountStatus",
    "Posting",
    "REVERSIBLE_KINDS",
    "Redemption",
    "SINGLETON_KINDS",
    "SPENT_KINDS",
    "StatementImport",
    "StatementLine",
    "Transfer",
    "TransferKind",
    "Voucher",
    "VoucherCodeFailure",
    "VoucherMerchant",
    "VoucherStatus",
]
