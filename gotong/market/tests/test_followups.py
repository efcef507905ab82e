"""Review follow-ups of the market (issue 8): UMKM ratings (once per delivered order, per
UMKM of the order, by its buyer, 1-5 stars; dashboard, CSV and public catalogue), the fee
rules a cycle opened with (changing them later changes neither its breakdown nor its
settlement), and courier payouts out of the couriers' payable account (two other
officers, proof photo)."""

from typing import Any

import pytest

from gotong.accounts.models import Role
from gotong.activities.tests.factories import photo
from gotong.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from gotong.funds import services as funds_services
from gotong.funds.models import AccountKind, Disbursement, Transfer, TransferKind
from gotong.transparency.models import LogEntry

from .. import selectors, services
from ..models import CourierPayout, Order, OrderRating, OrderStatus
from .factories import Market, verified
from .test_settlement import Officers, _settlement_matches_breakdown

pytestmark = pytest.mark.django_db


def _order(world: Market, buyer: Any, rt: Any, *lines: tuple[Any, int], **kw: Any) -> Order:
    kw.setdefault("fulfilment", "delivery")
    kw.setdefault("address_note", "Gang Mawar 3")
    return services.order_place(
        actor=buyer,
        cycle=world.cycle,
        lines=[services.LineSpec(offer=o, quantity=q) for o, q in lines],
        rt=rt,
        **kw,
    )


def _deliver_all(world: Market, actor: Any = None) -> None:
    for order in Order.objects.filter(cycle=world.cycle, status=OrderStatus.CONFIRMED):
        cash = order.balance_due if order.payment_method in ("cod", "voucher") else None
        services.dropoff_record(
            actor=actor or world.operator,
            order=order,
            code=selectors.recipient_code(order),
            cash_collected=cash or None,
        )
    world.cycle.refresh_from_db()


def _delivered(world: Market, buyer: Any, rt: Any) -> Order:
    order = _order(world, buyer, rt, (world.bundle_offer, 1))
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    _deliver_all(world)
    order.refresh_from_db()
    return order


def _stars(world: Market, **by_org: int) -> list[services.RatingSpec]:
    orgs = {"sayur": world.sayur, "telur": world.telur, "kerupuk": world.kerupuk}
    return [services.RatingSpec(orgs[k].pk, v) for k, v in by_org.items()]


# ------------------------------------------------------------------------------ ratings


def test_the_buyer_rates_each_umkm_of_a_delivered_order_once(
    world: Market, rt: Any, resident: Any
) -> None:
    buyer = resident()
    order = _delivered(world, buyer, rt)
    assert {o.pk for o in selectors.order_umkm(order=order)} == {
        world.sayur.pk,
        world.telur.pk,
        world.kerupuk.pk,
    }
    rows = services.order_rate(
        actor=buyer,
        order=order,
        ratings=[
            services.RatingSpec(world.sayur.pk, 5, "  Sayurnya   segar "),
            services.RatingSpec(world.telur.pk, 3),
        ],
    )
    assert [(r.organisation_id, r.stars, r.comment) for r in rows] == [
        (world.sayur.pk, 5, "Sayurnya segar"),
        (world.telur.pk, 3, ""),
    ]
    entry = LogEntry.objects.filter(type="market.order_rated").get()
    assert "segar" not in entry.body and '"stars"' in entry.body  # no comment logged
    with pytest.raises(Conflict, match="already rated"):
        services.order_rate(actor=buyer, order=order, ratings=_stars(world, kerupuk=4))
    assert OrderRating.objects.count() == 2


def test_rating_before_delivery_is_refused(world: Market, rt: Any, resident: Any) -> None:
    buyer = resident()
    order = _order(world, buyer, rt, (world.bundle_offer, 1))
    with pytest.raises(Conflict, match="delivered"):
        services.order_rate(actor=buyer, order=order, ratings=_stars(world, sayur=5))
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    with pytest.raises(Conflict, match="delivered"):
        services.order_rate(actor=buyer, order=order, ratings=_stars(world, sayur=5))
    assert not OrderRating.objects.exists()


def test_rating_someone_elses_order_is_refused(world: Market, rt: Any, resident: Any) -> None:
    order = _delivered(world, resident(), rt)
    with pytest.raises(PermissionDenied):
        services.order_rate(actor=resident(), order=order, ratings=_stars(world, sayur=1))
    with pytest.raises(PermissionDenied):
        services.order_rate(actor=world.operator, order=order, ratings=_stars(world, sayur=1))
    assert not OrderRating.objects.exists()


@pytest.mark.parametrize("stars", [0, 6, -1, True])
def test_stars_out_of_range_are_refused_and_nothing_is_saved(
    world: Market, rt: Any, resident: Any, stars: Any
) -> None:
    buyer = resident()
    order = _delivered(world, buyer, rt)
    with pytest.raises(ValidationFailed, match="between 1 and 5"):
        services.order_rate(
            actor=buyer,
            order=order,
            ratings=[
                services.RatingSpec(world.sayur.pk, 4),
                services.RatingSpec(world.telur.pk, stars),
            ],
        )
    assert not OrderRating.objects.exists()


def test_bad_rating_input_is_refused(world: Market, rt: Any, resident: Any) -> None:
    buyer = resident()
    order = _order(world, buyer, rt, (world.telur_offer, 1))  # only the egg UMKM
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    _deliver_all(world)
    order.refresh_from_db()
    cases = [
        ([], "at least one"),
        (_stars(world, sayur=4), "not in this order"),
        (_stars(world, telur=4) + _stars(world, telur=5), "twice"),
        ([services.RatingSpec(world.telur.pk, 4, "x" * 201)], "under 200"),
        ([services.RatingSpec(world.telur.pk, 2, "telepon 0812 3456 7890")], "phone"),
    ]
    for ratings, message in cases:
        with pytest.raises(ValidationFailed, match=message):
            services.order_rate(actor=buyer, order=order, ratings=ratings)
    assert not OrderRating.objects.exists()
    services.order_rate(actor=buyer, order=order, ratings=_stars(world, telur=4))


def test_ratings_on_the_dashboard_csv_and_public_catalogue_from_three(
    world: Market, kelurahan: Any, rt: Any, resident: Any, login: Any
) -> None:
    buyers = [resident() for _ in range(3)]
    orders = [_order(world, b, rt, (world.telur_offer, 1)) for b in buyers]
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    _deliver_all(world)
    for buyer, order, stars in zip(buyers[:2], orders, (5, 4), strict=False):
        services.order_rate(
            actor=buyer,
            order=order,
            ratings=[services.RatingSpec(world.telur.pk, stars, "Telurnya bagus")],
        )
    catalogue = f"/k/{kelurahan.slug}/pasar/"
    assert "★" not in login(None).get(catalogue).content.decode()  # only 2 ratings
    services.order_rate(actor=buyers[2], order=orders[2], ratings=_stars(world, telur=3))
    public = login(None).get(catalogue).content.decode()
    assert "★ 4.0" in public or "★ 4,0" in public
    assert "Telurnya bagus" not in public  # comments are not public

    [sales] = [
        s for s in selectors.umkm_sales(kelurahan=kelurahan) if s.organisation == world.telur
    ]
    assert sales.rating is not None and (sales.rating.average, sales.rating.count) == (4.0, 3)
    seller = verified(resident())
    services.seller_add(actor=world.operator, organisation=world.telur, user=seller)
    from gotong.accounts.services import membership_grant

    membership_grant(actor=world.operator, kelurahan=kelurahan, phone=seller.phone, role=Role.UMKM)
    client = login(seller)
    page = client.get(f"/k/{kelurahan.slug}/pasar/umkm/").content.decode()
    assert "Telurnya bagus" in page and ("★ 4.0" in page or "★ 4,0" in page)
    assert buyers[0].phone not in page
    csv_text = client.get(f"/k/{kelurahan.slug}/pasar/umkm/?format=csv").content.decode()
    header, first = csv_text.splitlines()[:2]
    assert header.endswith("rating_rata_rata,jumlah_rating")
    assert first.endswith(",4.0,3")


def test_rating_form_on_the_order_page_after_delivery(
    world: Market, kelurahan: Any, rt: Any, resident: Any, login: Any
) -> None:
    buyer = resident()
    order = _order(world, buyer, rt, (world.bundle_offer, 1))
    client = login(buyer)
    page = f"/k/{kelurahan.slug}/pasar/pesanan/{order.pk}/"
    assert 'id="rate"' not in client.get(page).content.decode()
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    _deliver_all(world)
    assert 'id="rate"' in client.get(page).content.decode()
    refused = client.post(page, {f"stars_{world.sayur.pk}": "9"})
    assert refused.status_code == 422 and not OrderRating.objects.exists()
    assert 'role="alert"' in refused.content.decode()
    done = client.post(
        page, {f"stars_{world.sayur.pk}": "5", f"comment_{world.sayur.pk}": "Mantap"}
    )
    assert done.status_code == 302
    assert OrderRating.objects.get().stars == 5
    shown = client.get(page).content.decode()
    assert 'id="rate"' not in shown and "Mantap" in shown
    assert login(resident()).get(page).status_code == 400  # not your order


def test_api_rating(world: Market, kelurahan: Any, rt: Any, resident: Any, login: Any) -> None:
    buyer = resident()
    order = _delivered(world, buyer, rt)
    url = f"/api/v1/k/{kelurahan.slug}/market/orders/{order.pk}/rating"
    body = {"ratings": [{"organisation_id": world.kerupuk.pk, "stars": 4}]}
    assert login(resident()).post(url, body, content_type="application/json").status_code == 404
    bad = {"ratings": [{"organisation_id": world.kerupuk.pk, "stars": 0}]}
    assert login(buyer).post(url, bad, content_type="application/json").status_code == 422
    made = login(buyer).post(url, body, content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json() == [{"organisation_id": world.kerupuk.pk, "stars": 4, "comment": ""}]
    assert login(buyer).post(url, body, content_type="application/json").status_code == 409


# --------------------------------------------------------------------- fee snapshot


def test_changing_the_fee_rules_later_changes_neither_breakdown_nor_settlement(
    world: Market, kelurahan: Any, rt: Any, resident: Any
) -> None:
    assert (
        world.cycle.operations_fee_bp,
        world.cycle.delivery_fee,
        world.cycle.courier_share_bp,
    ) == (500, 5000, 10000)
    for _n in range(3):
        _order(world, resident(), rt, (world.bundle_offer, 1))
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    _deliver_all(world)
    before = selectors.cycle_breakdown(cycle=world.cycle)
    assert (before.operations_fee, before.delivery_fees, before.courier_share) == (
        3 * (300 + 1350 + 350),
        15000,
        15000,
    )
    services.settings_set(
        actor=world.operator,
        kelurahan=kelurahan,
        operations_fee_bp=1500,
        delivery_fee=9000,
        courier_share_bp=5000,
    )
    world.cycle.refresh_from_db()
    assert selectors.cycle_breakdown(cycle=world.cycle) == before
    services.cycle_settle(actor=world.operator, cycle=world.cycle)
    _settlement_matches_breakdown(world)
    world.cycle.refresh_from_db()
    postings = {
        p.account.kind: p.amount
        for p in Transfer.objects.get(pk=world.cycle.settlement_transfer_id or 0).postings.all()
        if p.account.kind != AccountKind.UMKM_PAYABLE
    }
    assert postings == {
        AccountKind.MARKET_CLEARING: before.buyers_paid,
        AccountKind.OPERATIONAL_FUND: -before.operations_fee,
        AccountKind.COURIER_PAYABLE: -15000,
    }
    assert selectors.cycle_breakdown(cycle=world.cycle) == before


def test_a_cycle_opened_after_a_change_uses_the_new_rules(
    world: Market, kelurahan: Any, rt: Any, resident: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    services.settings_set(
        actor=world.operator,
        kelurahan=kelurahan,
        operations_fee_bp=1000,
        delivery_fee=7000,
        courier_share_bp=6000,
    )
    now = timezone.now()
    cycle = services.cycle_open(
        actor=world.operator,
        kelurahan=kelurahan,
        title="Minggu depan",
        opens_at=now - dt.timedelta(minutes=5),
        closes_at=now + dt.timedelta(hours=24),
        delivery_date=timezone.localdate() + dt.timedelta(days=2),
        offers=[services.OfferSpec(product=world.telur_kg)],
    )
    assert (cycle.operations_fee_bp, cycle.delivery_fee, cycle.courier_share_bp) == (
        1000,
        7000,
        6000,
    )
    old = _order(world, resident(), rt, (world.telur_offer, 1))
    new = services.order_place(
        actor=resident(),
        cycle=cycle,
        lines=[services.LineSpec(offer=cycle.offers.get(), quantity=1)],
        fulfilment="delivery",
        rt=rt,
        address_note="Gang Melati",
    )
    assert (old.delivery_fee, new.delivery_fee) == (5000, 7000)


# ------------------------------------------------------------------- courier payouts


@pytest.fixture
def officers(kelurahan: Any, make_member: Any) -> Officers:
    return Officers(kelurahan, make_member)


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
        _order(world, resident(), rt, (world.bundle_offer, 1), location=(-7.63 + i / 500, 111.52))
    _order(world, resident(), rt, (world.telur_offer, 1), fulfilment="pickup", address_note="")
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    services.routes_plan(actor=world.operator, cycle=world.cycle, couriers=[small, big])
    _deliver_all(world)
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


def test_fees_of_orders_on_no_route_are_shown_and_stay_in_the_account(
    world: Market, kelurahan: Any, rt: Any, resident: Any, login: Any, officers: Officers
) -> None:
    _order(world, resident(), rt, (world.bundle_offer, 1))
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    _deliver_all(world)  # an officer recorded it without a route plan
    services.cycle_settle(actor=world.operator, cycle=world.cycle)
    [share] = selectors.courier_shares(cycle=world.cycle)
    assert share.courier is None and share.amount == 5000
    with pytest.raises(Conflict, match="waiting"):
        services.cycle_courier_payouts_request(actor=world.operator, cycle=world.cycle)
    page = login(world.operator).get(f"/k/{kelurahan.slug}/pasar/siklus/{world.cycle.pk}/keuangan/")
    assert "Rp 5.000" in page.content.decode() and 'id="ask-courier-payouts"' not in (
        page.content.decode()
    )


def test_courier_payouts_from_the_money_page(
    world: Market,
    kelurahan: Any,
    rt: Any,
    resident: Any,
    make_member: Any,
    officers: Officers,
    login: Any,
) -> None:
    _routed_cycle(world, kelurahan, rt, resident, make_member)
    services.cycle_settle(actor=world.operator, cycle=world.cycle)
    page = f"/k/{kelurahan.slug}/pasar/siklus/{world.cycle.pk}/keuangan/"
    operator = login(world.operator)
    assert 'id="ask-courier-payouts"' in operator.get(page).content.decode()
    operator.post(page, {"action": "courier_payouts", "pay_by_cash": "1"})
    payouts = list(CourierPayout.objects.order_by("pk"))
    assert len(payouts) == 2 and all(p.disbursement_id for p in payouts)
    for officer in (officers.lurah, officers.admin):
        client = login(officer)
        for payout in payouts:
            client.post(page, {"action": "approve", "courier_payout": payout.pk})
    treasurer = login(officers.treasurer)
    for payout in payouts:
        treasurer.post(page, {"action": "pay", "courier_payout": payout.pk, "receipt": photo()})
    assert {d.status for d in Disbursement.objects.all()} == {"paid"}
    body = treasurer.get(page).content.decode()
    assert body.count('id="courier-payout-') == 2
    api = login(world.operator).post(
        f"/api/v1/k/{kelurahan.slug}/market/cycles/{world.cycle.pk}/courier-payouts",
        {"pay_by_cash": False},
        content_type="application/json",
    )
    assert api.status_code == 409


# ------------------------------------------------------------- voucher code guessing


def test_wrong_voucher_codes_at_ordering_are_limited_per_buyer(
    world: Market, kelurahan: Any, rt: Any, resident: Any, login: Any
) -> None:
    from gotong.funds.models import VoucherCodeFailure
    from gotong.funds.services import VOUCHER_WRONG_CODES_PER_BUYER_PER_HOUR as LIMIT

    client = login(resident())
    url = f"/api/v1/k/{kelurahan.slug}/market/cycles/{world.cycle.pk}/orders"
    body = {
        "lines": [{"offer_id": world.bundle_offer.pk, "quantity": 1}],
        "fulfilment": "pickup",
        "rt_id": rt.pk,
        "payment_method": "voucher",
        "voucher_code": "AAAA-BBBB-CCCC",
    }
    for _n in range(LIMIT):
        assert client.post(url, body, content_type="application/json").status_code == 404
    assert VoucherCodeFailure.objects.count() == LIMIT
    assert client.post(url, body, content_type="application/json").status_code == 429
    page = client.post(
        f"/k/{kelurahan.slug}/pasar/siklus/{world.cycle.pk}/pesan/",
        {
            f"qty_{world.bundle_offer.pk}": "1",
            "fulfilment": "pickup",
            "rt": rt.pk,
            "payment_method": "voucher",
            "voucher_code": "AAAA-BBBB-CCCC",
        },
    )
    assert page.status_code == 200 and not Order.objects.exists()


@pytest.mark.parametrize(
    ("method", "paid", "expected"),
    [
        ("cod", 0, 45_000),  # everything at the door
        ("voucher", 30_000, 15_000),  # the rest a voucher did not cover
        ("voucher", 45_000, 0),
        ("qris", 0, 0),  # paid by QRIS, never in cash at the door
    ],
)
def test_the_courier_collects_only_the_cash_part_of_an_order(
    method: str, paid: int, expected: int
) -> None:
    order = Order(
        payment_method=method,
        status=OrderStatus.CONFIRMED,
        goods_total=40_000,
        delivery_fee=5_000,
        paid_amount=paid,
    )
    assert order.cash_to_collect == expected
