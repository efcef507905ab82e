"""Money out: payout accounts (two officers), disbursement request, approvals, rejection
and payment with proof; courier payouts.
"""

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import permission_require
from gotong.core.crypto import field_encrypt
from gotong.core.exceptions import (
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from gotong.core.money import rupiah_format
from gotong.funds.models import (
    AID_SOURCES,
    Account,
    AccountKind,
    Approval,
    Campaign,
    Category,
    Disbursement,
    DisbursementKind,
    DisbursementStatus,
    PayoutAccount,
    PayoutAccountStatus,
    TransferKind,
    VoucherMerchant,
)
from gotong.registry.models import Organisation, Person
from gotong.territory.models import Kelurahan
from gotong.transparency import selectors as transparency_selectors

from ..transitions import (
    DISBURSEMENT_APPROVABLE,
    DISBURSEMENT_OUTSTANDING,
    DISBURSEMENT_PAYABLE,
    DISBURSEMENT_REJECTABLE,
    PAYOUT_ACCOUNT_IN_USE,
    PAYOUT_ACCOUNT_UNDECIDED,
    step_check,
)
from ._common import _activity, _log, _receipt_from, _resource_link, _role, amount_clean
from .campaigns import earmark_check
from .ledger import accounts_ensure, market_accounts, transfer_post, transfer_replayed


@transaction.atomic
def payout_account_propose(
    *, actor: Any, person: Person, bank_name: str, account_number: str
) -> PayoutAccount:
    """Propose a beneficiary's bank account (Tier 2, encrypted); a second officer approves.

    Whoever registered the beneficiary may not set their payout account.
    """
    kelurahan = person.kelurahan
    permission_require(actor, "funds.operate", kelurahan)
    if person.created_by_id is not None and person.created_by_id == actor.pk:
        raise PermissionDenied(
            _("Whoever registered a beneficiary cannot set their payout account."),
            {"reason": "separation_of_duties"},
        )
    number = re.sub(r"[\s-]", "", account_number or "")
    bank = " ".join((bank_name or "").split())
    if not bank or not re.fullmatch(r"\d{6,20}", number):
        raise ValidationFailed(
            _("Give the bank and an account number of 6 to 20 digits."),
            {"field": "account_number"},
        )
    payout = PayoutAccount.objects.create(
        kelurahan=kelurahan,
        person=person,
        bank_name=bank[:60],
        account_number_ciphertext=field_encrypt(number, context="funds.payout.account_number"),
        account_last4=number[-4:],
        proposed_by=actor,
    )
    _log(
        kelurahan,
        "funds.payout_account_proposed",
        actor,
        f"payout:{payout.pk}",
        {"beneficiary": f"person:{person.pk}"},
    )
    return payout


@transaction.atomic
def payout_account_approve(
    *, actor: Any, payout: PayoutAccount, approve: bool = True
) -> PayoutAccount:
    """A second officer (not the proposer, not the registrar) activates or rejects it."""
    kelurahan = payout.kelurahan
    permission_require(actor, "funds.approve", kelurahan)
    payout = (
        PayoutAccount.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=payout.pk)
    )
    decided = _("This bank account change was already decided.")
    if payout.status not in PAYOUT_ACCOUNT_UNDECIDED:
        raise Conflict(decided)
    if actor.pk in (payout.proposed_by_id, payout.person.created_by_id):
        raise PermissionDenied(
            _("A bank account change needs a second officer."),
            {"reason": "separation_of_duties"},
        )
    frm = payout.status
    target = PayoutAccountStatus.ACTIVE if approve else PayoutAccountStatus.REJECTED
    step_check("payout_account", current=frm, target=target, refused=decided, actor=actor)
    now = timezone.now()
    if approve:
        PayoutAccount.objects.filter(person=payout.person, status__in=PAYOUT_ACCOUNT_IN_USE).update(
            status=PayoutAccountStatus.REPLACED, updated_at=now
        )
    if not PayoutAccount.objects.filter(pk=payout.pk, status=frm).update(
        status=target, approved_by=actor, updated_at=now
    ):
        raise Conflict(decided, {"field": "status"})
    payout.status = target
    payout.approved_by = actor
    payout.updated_at = now
    _log(
        kelurahan,
        "funds.payout_account_decided",
        actor,
        f"payout:{payout.pk}",
        {"approved": approve},
        role=_role(actor, "funds.approve", kelurahan),
    )
    return payout


def _owed_unrequested(payable: Account) -> int:
    """What a payable (a UMKM's, the couriers') holds beyond the payouts already requested
    or approved from it; the account row is locked so two requests cannot both take it."""
    locked = Account.objects.select_for_update().get(pk=payable.pk)
    pending = Disbursement.objects.filter(
        source_account=locked,
        status__in=DISBURSEMENT_OUTSTANDING,
    ).aggregate(total=Sum("amount"))["total"]
    return max(0, locked.balance - (pending or 0))


@transaction.atomic
def disbursement_request(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    kind: str,
    amount: Any,
    purpose: str,
    category: str,
    source: Account | None = None,
    activity_id: int | None = None,
    payout: PayoutAccount | None = None,
    merchant: VoucherMerchant | None = None,
    supplier: Organisation | None = None,
    pay_by_cash: bool = False,
) -> Disbursement:
    """Ask to pay money out: cash aid to a beneficiary's account, a supplier for an
    activity, or a UMKM's voucher payable. Two other officers must approve."""
    permission_require(actor, "funds.operate", kelurahan)
    value = amount_clean(amount)
    purpose = " ".join((purpose or "").split())
    if not purpose:
        raise ValidationFailed(_("Say what the money is for."), {"field": "purpose"})
    if category not in Category.values:
        raise ValidationFailed(_("Choose the category."), {"field": "category"})
    if kind == DisbursementKind.COURIER:
        raise ValidationFailed(
            _("A courier is paid from the market cycle's money page."), {"field": "kind"}
        )
    if kind == DisbursementKind.UMKM_SETTLEMENT:
        if merchant is None or merchant.kelurahan_id != kelurahan.pk:
            raise NotFound(_("No such UMKM in this kelurahan."))
        source = merchant.account
        owed = _owed_unrequested(source)
        if value > owed:
            raise ValidationFailed(
                _("The UMKM is owed only %(owed)s.") % {"owed": rupiah_format(owed)}
            )
    else:
        if source is None or source.kelurahan_id != kelurahan.pk or source.kind not in AID_SOURCES:
            raise ValidationFailed(
                _("Aid is paid from the aid fund or a campaign."), {"field": "source"}
            )
        if activity_id is not None:
            _activity(kelurahan, activity_id)
        if kind == DisbursementKind.CASH_AID:
            if payout is not None:
                payout = PayoutAccount.objects.select_related("person__rt").get(pk=payout.pk)
            if (
                payout is None
                or payout.kelurahan_id != kelurahan.pk
                or payout.status not in PAYOUT_ACCOUNT_IN_USE
            ):
                raise ValidationFailed(
                    _("Cash aid needs the beneficiary's approved bank account."),
                    {"field": "payout"},
                )
            rt = payout.person.rt
        elif kind == DisbursementKind.SUPPLIER:
            if supplier is None or supplier.kelurahan_id != kelurahan.pk or activity_id is None:
                raise ValidationFailed(
                    _("A supplier payment names the supplier and the activity."),
                    {"field": "supplier"},
                )
            rt = None
        else:
            raise ValidationFailed(_("Unknown kind of payment."), {"field": "kind"})
        earmark_check(account=source, category=category, activity_id=activity_id, rt=rt)
    return _disbursement_new(
        actor=actor,
        kelurahan=kelurahan,
        kind=kind,
        source=source,
        value=value,
        purpose=purpose,
        category=category,
        pay_by_cash=pay_by_cash,
        logged={
            "category": category,
            "activity": f"activity:{activity_id}" if activity_id else None,
        },
        activity_id=activity_id,
        payout_account=payout if kind == DisbursementKind.CASH_AID else None,
        merchant=merchant if kind == DisbursementKind.UMKM_SETTLEMENT else None,
        supplier=supplier if kind == DisbursementKind.SUPPLIER else None,
    )


def _disbursement_new(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    kind: str,
    source: Account,
    value: int,
    purpose: str,
    category: str,
    pay_by_cash: bool,
    logged: dict[str, Any],
    **fields: Any,
) -> Disbursement:
    """Store a requested payment (paid from cash or the bank) and log the request with
    what ``logged`` adds; ``fields`` name the payee."""
    accounts = accounts_ensure(kelurahan=kelurahan)
    disbursement = Disbursement.objects.create(
        kelurahan=kelurahan,
        kind=kind,
        source_account=source,
        pay_from=accounts[AccountKind.CASH if pay_by_cash else AccountKind.BANK],
        amount=value,
        purpose=purpose[:200],
        category=category,
        requested_by=actor,
        **fields,
    )
    _log(
        kelurahan,
        "funds.disbursement_requested",
        actor,
        f"disbursement:{disbursement.pk}",
        {"kind": kind, "amount": value, "source": source.code, **logged},
        role=_role(actor, "funds.operate", kelurahan),
    )
    return disbursement


APPROVALS_NEEDED = 2


@transaction.atomic
def disbursement_approve(*, actor: Any, disbursement: Disbursement) -> Disbursement:
    """One of two approvals by officers other than the requester (never the same twice)."""
    kelurahan = disbursement.kelurahan
    permission_require(actor, "funds.approve", kelurahan)
    disbursement = Disbursement.objects.select_for_update(of=("self",)).get(pk=disbursement.pk)
    not_waiting = _("This payment is not waiting for approval.")
    if disbursement.status not in DISBURSEMENT_APPROVABLE:
        raise Conflict(not_waiting)
    if disbursement.requested_by_id == actor.pk:
        raise PermissionDenied(
            _("Nobody approves their own request."), {"reason": "separation_of_duties"}
        )
    if disbursement.approvals.filter(officer=actor).exists():
        raise PermissionDenied(
            _("The second approval must come from a different officer."),
            {"reason": "same_officer"},
        )
    role = _role(actor, "funds.approve", kelurahan)
    try:
        with transaction.atomic():
            Approval.objects.create(
                disbursement=disbursement, officer=actor, role=role, created_at=timezone.now()
            )
    except IntegrityError as exc:
        raise PermissionDenied(
            _("The second approval must come from a different officer."),
            {"reason": "same_officer"},
        ) from exc
    count = disbursement.approvals.count()
    if count >= APPROVALS_NEEDED:
        frm = disbursement.status
        step_check(
            "disbursement",
            current=frm,
            target=DisbursementStatus.APPROVED,
            refused=not_waiting,
            actor=actor,
        )
        now = timezone.now()
        if not Disbursement.objects.filter(pk=disbursement.pk, status=frm).update(
            status=DisbursementStatus.APPROVED, updated_at=now
        ):
            raise Conflict(not_waiting, {"field": "status"})
        disbursement.status = DisbursementStatus.APPROVED
        disbursement.updated_at = now
    _log(
        kelurahan,
        "funds.disbursement_approved",
        actor,
        f"disbursement:{disbursement.pk}",
        {"approvals": count},
        role=role,
    )
    return disbursement


@transaction.atomic
def disbursement_reject(*, actor: Any, disbursement: Disbursement, reason: str) -> Disbursement:
    """An approving officer refuses a request (with a reason)."""
    permission_require(actor, "funds.approve", disbursement.kelurahan)
    if not " ".join((reason or "").split()):
        raise ValidationFailed(_("Give a reason."), {"field": "reason"})
    updated = Disbursement.objects.filter(
        pk=disbursement.pk, status__in=DISBURSEMENT_REJECTABLE
    ).update(status=DisbursementStatus.REJECTED, updated_at=timezone.now())
    if not updated:
        raise Conflict(_("This payment can no longer be rejected."))
    disbursement.refresh_from_db()
    _log(
        disbursement.kelurahan,
        "funds.disbursement_rejected",
        actor,
        f"disbursement:{disbursement.pk}",
        {},
    )
    return disbursement


@transaction.atomic
def disbursement_pay(
    *,
    actor: Any,
    disbursement: Disbursement,
    proof: Any = None,
    receipt_code: str = "",
    idempotency_key: str | None = None,
) -> Disbursement:
    """The treasurer pays an approved request and attaches the proof of payment; the
    ledger moves and the activity gets a funds resource link."""
    kelurahan = disbursement.kelurahan
    permission_require(actor, "funds.treasury", kelurahan)
    request = {"pay": disbursement.pk}
    replay = transfer_replayed(kelurahan=kelurahan, key=idempotency_key, request=request)
    if replay is not None:
        return Disbursement.objects.get(transfer=replay)
    disbursement = (
        Disbursement.objects.select_for_update(of=("self",))
        .select_related("source_account", "pay_from")
        .get(pk=disbursement.pk)
    )
    if disbursement.status == DisbursementStatus.PAID:
        raise Conflict(_("This payment was already made."))
    if disbursement.status not in DISBURSEMENT_PAYABLE:
        raise ValidationFailed(_("A payment needs two approvals first."))
    frm = disbursement.status
    step_check(
        "disbursement",
        current=frm,
        target=DisbursementStatus.PAID,
        refused=_("This payment was already made."),
        actor=actor,
    )
    if receipt_code:
        code = transparency_selectors.evidence_get(kelurahan=kelurahan, code=receipt_code).code
    else:
        code = _receipt_from(
            proof,
            kelurahan=kelurahan,
            actor=actor,
            subject=f"disbursement:{disbursement.pk}",
            note="Bukti pembayaran",
        )
    # A UMKM's or a courier's payable settled is not aid spending (``funds_summary``).
    kind = (
        TransferKind.SETTLEMENT
        if disbursement.kind in (DisbursementKind.UMKM_SETTLEMENT, DisbursementKind.COURIER)
        else TransferKind.SPEND
    )
    campaign = Campaign.objects.filter(account=disbursement.source_account).first()
    transfer = transfer_post(
        kelurahan=kelurahan,
        kind=kind,
        postings=[
            (disbursement.source_account, disbursement.amount),
            (disbursement.pay_from, -disbursement.amount),
        ],
        actor=actor,
        memo=disbursement.get_kind_display()[:200],
        idempotency_key=idempotency_key,
        request=request,
        campaign=campaign,
        activity_id=disbursement.activity_id,
        receipt_code=code,
        log_data={"disbursement": f"disbursement:{disbursement.pk}"},
    )
    now = timezone.now()
    if not Disbursement.objects.filter(pk=disbursement.pk, status=frm).update(
        status=DisbursementStatus.PAID,
        paid_by=actor,
        receipt_code=code,
        transfer=transfer,
        updated_at=now,
    ):
        raise Conflict(_("This payment was already made."), {"field": "status"})
    disbursement.status = DisbursementStatus.PAID
    disbursement.paid_by = actor
    disbursement.receipt_code = code
    disbursement.transfer = transfer
    disbursement.updated_at = now
    if disbursement.activity_id:
        _resource_link(
            _activity(kelurahan, disbursement.activity_id),
            "funds",
            f"transfer:{transfer.pk}",
            1,
            "transfer",
        )
    return disbursement


@transaction.atomic
def courier_payout_request(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    courier_id: int,
    amount: Any,
    purpose: str,
    pay_by_cash: bool = False,
) -> Disbursement:
    """Ask to pay a market courier their share out of the couriers' payable account (the
    market names the courier by its id and the cycle in the purpose). A disbursement of
    its own kind ("Paying a courier's delivery share") naming the payee only as
    ``courier_id`` (shown as "Courier #id", never a name). Two officers other than the
    requester approve and the treasurer pays with proof (``disbursement_approve`` /
    ``disbursement_pay``), as for a UMKM: the money settles a payable (a ``settlement``
    transfer), it is not aid spending. The amount may not exceed what the account holds
    beyond payouts already asked for."""
    permission_require(actor, "funds.operate", kelurahan)
    if not isinstance(courier_id, int) or isinstance(courier_id, bool) or courier_id <= 0:
        raise ValidationFailed(_("Name the courier to pay."), {"field": "courier"})
    value = amount_clean(amount)
    purpose = " ".join((purpose or "").split())
    if not purpose:
        raise ValidationFailed(_("Say what the money is for."), {"field": "purpose"})
    source = market_accounts(kelurahan=kelurahan)[AccountKind.COURIER_PAYABLE]
    owed = _owed_unrequested(source)
    if value > owed:
        raise ValidationFailed(
            _("The couriers are owed only %(owed)s.") % {"owed": rupiah_format(owed)},
            {"field": "amount"},
        )
    return _disbursement_new(
        actor=actor,
        kelurahan=kelurahan,
        kind=DisbursementKind.COURIER,
        source=source,
        value=value,
        purpose=purpose,
        category=Category.OTHER,
        pay_by_cash=pay_by_cash,
        logged={"courier": f"courier:{courier_id}"},
        courier_id=courier_id,
    )
