"""The transition tables of the funds lifecycles: campaign, donation, voucher, payout
account, disbursement, call-back (every status field of the ``funds/models/`` package).

Each allowed (from, to) pair names the permission the service that takes the step checks
(``None``: the platform takes it, never a person). Services check a step with
``*_step_check`` (the shared ``gotong.core.lifecycle.transition_check``) and make it with
a conditional UPDATE from the checked status (or under the row lock), so a concurrent step
fails instead of being taken twice; bulk steps filter on ``sources(table, target)``.

    campaign:     active -> closed (campaign_close)
    donation:     pending -> recorded (donation_record, statement_import)
                  pending -> cancelled (donation_cancel)
                  recorded -> confirmed (donation_confirm)
                  confirmed -> cancelled (transfer_reverse of its transfer)
    voucher:      active -> redeemed (voucher_redeem, voucher_market_pay: nothing left)
                  active -> expired (voucher_expire, the daily task)
                  redeemed -> active (voucher_market_refund, from the market port)
    payout:       pending -> active | rejected (payout_account_approve)
                  active -> replaced (the person's next account approved)
    disbursement: requested -> approved (the second approval)
                  requested | approved -> rejected (disbursement_reject)
                  approved -> paid (disbursement_pay)
    call-back:    open -> confirmed | disputed | unreachable (callback_record)

A spend that leaves value on a voucher keeps it ``active`` (not a step). Matching pledges,
statement imports, goods lots and matches have no status of their own. A reason (a
reversal's, a rejection's) is checked by the service that takes the step.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import TextChoices

from gotong.core.lifecycle import Transition, transition_check

from .models import (
    CallbackStatus,
    CampaignStatus,
    DisbursementStatus,
    DonationStatus,
    PayoutAccountStatus,
    VoucherStatus,
)

Table = Mapping[tuple[str, str], Transition]

CAMPAIGN_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (CampaignStatus.ACTIVE, CampaignStatus.CLOSED): Transition("funds.manage_campaigns"),
}

DONATION_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (DonationStatus.PENDING, DonationStatus.RECORDED): Transition("funds.treasury"),
    # The donor may withdraw their own unpaid donation without the permission.
    (DonationStatus.PENDING, DonationStatus.CANCELLED): Transition(
        "funds.treasury", coordinator_may=True
    ),
    (DonationStatus.RECORDED, DonationStatus.CONFIRMED): Transition("funds.treasury"),
    (DonationStatus.CONFIRMED, DonationStatus.CANCELLED): Transition("funds.treasury"),
}

VOUCHER_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (VoucherStatus.ACTIVE, VoucherStatus.REDEEMED): Transition("funds.redeem"),
    (VoucherStatus.ACTIVE, VoucherStatus.EXPIRED): Transition(None),
    (VoucherStatus.REDEEMED, VoucherStatus.ACTIVE): Transition(None),
}

PAYOUT_ACCOUNT_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (PayoutAccountStatus.PENDING, PayoutAccountStatus.ACTIVE): Transition("funds.approve"),
    (PayoutAccountStatus.PENDING, PayoutAccountStatus.REJECTED): Transition("funds.approve"),
    (PayoutAccountStatus.ACTIVE, PayoutAccountStatus.REPLACED): Transition("funds.approve"),
}

DISBURSEMENT_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (DisbursementStatus.REQUESTED, DisbursementStatus.APPROVED): Transition("funds.approve"),
    (DisbursementStatus.REQUESTED, DisbursementStatus.REJECTED): Transition("funds.approve"),
    (DisbursementStatus.APPROVED, DisbursementStatus.REJECTED): Transition("funds.approve"),
    (DisbursementStatus.APPROVED, DisbursementStatus.PAID): Transition("funds.treasury"),
}

CALLBACK_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (CallbackStatus.OPEN, outcome): Transition("funds.operate")
    for outcome in (
        CallbackStatus.CONFIRMED,
        CallbackStatus.DISPUTED,
        CallbackStatus.UNREACHABLE,
    )
}


@dataclass(frozen=True)
class Lifecycle:
    """A status enum, its table, where a row starts and where it ends."""

    statuses: type[TextChoices]
    table: Table
    initial: frozenset[str]
    terminal: frozenset[str]


LIFECYCLES: dict[str, Lifecycle] = {
    "campaign": Lifecycle(
        CampaignStatus,
        CAMPAIGN_TRANSITIONS,
        frozenset({CampaignStatus.ACTIVE}),
        frozenset({CampaignStatus.CLOSED}),
    ),
    "donation": Lifecycle(
        DonationStatus,
        DONATION_TRANSITIONS,
        frozenset({DonationStatus.PENDING}),
        frozenset({DonationStatus.CANCELLED}),
    ),
    "voucher": Lifecycle(
        VoucherStatus,
        VOUCHER_TRANSITIONS,
        frozenset({VoucherStatus.ACTIVE}),
        frozenset({VoucherStatus.EXPIRED}),
    ),
    "payout_account": Lifecycle(
        PayoutAccountStatus,
        PAYOUT_ACCOUNT_TRANSITIONS,
        frozenset({PayoutAccountStatus.PENDING}),
        frozenset({PayoutAccountStatus.REPLACED, PayoutAccountStatus.REJECTED}),
    ),
    "disbursement": Lifecycle(
        DisbursementStatus,
        DISBURSEMENT_TRANSITIONS,
        frozenset({DisbursementStatus.REQUESTED}),
        frozenset({DisbursementStatus.PAID, DisbursementStatus.REJECTED}),
    ),
    "callback": Lifecycle(
        CallbackStatus,
        CALLBACK_TRANSITIONS,
        frozenset({CallbackStatus.OPEN}),
        frozenset({CallbackStatus.CONFIRMED, CallbackStatus.DISPUTED, CallbackStatus.UNREACHABLE}),
    ),
}


def sources(table: Table, target: str) -> frozenset[str]:
    """The statuses the table lets move to ``target`` (for conditional UPDATEs)."""
    return frozenset(frm for (frm, to) in table if to == target)


def targets(table: Table, current: str) -> frozenset[str]:
    """The statuses the table lets ``current`` move to."""
    return frozenset(to for (frm, to) in table if frm == current)


def step_check(
    lifecycle: str, *, current: str, target: str, refused: Any, actor: Any = None
) -> Transition:
    """The rule for a step of the named lifecycle, or a Conflict worded by ``refused``
    (``%(current)s`` and ``%(target)s`` may appear in it)."""
    cycle = LIFECYCLES[lifecycle]
    rule, _reason = transition_check(
        table=cycle.table,
        statuses=cycle.statuses,
        current=current,
        target=target,
        reason="",
        actor=actor,
        refused=refused,
    )
    return rule


# What a status lets happen besides its own steps, named once for the services.
# A campaign takes donations until it is closed.
CAMPAIGN_TAKING_DONATIONS = sources(CAMPAIGN_TRANSITIONS, CampaignStatus.CLOSED)
# A donation is recorded (receipt or statement line) while it waits for payment.
DONATION_RECORDABLE = sources(DONATION_TRANSITIONS, DonationStatus.RECORDED)
# The donor or treasurer withdraws a donation only while it was never paid.
DONATION_WITHDRAWABLE = DONATION_RECORDABLE
# The treasurer confirms what was recorded.
DONATION_CONFIRMABLE = sources(DONATION_TRANSITIONS, DonationStatus.CONFIRMED)
# A voucher can be spent (in part or in full) and expires from the same status.
VOUCHER_SPENDABLE = sources(VOUCHER_TRANSITIONS, VoucherStatus.REDEEMED)
VOUCHER_EXPIRABLE = sources(VOUCHER_TRANSITIONS, VoucherStatus.EXPIRED)
# A market refund gives value back to a voucher that has not expired.
VOUCHER_REFILLABLE = sources(VOUCHER_TRANSITIONS, VoucherStatus.ACTIVE) | VOUCHER_SPENDABLE
# A bank account change is decided once, while it waits for the second officer.
PAYOUT_ACCOUNT_UNDECIDED = sources(PAYOUT_ACCOUNT_TRANSITIONS, PayoutAccountStatus.ACTIVE)
# Cash aid is paid only to an approved account; approving a new one replaces it.
PAYOUT_ACCOUNT_IN_USE = sources(PAYOUT_ACCOUNT_TRANSITIONS, PayoutAccountStatus.REPLACED)
# A disbursement waits for approvals, then for payment; both still hold money back.
DISBURSEMENT_APPROVABLE = sources(DISBURSEMENT_TRANSITIONS, DisbursementStatus.APPROVED)
DISBURSEMENT_REJECTABLE = sources(DISBURSEMENT_TRANSITIONS, DisbursementStatus.REJECTED)
DISBURSEMENT_PAYABLE = sources(DISBURSEMENT_TRANSITIONS, DisbursementStatus.PAID)
DISBURSEMENT_OUTSTANDING = DISBURSEMENT_APPROVABLE | DISBURSEMENT_PAYABLE
# A call-back is answered once, from open, with one of its outcomes.
CALLBACK_OUTCOMES = targets(CALLBACK_TRANSITIONS, CallbackStatus.OPEN)
CALLBACK_ANSWERABLE = frozenset(frm for (frm, _to) in CALLBACK_TRANSITIONS)
