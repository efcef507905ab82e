"""Scenario B end to end, through the services only (issue 8: "Scenario B runs end to end
in tests"): an operator approves new UMKM, their sellers list products, the operator
builds a bundle and opens a weekly cycle with bulk thresholds; residents order (QRIS,
cash on delivery, an aid voucher) and an aid order buys a package for a need an activity
serves; the window closes (one group buy reaches its threshold, another does not),
routes are planned, couriers record drop-offs with the buyer's code or a photo, the
treasurer confirms the QRIS payment, the cycle is settled (the ledger balances to zero and
posts exactly the public breakdown), the UMKM and the couriers are paid with two other
officers' approvals and a proof photo, the UMKM growth is computed against the baseline
week, and the activity links to the aid order and its delivery proof."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gotong.accounts.models import Role
from gotong.activities import checks as activity_checks
from gotong.activities import selectors as activity_selectors
from gotong.activities.models import ResourceLink
from gotong.activities.tests.conftest import plan
from gotong.activities.tests.factories import approved_need, elderly, photo, volunteer
from gotong.core.exceptions import ValidationFailed
from gotong.funds import selectors as funds_selectors
from gotong.funds import services as funds_services
from gotong.funds.models import Account, AccountKind, Disbursement, Transfer
from gotong.funds.tests.factories import confirmed_donation
from gotong.registry import services as registry_services
from gotong.registry.models import Organisation, OrganisationStatus
from gotong.registry.tests.factories import OrganisationFactory
from gotong.transparency.models import Evidence

from .. import selectors, services
from ..models import (
    CycleStatus,
    LineStatus,
    Order,
    OrderCycle,
    OrderStatus,
    RouteStop,
    StopKind,
    ThresholdRule,
)
from .factories import verified

pytestmark = pytest.mark.django_db


def _courier_of(order: Order) -> Any:
    stop = RouteStop.objects.filter(orders=order, kind=StopKind.DROP).select_related(
        "plan__courier__user"
    )
    return stop.first().plan.courier.user


def _balance(account: Account) -> int:
    account.refresh_from_db()
    return account.balance


def test_scenario_b_end_to_end(
    kelurahan: Any, rt: Any, rt_same_rw: Any, make_member: Any, resident: Any
) -> None:
    operator = verified(make_member(Role.OPERATOR, kelurahan))
    treasurer = verified(make_member(Role.BENDAHARA, kelurahan))
    lurah = verified(make_member(Role.LURAH, kelurahan))
    admin = verified(make_member(Role.ADMIN, kelurahan))
    services.settings_set(
        actor=operator,
        kelurahan=kelurahan,
        operations_fee_bp=500,
        delivery_fee=5000,
        courier_share_bp=8000,
        baseline_cycles=1,
    )

    # --- The operator approves the UMKM; their sellers list products.
    sayur, telur, toko = (
        Organisation.objects.get(
            pk=OrganisationFactory(kelurahan=kelurahan, rt=rt, status=OrganisationStatus.PENDING).pk
        )
        for _ in range(3)
    )
    with pytest.raises(ValidationFailed, match="not been approved"):
        services.product_create(
            actor=operator,
            organisation=sayur,
            name="Bayam",
            category="sayur",
            unit="ikat",
            price=3000,
            stock=50,
        )
    sellers = {}
    for n, org in enumerate((sayur, telur, toko)):
        registry_services.organisation_decide(actor=operator, organisation=org, approve=True)
        seller = services.seller_add_by_phone(
            actor=operator, organisation=org, phone=f"+62812700000{n}"
        )
        sellers[org.pk] = seller.user

    def listed(org: Any, name: str, category: str, unit: str, price: int, **kw: Any) -> Any:
        return services.product_create(
            actor=sellers[org.pk],
            organisation=org,
            name=name,
            category=category,
            unit=unit,
            price=price,
            **kw,
        )

    bayam = listed(sayur, "Bayam", "sayur", "ikat", 3000, stock=100)
    telur_kg = listed(telur, "Telur", "lauk", "kg", 28000, stock=50)
    telur_peti = listed(telur, "Telur satu peti", "lauk", "peti", 400000, stock=20)
    beras = listed(toko, "Beras 5 kg (karung bersama)", "sembako", "karung", 60000, stock=40)
    minyak = listed(toko, "Minyak goreng 1 L", "sembako", "botol", 18000, stock=60)
    gula = listed(toko, "Gula pasir 1 kg", "sembako", "kg", 17000, stock=60)

    # --- Bundles: the week's market package (three UMKM) and a sembako package.
    pasar = services.bundle_create(
        actor=operator,
        kelurahan=kelurahan,
        name="Paket Pasar Minggu Ini",
        category="sayur",
        price=40000,
        components=[
            services.ComponentSpec(bayam, 2, 6000),
            services.ComponentSpec(telur_kg, 1, 27000),
            services.ComponentSpec(minyak, 1, 7000),
        ],
    )
    sembako = services.bundle_create(
        actor=operator,
        kelurahan=kelurahan,
        name="Paket Sembako",
        category="sembako",
        price=35000,
        components=[
            services.ComponentSpec(minyak, 1, 18000),
            services.ComponentSpec(gula, 1, 17000),
        ],
    )

    # --- A baseline week (earlier, smaller) for the growth figure.
    now = timezone.now()
    baseline = services.cycle_open(
        actor=operator,
        kelurahan=kelurahan,
        title="Minggu lalu",
        opens_at=now - dt.timedelta(days=7),
        closes_at=now - dt.timedelta(days=6),
        delivery_date=timezone.localdate() - dt.timedelta(days=5),
        offers=[services.OfferSpec(bundle=pasar)],
    )
    services.order_place(
        actor=resident(),
        cycle=baseline,
        lines=[services.LineSpec(offer=baseline.offers.get(), quantity=1)],
        fulfilment="pickup",
        rt=rt,
        now=baseline.opens_at + dt.timedelta(hours=1),
    )
    services.cycle_close(actor=operator, cycle=baseline, now=baseline.closes_at)
    for placed in Order.objects.filter(cycle=baseline):
        services.dropoff_record(
            actor=operator,
            order=placed,
            code=selectors.recipient_code(placed),
            cash_collected=placed.total,
        )

    # --- This week's cycle: two group buys with thresholds.
    cycle = services.cycle_open(
        actor=operator,
        kelurahan=kelurahan,
        title="Pasar minggu ini",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=23),
        delivery_date=timezone.localdate() + dt.timedelta(days=2),
        hub=(-7.631, 111.52),
        offers=[
            services.OfferSpec(bundle=pasar),
            services.OfferSpec(bundle=sembako),
            services.OfferSpec(product=beras, threshold=3, threshold_rule=ThresholdRule.CANCEL),
            services.OfferSpec(
                product=telur_peti, threshold=5, threshold_rule=ThresholdRule.CANCEL
            ),
        ],
    )
    offer = {o.bundle_id and f"b{o.bundle_id}" or f"p{o.product_id}": o for o in cycle.offers.all()}
    o_pasar, o_sembako = offer[f"b{pasar.pk}"], offer[f"b{sembako.pk}"]
    o_beras, o_peti = offer[f"p{beras.pk}"], offer[f"p{telur_peti.pk}"]

    # Money for aid: a donation into the aid fund; a sembako voucher from it.
    confirmed_donation(treasurer, admin, kelurahan, 1_000_000, target="aid_fund")
    accounts = funds_services.market_accounts(kelurahan=kelurahan)
    [(_voucher, voucher_code)] = funds_services.voucher_issue(
        actor=operator,
        source=accounts[AccountKind.AID_FUND],
        category="sembako",
        value=35000,
        count=1,
        rt=rt,
    )

    # --- Residents order: QRIS, cash on delivery, an aid voucher.
    def order(buyer: Any, lines: list[tuple[Any, int]], **kw: Any) -> Order:
        kw.setdefault("fulfilment", "delivery")
        kw.setdefault("address_note", "Gang Mawar")
        return services.order_place(
            actor=buyer,
            cycle=cycle,
            lines=[services.LineSpec(offer=o, quantity=q) for o, q in lines],
            rt=kw.pop("rt", rt),
            **kw,
        )

    qris = order(resident(), [(o_pasar, 1), (o_beras, 1)], payment_method="qris")
    cod = order(resident(), [(o_pasar, 1), (o_peti, 1)], payment_method="cod")
    voucher = order(
        resident(),
        [(o_sembako, 1)],
        fulfilment="pickup",
        address_note="",
        payment_method="voucher",
        voucher_code=voucher_code,
    )
    cod_pickup = order(
        resident(), [(o_beras, 2)], fulfilment="pickup", address_note="", rt=rt_same_rw
    )
    assert voucher.voucher_amount == 35000 and voucher.balance_due == 0

    # --- One aid order for a food need an activity serves, paid from the aid fund.
    rw_head = make_member(Role.KETUA_RW, rt.rw)
    need = approved_need(make_member(Role.KETUA_RT, rt), rw_head, elderly(rt))
    activity = plan(rt, rw_head, volunteer(rt), [need])
    aid = services.aid_order_place(actor=operator, activity=activity, need=need, offer=o_sembako)
    assert aid.paid_amount == aid.total == 35000 + 5000

    # --- The window closes: rice reaches its threshold (3), the egg crate does not (1/5).
    services.cycle_close(actor=operator, cycle=cycle)
    o_beras.refresh_from_db()
    o_peti.refresh_from_db()
    assert o_beras.threshold_met is True and o_peti.threshold_met is False
    cod.refresh_from_db()
    assert cod.lines.get(offer=o_peti).status == LineStatus.CANCELLED
    assert cod.total == 40000 + 5000 and cod.refund_total == 400000
    assert {o.status for o in Order.objects.filter(cycle=cycle)} == {OrderStatus.CONFIRMED}
    picks = {p.organisation.pk: p for p in selectors.pick_lists(cycle=cycle)}
    assert picks[toko.pk].items[str(beras)] == 3

    # --- Couriers and routes.
    couriers = [
        services.courier_create_for_phone(
            actor=operator,
            kelurahan=kelurahan,
            label=f"Kurir {n}",
            capacity=3,
            phone=f"+62813700000{n}",
        )
        for n in range(2)
    ]
    plans = services.routes_plan(actor=operator, cycle=cycle, couriers=couriers, time_limit_s=1)
    on_routes = {o.pk for p in plans for s in p.stops.all() for o in s.orders.all()}
    assert on_routes == set(Order.objects.filter(cycle=cycle).values_list("pk", flat=True))
    assert all(p.load <= p.courier.capacity for p in plans)

    # --- Drop-offs: the buyer's code or a photo; cash at the door for COD.
    for placed in (qris, cod, voucher, cod_pickup, aid):
        placed.refresh_from_db()
    services.dropoff_record(
        actor=_courier_of(qris), order=qris, code=selectors.recipient_code(qris)
    )
    services.dropoff_record(
        actor=_courier_of(cod), order=cod, photo=photo(), cash_collected=cod.total
    )
    services.dropoff_record(
        actor=_courier_of(voucher), order=voucher, code=selectors.recipient_code(voucher)
    )
    services.dropoff_record(
        actor=_courier_of(cod_pickup),
        order=cod_pickup,
        code=selectors.recipient_code(cod_pickup),
        cash_collected=cod_pickup.total,
    )
    services.dropoff_record(actor=_courier_of(aid), order=aid, photo=photo("serah.png"))
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.FULFILLED

    # --- The treasurer confirms the QRIS payment (with a photo of it).
    qris.refresh_from_db()
    assert qris.balance_due == qris.total == 40000 + 60000 + 5000
    services.order_payment_confirm(actor=treasurer, order=qris, receipt=photo("qris.png"))

    # --- Settlement: one transfer, zero sum, exactly the public breakdown.
    services.cycle_settle(actor=operator, cycle=cycle)
    cycle.refresh_from_db()
    split = selectors.cycle_breakdown(cycle=cycle)
    assert split.balance == 0
    delivered = Order.objects.filter(cycle=cycle)
    assert (
        split.buyers_paid == sum(o.total for o in delivered) == sum(o.paid_net for o in delivered)
    )
    transfer = Transfer.objects.get(pk=cycle.settlement_transfer_id or 0)
    postings = {p.account_id: p.amount for p in transfer.postings.all()}
    assert sum(postings.values()) == 0
    assert postings[accounts[AccountKind.MARKET_CLEARING].pk] == split.buyers_paid
    assert postings[accounts[AccountKind.OPERATIONAL_FUND].pk] == -(
        split.operations_fee + split.delivery_to_operations
    )
    assert postings[accounts[AccountKind.COURIER_PAYABLE].pk] == -split.courier_share
    payables = {
        a.organisation_id: postings[a.pk]
        for a in Account.objects.filter(pk__in=postings, kind=AccountKind.UMKM_PAYABLE)
    }
    assert payables == {
        pk: -net for pk, (*_rest, net) in zip(split.umkm_ids, split.umkm, strict=True)
    }
    # The clearing account holds only the baseline week's cash, not settled yet.
    held = sum(o.paid_net for o in Order.objects.filter(cycle=baseline))
    assert _balance(accounts[AccountKind.MARKET_CLEARING]) == held == 40000
    assert funds_selectors.ledger_reconcile(kelurahan=kelurahan).balanced

    # --- UMKM and courier payouts: two other officers approve, the treasurer pays with proof.
    umkm_payouts = services.cycle_payouts_request(actor=operator, cycle=cycle)
    courier_payouts = services.cycle_courier_payouts_request(actor=operator, cycle=cycle)
    assert sum(p.amount for p in umkm_payouts) == sum(net for *_r, net in split.umkm)
    # 80% of the cash-paid delivery fees, all of the aid order's (aid money never
    # reaches the operational fund).
    assert sum(p.amount for p in courier_payouts) == split.courier_share == 2 * 4000 + 5000
    for payout in [*umkm_payouts, *courier_payouts]:
        services.payout_approve(actor=lurah, payout=payout)
        services.payout_approve(actor=admin, payout=payout)
        paid = services.payout_pay(actor=treasurer, payout=payout, proof=photo("bukti.png"))
        assert paid.status == "paid" and paid.receipt_code
        assert {a.officer_id for a in paid.approvals.all()} == {lurah.pk, admin.pk}
        assert operator.pk not in {a.officer_id for a in paid.approvals.all()}
    assert Disbursement.objects.filter(status="paid").count() == len(umkm_payouts) + len(
        courier_payouts
    )
    for org in (sayur, telur, toko):
        assert _balance(Account.objects.get(kind=AccountKind.UMKM_PAYABLE, organisation=org)) == 0
    assert _balance(accounts[AccountKind.COURIER_PAYABLE]) == 0
    services.cycle_settle(actor=operator, cycle=baseline)
    assert _balance(accounts[AccountKind.MARKET_CLEARING]) == 0
    assert funds_selectors.ledger_reconcile(kelurahan=kelurahan).balanced

    # --- UMKM growth against the baseline week.
    base = sum(p.revenue for p in selectors.pick_lists(cycle=baseline))
    recent = sum(p.revenue for p in selectors.pick_lists(cycle=cycle))
    growth = selectors.umkm_growth_total(kelurahan=kelurahan)
    assert growth is not None and growth == round((recent - base) * 100 / base, 1)
    assert growth > 15
    sales = {s.organisation.pk: s for s in selectors.umkm_sales(kelurahan=kelurahan)}
    assert [r.cycle.pk for r in sales[sayur.pk].rows] == [baseline.pk, cycle.pk]
    assert (sales[toko.pk].growth_pct or 0) > 0

    # --- The activity links to the aid order and to its delivery proof.
    aid.refresh_from_db()
    link = ResourceLink.objects.get(activity=activity, kind="umkm_product")
    assert link.external_id == f"market-order:{aid.code}"
    proof = Evidence.objects.get(kelurahan=kelurahan, code=aid.delivery_proof)
    assert proof.subject in activity_checks.evidence_subjects(activity)
    assert proof in activity_selectors.activity_evidence(activity=activity)
    assert OrderCycle.objects.get(pk=cycle.pk).settled_at is not None
