"""Settling a fulfilled cycle into the ledger and paying out the UMKM and couriers."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import permission_require
from gotong.core.exceptions import (
    Conflict,
)
from gotong.funds import selectors as funds_selectors
from gotong.funds.services import market_port as funds_services
from gotong.funds.models import AccountKind as FundsAccountKind
from gotong.funds.models import Category as FundsCategory
from gotong.funds.models import DisbursementKind as FundsDisbursementKind
from gotong.funds.models import TransferKind as FundsTransferKind
from gotong.registry.models import Organisation

from ..models import (
    CourierPayout,
    CyclePayout,
    Order,
    OrderCycle,
    OrderStatus,
)
from ..selectors import courier_shares, cycle_breakdown
from ..transitions import CYCLE_SETTLEABLE
from ._common import (
    _accounts,
    _log,
    _user,
)


@transaction.atomic
def cycle_settle(
    *, actor: Any, cycle: OrderCycle, idempotency_key: str | None = None
) -> OrderCycle:
    """Post a fulfilled cycle to the ledger in one transfer out of the market clearing
    account: each UMKM's payable its net sales, the couriers their share of the delivery
    fees, the operational fund the operations fee and the rest of the delivery fees (none
    of it from aid money: aid and voucher payments pay no operations fee and their
    delivery fees go wholly to the couriers); exactly the public ``cycle_breakdown``,
    which sums to zero. Once: settling again is refused (with the same Idempotency-Key
    it is answered as a replay)."""
    kelurahan = cycle.kelurahan
    permission_require(actor, "market.manage", kelurahan)
    cycle = OrderCycle.objects.select_for_update(of=("self",)).get(pk=cycle.pk)
    request = {"settle": cycle.pk}
    if cycle.settled_at is not None:
        replay = funds_services.transfer_replayed(
            kelurahan=kelurahan, key=idempotency_key, request=request
        )
        if replay is not None and replay.pk == cycle.settlement_transfer_id:
            cycle.replayed = True  # type: ignore[attr-defined]
            return cycle
        raise Conflict(
            _("This cycle was already settled."),
            {"field": "cycle", "transfer": cycle.settlement_transfer_id},
        )
    if cycle.status not in CYCLE_SETTLEABLE:
        raise Conflict(
            _("A cycle is settled once every order has been delivered."), {"field": "status"}
        )
    orders = list(
        Order.objects.filter(cycle=cycle).exclude(status=OrderStatus.CANCELLED).order_by("pk")
    )
    unpaid = [o.code for o in orders if o.balance_due > 0]
    if unpaid:
        raise Conflict(
            _("These orders are not paid yet: %(codes)s.") % {"codes": ", ".join(unpaid[:20])},
            {"field": "orders", "orders": unpaid},
        )
    split = cycle_breakdown(cycle=cycle)
    if split.balance != 0 or split.buyers_paid != sum(o.total for o in orders):
        raise Conflict(_("The fee split does not add up; the cycle cannot be settled."))
    accounts = _accounts(kelurahan)
    postings: list[tuple[Any, int]] = []
    payables: list[tuple[int, int]] = []
    organisations = Organisation.objects.filter(kelurahan=kelurahan).in_bulk(split.umkm_ids)
    for org_id, (_name, _gross, _fee, net) in zip(split.umkm_ids, split.umkm, strict=True):
        if net > 0:
            organisation = organisations[org_id]
            merchant = funds_services.umkm_payable_ensure(organisation=organisation)
            postings.append((merchant.account, -net))
            payables.append((org_id, net))
    operations = split.operations_fee + split.delivery_to_operations
    if operations:
        postings.append((accounts[FundsAccountKind.OPERATIONAL_FUND], -operations))
    if split.courier_share:
        postings.append((accounts[FundsAccountKind.COURIER_PAYABLE], -split.courier_share))
    transfer = None
    if split.buyers_paid:
        postings.insert(0, (accounts[FundsAccountKind.MARKET_CLEARING], split.buyers_paid))
        transfer = funds_services.transfer_post(
            kelurahan=kelurahan,
            kind=FundsTransferKind.MARKET_SETTLEMENT,
            postings=postings,
            actor=actor,
            memo=f"Pasar: {cycle.title}",
            idempotency_key=idempotency_key or f"market-settle:{cycle.pk}",
            request=request,
            log_data={
                "cycle": f"cycle:{cycle.pk}",
                "goods": split.goods,
                "operations_fee": split.operations_fee,
                "delivery_fees": split.delivery_fees,
                "courier_share": split.courier_share,
                "aid_goods": split.aid_goods,
                "aid_delivery": split.aid_delivery,
                "umkm": {f"organisation:{pk}": net for pk, net in payables},
            },
        )
    CyclePayout.objects.bulk_create(
        CyclePayout(cycle=cycle, organisation_id=pk, amount=net) for pk, net in payables
    )
    now = timezone.now()
    OrderCycle.objects.filter(pk=cycle.pk).update(
        settled_at=now,
        settled_by=_user(actor),
        settlement_transfer_id=transfer.pk if transfer else None,
    )
    cycle.refresh_from_db()
    _log(
        kelurahan,
        "market.cycle_settled",
        actor,
        f"cycle:{cycle.pk}",
        {
            "transfer": f"transfer:{transfer.pk}" if transfer else None,
            "buyers_paid": split.buyers_paid,
            "umkm": len(payables),
            "operations": operations,
            "couriers": split.courier_share,
            "aid_paid": split.aid_paid,
        },
    )
    cycle.replayed = False  # type: ignore[attr-defined]
    return cycle


@transaction.atomic
def cycle_payouts_request(
    *, actor: Any, cycle: OrderCycle, pay_by_cash: bool = False
) -> list[CyclePayout]:
    """Ask to pay each UMKM what the settlement credited it (a funds disbursement of kind
    UMKM settlement: two other officers approve, the treasurer pays with proof), by bank
    transfer or, with ``pay_by_cash``, from the cash box (cash taken at the door)."""
    kelurahan = cycle.kelurahan
    permission_require(actor, "funds.operate", kelurahan)
    cycle.refresh_from_db(fields=["settled_at"])
    if cycle.settled_at is None:
        raise Conflict(_("Settle the cycle before paying the UMKM."), {"field": "cycle"})
    waiting = list(
        CyclePayout.objects.select_for_update(of=("self",))
        .filter(cycle=cycle, disbursement_id__isnull=True)
        .select_related("organisation")
        .order_by("pk")
    )
    if not waiting:
        raise Conflict(_("Every UMKM of this cycle already has its payout."), {"field": "cycle"})
    for payout in waiting:
        merchant = funds_services.umkm_payable_ensure(organisation=payout.organisation)
        disbursement = funds_services.disbursement_request(
            actor=actor,
            kelurahan=kelurahan,
            kind=FundsDisbursementKind.UMKM_SETTLEMENT,
            amount=payout.amount,
            purpose=f"Pasar Gotong Royong: {cycle.title}",
            category=FundsCategory.OTHER,
            merchant=merchant,
            pay_by_cash=pay_by_cash,
        )
        payout.disbursement_id = disbursement.pk
        payout.save(update_fields=["disbursement_id"])
    _log(
        kelurahan,
        "market.payouts_requested",
        actor,
        f"cycle:{cycle.pk}",
        {"payouts": [f"disbursement:{p.disbursement_id}" for p in waiting]},
    )
    return list(CyclePayout.objects.filter(cycle=cycle).order_by("pk"))


@transaction.atomic
def cycle_courier_payouts_request(
    *, actor: Any, cycle: OrderCycle, pay_by_cash: bool = False
) -> list[CourierPayout]:
    """Ask to pay each courier of a settled cycle their part of the couriers' share (the
    delivery fees of the orders their routes carried, ``selectors.courier_shares``) out
    of the couriers' payable account: a funds disbursement each, two other officers
    approve, the treasurer pays with proof (``payout_approve`` / ``payout_pay``). Delivery
    fees of orders on no courier's route (an officer recorded the drop-off without a
    route plan) stay in the couriers' payable; the money page shows that amount."""
    kelurahan = cycle.kelurahan
    permission_require(actor, "funds.operate", kelurahan)
    cycle = OrderCycle.objects.select_for_update(of=("self",)).get(pk=cycle.pk)
    if cycle.settled_at is None:
        raise Conflict(_("Settle the cycle before paying the couriers."), {"field": "cycle"})
    done = set(CourierPayout.objects.filter(cycle=cycle).values_list("courier_id", flat=True))
    waiting = [
        s
        for s in courier_shares(cycle=cycle)
        if s.courier is not None and s.amount > 0 and s.courier.pk not in done
    ]
    if not waiting:
        raise Conflict(_("No courier of this cycle is waiting for a payout."), {"field": "cycle"})
    for share in waiting:
        courier: Any = share.courier
        disbursement = funds_services.courier_payout_request(
            actor=actor,
            kelurahan=kelurahan,
            courier_id=courier.pk,
            amount=share.amount,
            purpose=f"Kurir Pasar Gotong Royong: {cycle.title} (kurir #{courier.pk})",
            pay_by_cash=pay_by_cash,
        )
        CourierPayout.objects.create(
            cycle=cycle,
            courier=courier,
            amount=share.amount,
            deliveries=share.deliveries,
            disbursement_id=disbursement.pk,
        )
    payouts = list(CourierPayout.objects.filter(cycle=cycle).order_by("pk"))
    _log(
        kelurahan,
        "market.courier_payouts_requested",
        actor,
        f"cycle:{cycle.pk}",
        {
            "payouts": {
                f"courier:{p.courier_id}": f"disbursement:{p.disbursement_id}"
                for p in payouts
                if p.courier_id in {s.courier.pk for s in waiting if s.courier is not None}
            },
            "amount": sum(s.amount for s in waiting),
        },
    )
    return payouts


def _payout_disbursement(payout: CyclePayout | CourierPayout) -> Any:
    if payout.disbursement_id is None:
        raise Conflict(_("Ask for this payout first."), {"field": "payout"})
    return funds_selectors.disbursement_get(
        kelurahan=payout.cycle.kelurahan, pk=payout.disbursement_id
    )


@transaction.atomic
def payout_approve(*, actor: Any, payout: CyclePayout | CourierPayout) -> Any:
    """One of the two approvals of a UMKM or courier payout (never by the requester,
    never twice by one officer: the funds rules)."""
    return funds_services.disbursement_approve(
        actor=actor, disbursement=_payout_disbursement(payout)
    )


@transaction.atomic
def payout_pay(
    *,
    actor: Any,
    payout: CyclePayout | CourierPayout,
    proof: Any = None,
    receipt_code: str = "",
    idempotency_key: str | None = None,
) -> Any:
    """The treasurer pays an approved UMKM or courier payout with a photo of the
    transfer."""
    return funds_services.disbursement_pay(
        actor=actor,
        disbursement=_payout_disbursement(payout),
        proof=proof,
        receipt_code=receipt_code,
        idempotency_key=idempotency_key,
    )
