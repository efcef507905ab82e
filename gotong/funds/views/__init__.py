"""Funds pages, one module per subject (urls.py names each view by its module).

- ``public``: campaigns, paying a donation, the donor's own trail.
- ``reports``: the monthly financial report (page and PDF).
- ``vouchers``: the UMKM's redemption, issuing and listing vouchers, the voucher card,
  UMKM enrolment and settlement.
- ``treasury``: the treasurer's hub, campaigns and pledges, money in, bank statements,
  the ledger with reversals.
- ``aid``: goods store, payout accounts, disbursements, call-backs.
- ``_common``: the officers' page gate and small helpers; the refusal page, the gate and
  form errors come from ``gotong.ui.pages``.
"""
