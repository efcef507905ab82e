"""Settlement into the ledger (exactly the public breakdown), UMKM and courier payouts."""

from typing import Any

import pytest

from gotong.accounts.models import Role
from gotong.activities.tests.factories import photo
from gotong.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from gotong.funds import services as funds_services
from gotong.funds.models import Account, AccountKind, Disbursement, Transfer, TransferKind
from gotong.transparency.models import LogEntry

from ... import selectors, services
from ...models import CourierPayout, CycleStatus, Order, OrderStatus
from ..factories import (
    Market,
    Officers,
    balance_of,
    deliver_all,
    ledger_account,
    order_for,
    settlement_matches_breakdown,
    static_qris,
)

pytestmark = pytest.mark.django_db


def test_lifecycle_thresholds_not_met_settles_to_zero_as_the_breakdown(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers
) -> None:
    """QRIS paid before closing (part refunded at closing: owed back), a COD line
    cancelled at closing, COD at the door; the rice sack misses its threshold."""
    funds_services.funds_profile_set(
        actor=officers.treasurer, kelurahan=kelurahan, qris_static_payload=static_qris()
    )
    a, b, c = resident(), resident(), resident()
    qris = order_for(
        world,
        a,
        rt,
        (world.bundle_offer, 2),
        (world.beras_offer, 1),
        fb1=world.telur_offer,
        payment_method="qris",
    )
    payload = selectors.order_qris_payload(order=qris)
    facts = funds_services.qris.qris_check(payload or "")
    assert facts.amount == qris.total == 2 * 40000 + 60000 + 5000
    assert facts.reference == qris.code
    cancelled = order_for(
        world, b, rt, (world.beras_offer, 1), fulfilment="pickup", address_note=""
    )
    cod = order_for(world, c, rt, (world.telur_offer, 1))

    with pytest.raises(ValidationFailed, match="photo"):
        services.order_payment_confirm(actor=officers.treasurer, order=qris)
    with pytest.raises(PermissionDenied):
        services.order_payment_confirm(actor=world.operator, order=qris, receipt=photo())
    services.order_payment_confirm(actor=officers.treasurer, order=qris, receipt=photo())
    with pytest.raises(Conflict):
        services.order_payment_confirm(actor=officers.treasurer, order=qris, receipt=photo())
    assert selectors.order_qris_payload(order=Order.objects.get(pk=qris.pk)) is None

    with pytest.raises(Conflict, match="delivered"):
        services.cycle_settle(actor=world.operator, cycle=world.cycle)
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    qris.refresh_from_db()
    cancelled.refresh_from_db()
    assert cancelled.status == OrderStatus.CANCELLED
    assert qris.total == 2 * 40000 + 28000 + 5000 and qris.refund_owed == 60000 - 28000
    deliver_all(world)
    assert world.cycle.status == CycleStatus.FULFILLED
    cod.refresh_from_db()
    assert cod.paid_amount == cod.total == cod.cash_collected

    services.cycle_settle(actor=world.operator, cycle=world.cycle)
    settlement_matches_breakdown(world)
    clearing = ledger_account(kelurahan, AccountKind.MARKET_CLEARING)
    assert balance_of(clearing) == 32000  # what the QRIS buyer is owed back
    with pytest.raises(ValidationFailed, match="photo"):
        services.order_refund_pay(actor=officers.treasurer, order=qris)
    services.order_refund_pay(actor=officers.treasurer, order=qris, proof=photo())
    assert balance_of(clearing) == 0
    with pytest.raises(Conflict):
        services.order_refund_pay(actor=officers.treasurer, order=qris, proof=photo())


def test_lifecycle_thresholds_met_settles_to_zero_as_the_breakdown(
    world: Market, rt: Any, resident: Any
) -> None:
    for n in range(5):
        order_for(world, resident(), rt, (world.beras_offer, 2), (world.bundle_offer, n % 2 + 1))
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    world.beras_offer.refresh_from_db()
    assert world.beras_offer.threshold_met is True
    deliver_all(world)
    services.cycle_settle(actor=world.operator, cycle=world.cycle)
    transfer = settlement_matches_breakdown(world)
    assert transfer.amount == selectors.cycle_breakdown(cycle=world.cycle).buyers_paid


def test_settling_twice_is_refused_or_replayed(world: Market, rt: Any, resident: Any) -> None:
    order_for(world, resident(), rt, (world.bundle_offer, 1))
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    deliver_all(world)
    first = services.cycle_settle(actor=world.operator, cycle=world.cycle, idempotency_key="s-1")
    replay = services.cycle_settle(actor=world.operator, cycle=world.cycle, idempotency_key="s-1")
    assert replay.replayed and replay.settlement_transfer_id == first.settlement_transfer_id
    with pytest.raises(Conflict, match="already settled"):
        services.cycle_settle(actor=world.operator, cycle=world.cycle)
    with pytest.raises(Conflict, match="already settled"):
        services.cycle_settle(actor=world.operator, cycle=world.cycle, idempotency_key="s-2")
    assert Transfer.objects.filter(kind=TransferKind.MARKET_SETTLEMENT).count() == 1


def test_an_unpaid_qris_order_blocks_the_settlement(
    world: Market, rt: Any, resident: Any, officers: Officers
) -> None:
    order = order_for(world, resident(), rt, (world.bundle_offer, 1), payment_method="qris")
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    deliver_all(world)
    with pytest.raises(Conflict, match=order.code):
        services.cycle_settle(actor=world.operator, cycle=world.cycle)
    world.cycle.refresh_from_db()
    assert world.cycle.settled_at is None
    services.order_payment_confirm(actor=officers.treasurer, order=order, receipt=photo())
    services.cycle_settle(actor=world.operator, cycle=world.cycle)
    settlement_matches_breakdown(world)


def test_payout_needs_proof_and_a_second_officer(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers
) -> None:
    for _n in range(2):
        order_for(world, resident(), rt, (world.bundle_offer, 1))
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    deliver_all(world)
    with pytest.raises(Conflict, match="Settle"):
        services.cycle_payouts_request(actor=world.operator, cycle=world.cycle)
    services.cycle_settle(actor=world.operator, cycle=world.cycle)
    payouts = services.cycle_payouts_request(
        actor=world.operator,
        cycle=world.cycle,
        pay_by_cash=True,  # cash taken at the door
    )
    with pytest.raises(Conflict):
        services.cycle_payouts_request(actor=world.operator, cycle=world.cycle)
    split = selectors.cycle_breakdown(cycle=world.cycle)
    assert {p.organisation_id: p.amount for p in payouts} == {
        pk: net for pk, (_n, _g, _f, net) in zip(split.umkm_ids, split.umkm, strict=True)
    }
    payout = next(p for p in payouts if p.organisation_id == world.telur.pk)
    with pytest.raises(PermissionDenied):
        services.payout_approve(actor=world.operator, payout=payout)  # the requester
    services.payout_approve(actor=officers.lurah, payout=payout)
    with pytest.raises(PermissionDenied):
        services.payout_approve(actor=officers.lurah, payout=payout)  # the same officer
    with pytest.raises(ValidationFailed, match="two approvals"):
        services.payout_pay(actor=officers.treasurer, payout=payout, proof=photo())
    services.payout_approve(actor=officers.admin, payout=payout)
    with pytest.raises(ValidationFailed, match="photo"):
        services.payout_pay(actor=officers.treasurer, payout=payout)
    paid = services.payout_pay(actor=officers.treasurer, payout=payout, proof=photo())
    assert paid.status == "paid" and paid.receipt_code
    payable = Account.objects.get(kind=AccountKind.UMKM_PAYABLE, organisation=world.telur)
    assert balance_of(payable) == 0
    views = {v.payout.organisation_id: v for v in selectors.cycle_payouts(cycle=world.cycle)}
    assert views[world.telur.pk].status == "paid" and views[world.sayur.pk].status == "requested"


def _routed_cycle(world: Market, kelurahan: Any, rt: Any, resident: Any, make_member: Any) -> Any:
    """Five delivered orders and one pickup on two couriers' routes, settled, with the
    courier's share at 80% of the 5.000 delivery fee."""
    rider = make_member(Role.RELAWAN, rt)
    small = services.courier_create(
        actor=world.operator, kelurahan=kelurahan, label="Kurir A", capacity=2, user=rider
    )
    big = services.courier_create(
        actor=world.operator, kelurahan=kelurahan, label="Kurir B", capacity=5
    )
    world.cycle.courier_share_bp = 8000
    world.cycle.save(update_fields=["courier_share_bp"])
    for i in range(5):
        order_for(
            world, resident(), rt, (world.bundle_offer, 1), location=(-7.63 + i / 500, 111.52)
        )
    order_for(world, resident(), rt, (world.telur_offer, 1), fulfilment="pickup", address_note="")
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    services.routes_plan(actor=world.operator, cycle=world.cycle, couriers=[small, big])
    deliver_all(world)
    return small, big


def test_each_courier_is_paid_their_share_with_two_approvals_and_proof(
    world: Market, kelurahan: Any, rt: Any, resident: Any, make_member: Any, officers: Officers
) -> None:
    small, big = _routed_cycle(world, kelurahan, rt, resident, make_member)
    with pytest.raises(Conflict, match="Settle"):
        services.cycle_courier_payouts_request(actor=world.operator, cycle=world.cycle)
    services.cycle_settle(actor=world.operator, cycle=world.cycle)
    split = selectors.cycle_breakdown(cycle=world.cycle)
    assert split.courier_share == 5 * 4000
    shares = selectors.courier_shares(cycle=world.cycle)
    assert sum(s.amount for s in shares) == split.courier_share
    assert all(s.courier is not None for s in shares)  # every order was on a route
    assert sum(s.deliveries for s in shares) == 5  # the pickup carries no fee

    payouts = services.cycle_courier_payouts_request(
        actor=world.operator,
        cycle=world.cycle,
        pay_by_cash=True,  # cash taken at the door
    )
    assert {p.courier_id: p.amount for p in payouts} == {
        s.courier.pk: s.amount for s in shares if s.courier
    }
    with pytest.raises(Conflict, match="waiting"):
        services.cycle_courier_payouts_request(actor=world.operator, cycle=world.cycle)
    assert Disbursement.objects.count() == len(payouts)
    assert {(d.kind, d.courier_id) for d in Disbursement.objects.all()} == {
        ("courier", p.courier_id) for p in payouts
    }

    payable = funds_services.market_accounts(kelurahan=kelurahan)[AccountKind.COURIER_PAYABLE]
    for payout in payouts:
        with pytest.raises(PermissionDenied):
            services.payout_approve(actor=world.operator, payout=payout)  # the requester
        services.payout_approve(actor=officers.lurah, payout=payout)
        with pytest.raises(PermissionDenied):
            services.payout_approve(actor=officers.lurah, payout=payout)  # the same officer
        with pytest.raises(ValidationFailed, match="two approvals"):
            services.payout_pay(actor=officers.treasurer, payout=payout, proof=photo())
        services.payout_approve(actor=officers.admin, payout=payout)
        with pytest.raises(ValidationFailed, match="photo"):
            services.payout_pay(actor=officers.treasurer, payout=payout)
        paid = services.payout_pay(actor=officers.treasurer, payout=payout, proof=photo())
        assert paid.status == "paid" and paid.receipt_code
        assert paid.transfer.kind == TransferKind.SETTLEMENT  # a payable settled, not aid
    payable.refresh_from_db()
    assert payable.balance == 0
    views = selectors.cycle_courier_payouts(cycle=world.cycle)
    assert {v.status for v in views} == {"paid"}
    assert LogEntry.objects.filter(type="market.courier_payouts_requested").count() == 1


def test_courier_payouts_need_the_operate_permission_and_money_in_the_account(
    world: Market, kelurahan: Any, rt: Any, resident: Any, make_member: Any, officers: Officers
) -> None:
    small, _big = _routed_cycle(world, kelurahan, rt, resident, make_member)
    services.cycle_settle(actor=world.operator, cycle=world.cycle)
    with pytest.raises(PermissionDenied):
        services.cycle_courier_payouts_request(actor=resident(), cycle=world.cycle)
    # More than the couriers' account holds beyond payouts already asked for: refused.
    with pytest.raises(ValidationFailed, match="owed only"):
        funds_services.courier_payout_request(
            actor=world.operator,
            kelurahan=kelurahan,
            courier_id=small.pk,
            amount=20_001,
            purpose="Kurir",
        )
    services.cycle_courier_payouts_request(actor=world.operator, cycle=world.cycle)
    with pytest.raises(ValidationFailed, match="owed only"):
        funds_services.courier_payout_request(
            actor=world.operator,
            kelurahan=kelurahan,
            courier_id=small.pk,
            amount=1,
            purpose="Kurir",
        )
    assert CourierPayout.objects.count() == Disbursement.objects.count() == 2
