"""Permissions of the funds app (loaded by rules' autodiscovery).

The treasurer (``bendahara``, an officer role: password + TOTP) confirms money in, records
bank and cash receipts, imports statements and pays approved disbursements. Operators run
campaigns, goods, vouchers and payout accounts. Approvals need two officers other than
the requester (checked by the service).
"""

from gotong.accounts.models import Role
from gotong.accounts.permissions import ANY_USER, PUBLIC, permissions_declare, roles

OFFICERS = (Role.OPERATOR, Role.BENDAHARA, Role.LURAH, Role.ADMIN)

permissions_declare(
    {
        # Public: campaign pages, reports, QRIS codes of a donation reference.
        "funds.view_public": PUBLIC,
        # Any logged-in user gives and follows their own donations.
        "funds.donate": ANY_USER,
        # Campaigns: operators kelurahan-wide, RW heads for their RW.
        "funds.manage_campaigns": roles(Role.KETUA_RW, Role.OPERATOR, Role.ADMIN),
        # Money in: record, match statements, confirm (TOTP session).
        "funds.treasury": roles(Role.BENDAHARA, Role.ADMIN),
        # Ask for money out, issue vouchers, move goods, propose payout accounts.
        "funds.operate": roles(Role.OPERATOR, Role.BENDAHARA, Role.ADMIN),
        # Approve money out and payout-account changes (never one's own).
        "funds.approve": roles(*OFFICERS),
        # The ledger, every account and the callback list.
        "funds.view_ledger": roles(*OFFICERS, Role.AUDITOR, Role.KOMITE_ETIKA),
        # RT heads see the anonymous vouchers they hand out.
        "funds.vouchers_rt": roles(Role.KETUA_RT),
        # UMKM redeem vouchers and see what they are owed.
        "funds.redeem": roles(Role.UMKM),
    }
)
