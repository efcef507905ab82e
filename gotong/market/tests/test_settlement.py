"""Payment, settlement and aid through the market on the funds ledger: QRIS confirmed by
the treasurer, cash at the door, aid vouchers (category of every line, once, up to the
order total), aid orders, the cycle's settlement (balances to zero and equals the public
breakdown, with thresholds met and not met, once), UMKM payouts (proof, a second
officer), and the campaign that fills a group buy's gap."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gotong.accounts.models import Role
from gotong.activities.tests.factories import photo
from gotong.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from gotong.funds import selectors as funds_selectors
from gotong.funds import services as funds_services
from gotong.funds.models import Account, AccountKind, Transfer, TransferKind, Voucher
from gotong.funds.tests.factories import campaign as make_campaign
from gotong.funds.tests.factories import confirmed_donation
from gotong.needs.models import Need
from gotong.needs.tests.factories import resident as registered_resident
from gotong.transparency.models import LogEntry

from .. import selectors, services
from ..models import CycleStatus, CycleStock, LineStatus, Order, OrderStatus, ThresholdRule
from .factories import Market, verified

pytestmark = pytest.mark.django_db


class Officers:
    def __init__(self, kelurahan: Any, make_member: Any) -> None:
        self.treasurer = verified(make_member(Role.BENDAHARA, kelurahan))
        self.admin = verified(make_member(Role.ADMIN, kelurahan))
        self.lurah = verified(make_member(Role.LURAH, kelurahan))


@pytest.fixture
def officers(kelurahan: Any, make_member: Any) -> Officers:
    return Officers(kelurahan, make_member)


def _order(world: Market, buyer: Any, rt: Any, *lines: tuple[Any, int], **kw: Any) -> Order:
    specs = [
        services.LineSpec(offer=o, quantity=q, fallback=kw.pop(f"fb{i}", None))
        for i, (o, q) in enumerate(lines)
    ]
    kw.setdefault("fulfilment", "delivery")
    kw.setdefault("address_note", "Gang Mawar 3")
    return services.order_place(actor=buyer, cycle=world.cycle, lines=specs, rt=rt, **kw)


def _deliver_all(world: Market) -> None:
    for order in Order.objects.filter(cycle=world.cycle, status=OrderStatus.CONFIRMED):
        cash = order.balance_due if order.payment_method in ("cod", "voucher") else None
        services.dropoff_record(
            actor=world.operator,
            order=order,
            code=selectors.recipient_code(order),
            cash_collected=cash or None,
        )
    world.cycle.refresh_from_db()


def _account(kelurahan: Any, kind: str) -> Account:
    return funds_services.market_accounts(kelurahan=kelurahan)[kind]


def _balance(account: Account) -> int:
    account.refresh_from_db()
    return account.balance


def _settlement_matches_breakdown(world: Market) -> Transfer:
    """The settlement transfer sums to zero and posts exactly the public breakdown."""
    kelurahan = world.cycle.kelurahan
    world.cycle.refresh_from_db()
    transfer = Transfer.objects.get(pk=world.cycle.settlement_transfer_id or 0)
    assert transfer.kind == TransferKind.MARKET_SETTLEMENT
    postings = {p.account_id: p.amount for p in transfer.postings.all()}
    assert sum(postings.values()) == 0
    split = selectors.cycle_breakdown(cycle=world.cycle)
    assert split.balance == 0
    assert postings[_account(kelurahan, AccountKind.MARKET_CLEARING).pk] == split.buyers_paid
    # An account with nothing to receive is not posted to (e.g. no operations fee when
    # aid money paid everything).
    operations = postings.get(_account(kelurahan, AccountKind.OPERATIONAL_FUND).pk, 0)
    assert operations == -(split.operations_fee + split.delivery_to_operations)
    couriers = postings.get(_account(kelurahan, AccountKind.COURIER_PAYABLE).pk, 0)
    assert couriers == -split.courier_share
    owed = {
        a.organisation_id: postings[a.pk]
        for a in Account.objects.filter(pk__in=postings, kind=AccountKind.UMKM_PAYABLE)
    }
    assert owed == {
        pk: -net for pk, (_n, _g, _f, net) in zip(split.umkm_ids, split.umkm, strict=True)
    }
    assert funds_selectors.ledger_reconcile(kelurahan=kelurahan).balanced
    return transfer


def test_lifecycle_thresholds_not_met_settles_to_zero_as_the_breakdown(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers
) -> None:
    """QRIS paid before closing (part refunded at closing: owed back), a COD line
    cancelled at closing, COD at the door; the rice sack misses its threshold."""
    funds_services.funds_profile_set(
        actor=officers.treasurer, kelurahan=kelurahan, qris_static_payload=_static_qris()
    )
    a, b, c = resident(), resident(), resident()
    qris = _order(
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
    cancelled = _order(world, b, rt, (world.beras_offer, 1), fulfilment="pickup", address_note="")
    cod = _order(world, c, rt, (world.telur_offer, 1))

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
    _deliver_all(world)
    assert world.cycle.status == CycleStatus.FULFILLED
    cod.refresh_from_db()
    assert cod.paid_amount == cod.total == cod.cash_collected

    services.cycle_settle(actor=world.operator, cycle=world.cycle)
    _settlement_matches_breakdown(world)
    clearing = _account(kelurahan, AccountKind.MARKET_CLEARING)
    assert _balance(clearing) == 32000  # what the QRIS buyer is owed back
    with pytest.raises(ValidationFailed, match="photo"):
        services.order_refund_pay(actor=officers.treasurer, order=qris)
    services.order_refund_pay(actor=officers.treasurer, order=qris, proof=photo())
    assert _balance(clearing) == 0
    with pytest.raises(Conflict):
        services.order_refund_pay(actor=officers.treasurer, order=qris, proof=photo())


def test_lifecycle_thresholds_met_settles_to_zero_as_the_breakdown(
    world: Market, rt: Any, resident: Any
) -> None:
    for n in range(5):
        _order(world, resident(), rt, (world.beras_offer, 2), (world.bundle_offer, n % 2 + 1))
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    world.beras_offer.refresh_from_db()
    assert world.beras_offer.threshold_met is True
    _deliver_all(world)
    services.cycle_settle(actor=world.operator, cycle=world.cycle)
    transfer = _settlement_matches_breakdown(world)
    assert transfer.amount == selectors.cycle_breakdown(cycle=world.cycle).buyers_paid


def test_settling_twice_is_refused_or_replayed(world: Market, rt: Any, resident: Any) -> None:
    _order(world, resident(), rt, (world.bundle_offer, 1))
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    _deliver_all(world)
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
    order = _order(world, resident(), rt, (world.bundle_offer, 1), payment_method="qris")
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    _deliver_all(world)
    with pytest.raises(Conflict, match=order.code):
        services.cycle_settle(actor=world.operator, cycle=world.cycle)
    world.cycle.refresh_from_db()
    assert world.cycle.settled_at is None
    services.order_payment_confirm(actor=officers.treasurer, order=order, receipt=photo())
    services.cycle_settle(actor=world.operator, cycle=world.cycle)
    _settlement_matches_breakdown(world)


def _voucher(
    world: Market, officers: Officers, rt: Any, value: int, *, partial: bool = False
) -> str:
    kelurahan = world.cycle.kelurahan
    confirmed_donation(officers.treasurer, officers.admin, kelurahan, 1_000_000, target="aid_fund")
    aid = _account(kelurahan, AccountKind.AID_FUND)
    [(_v, code)] = funds_services.voucher_issue(
        actor=world.operator,
        source=aid,
        category="sembako",
        value=value,
        count=1,
        rt=rt,
        allow_partial=partial,
    )
    return code


def test_a_voucher_of_the_wrong_category_is_refused_and_nothing_changes(
    world: Market, rt: Any, resident: Any, officers: Officers
) -> None:
    code = _voucher(world, officers, rt, 100_000)
    entries = LogEntry.objects.count()
    transfers = Transfer.objects.count()
    with pytest.raises(ValidationFailed, match="cannot pay for: Telur"):
        _order(
            world,
            resident(),
            rt,
            (world.bundle_offer, 1),
            (world.telur_offer, 1),
            payment_method="voucher",
            voucher_code=code,
        )
    with pytest.raises(NotFound):
        _order(
            world,
            resident(),
            rt,
            (world.bundle_offer, 1),
            payment_method="voucher",
            voucher_code="AAAA-BBBB-CCCC",
        )
    assert not Order.objects.exists()
    assert CycleStock.objects.get(cycle=world.cycle, product=world.telur_kg).used == 0
    assert Voucher.objects.get().remaining == 100_000
    assert LogEntry.objects.count() == entries and Transfer.objects.count() == transfers


def test_a_voucher_pays_up_to_the_total_once_and_cash_pays_the_rest(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers
) -> None:
    full = _voucher(world, officers, rt, 100_000)
    with pytest.raises(ValidationFailed, match="in full"):
        _order(
            world,
            resident(),
            rt,
            (world.bundle_offer, 1),
            payment_method="voucher",
            voucher_code=full,
        )
    small = _voucher(world, officers, rt, 30_000)
    order = _order(
        world,
        resident(),
        rt,
        (world.bundle_offer, 1),
        payment_method="voucher",
        voucher_code=small,
    )
    assert order.voucher_amount == 30_000 and order.balance_due == 45_000 - 30_000
    with pytest.raises(Conflict, match="already used"):
        _order(
            world,
            resident(),
            rt,
            (world.beras_offer, 1),
            payment_method="voucher",
            voucher_code=small,
        )
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    order.refresh_from_db()
    with pytest.raises(ValidationFailed, match="15.000"):
        services.dropoff_record(
            actor=world.operator,
            order=order,
            code=selectors.recipient_code(order),
            cash_collected=45_000,
        )
    _deliver_all(world)
    services.cycle_settle(actor=world.operator, cycle=world.cycle)
    _settlement_matches_breakdown(world)
    assert _balance(_account(kelurahan, AccountKind.MARKET_CLEARING)) == 0


def test_a_voucher_line_cancelled_at_closing_gives_the_value_back(
    world: Market, rt: Any, resident: Any, officers: Officers
) -> None:
    code = _voucher(world, officers, rt, 200_000, partial=True)
    order = _order(
        world,
        resident(),
        rt,
        (world.bundle_offer, 1),
        (world.beras_offer, 1),
        payment_method="voucher",
        voucher_code=code,
    )
    assert Voucher.objects.get().remaining == 200_000 - (40_000 + 60_000 + 5_000)
    services.cycle_close(actor=world.operator, cycle=world.cycle)  # rice: no fallback
    order.refresh_from_db()
    assert order.lines.get(offer=world.beras_offer).status == LineStatus.CANCELLED
    assert order.refund_owed == 0 and order.returned_amount == 60_000
    assert Voucher.objects.get().remaining == 200_000 - 45_000


def test_an_aid_order_is_paid_from_the_aid_fund_and_settled(
    world: Market, kelurahan: Any, rt: Any, officers: Officers, make_member: Any
) -> None:
    from gotong.activities.tests.conftest import plan
    from gotong.activities.tests.factories import approved_need, elderly, volunteer

    rw_head = make_member(Role.KETUA_RW, rt.rw)
    need = approved_need(make_member(Role.KETUA_RT, rt), rw_head, elderly(rt))
    activity = plan(rt, rw_head, volunteer(rt), [need])
    aid = _account(kelurahan, AccountKind.AID_FUND)
    with pytest.raises(ValidationFailed, match="Not enough balance"):
        services.aid_order_place(
            actor=world.operator, activity=activity, need=need, offer=world.bundle_offer
        )
    assert not Order.objects.exists()
    confirmed_donation(officers.treasurer, officers.admin, kelurahan, 500_000, target="aid_fund")
    order = services.aid_order_place(
        actor=world.operator, activity=activity, need=need, offer=world.bundle_offer
    )
    assert order.paid_amount == order.total == 45_000 and order.balance_due == 0
    assert _balance(aid) == 500_000 - 45_000
    assert Transfer.objects.get(kind=TransferKind.SPEND).activity_id == activity.pk
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    _deliver_all(world)
    services.cycle_settle(actor=world.operator, cycle=world.cycle)
    _settlement_matches_breakdown(world)


def test_payout_needs_proof_and_a_second_officer(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers
) -> None:
    for _n in range(2):
        _order(world, resident(), rt, (world.bundle_offer, 1))
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    _deliver_all(world)
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
    assert _balance(payable) == 0
    views = {v.payout.organisation_id: v for v in selectors.cycle_payouts(cycle=world.cycle)}
    assert views[world.telur.pk].status == "paid" and views[world.sayur.pk].status == "requested"


def _needs(kelurahan: Any, rt: Any, count: int) -> list[Need]:
    return [
        Need.objects.create(
            kelurahan=kelurahan,
            rt=rt,
            category="pangan",
            description="Beras untuk lansia",
            urgency="tinggi",
            needed_by=timezone.now() + dt.timedelta(days=3),
            beneficiary_person=registered_resident(rt),
            raised_via="self",
            status="approved",
        )
        for _ in range(count)
    ]


def _gap_world(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers, balance: int
) -> Any:
    fund = make_campaign(world.operator, kelurahan, title="Beras bersama")
    if balance:
        confirmed_donation(officers.treasurer, officers.admin, kelurahan, balance, campaign=fund)
    services.offer_gap_campaign_set(actor=world.operator, offer=world.beras_offer, campaign=fund)
    for _n in range(8):
        _order(world, resident(), rt, (world.beras_offer, 1), fb0=world.telur_offer)
    _needs(kelurahan, rt, 3)
    return fund


def test_a_campaign_fills_the_gap_of_a_group_buy_for_open_needs(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers
) -> None:
    fund = _gap_world(world, kelurahan, rt, resident, officers, 200_000)
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    world.beras_offer.refresh_from_db()
    assert world.beras_offer.threshold_met is True and world.beras_offer.gap_filled == 2
    aid = Order.objects.filter(cycle=world.cycle, payment_method="aid")
    assert aid.count() == 2 and {o.status for o in aid} == {OrderStatus.CONFIRMED}
    assert len({o.need_id for o in aid}) == 2
    fund.account.refresh_from_db()
    assert fund.account.balance == 200_000 - 2 * (60_000 + 5_000)
    assert {line.status for o in Order.objects.all() for line in o.lines.all()} == {
        LineStatus.CONFIRMED
    }
    _deliver_all(world)
    services.cycle_settle(actor=world.operator, cycle=world.cycle)
    _settlement_matches_breakdown(world)


def test_without_enough_campaign_money_the_normal_rule_applies(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers
) -> None:
    fund = _gap_world(world, kelurahan, rt, resident, officers, 100_000)
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    world.beras_offer.refresh_from_db()
    assert world.beras_offer.threshold_met is False and world.beras_offer.gap_filled == 0
    assert not Order.objects.filter(payment_method="aid").exists()
    assert {line.status for o in Order.objects.all() for line in o.lines.all()} == {
        LineStatus.FALLBACK
    }
    fund.account.refresh_from_db()
    assert fund.account.balance == 100_000
    assert LogEntry.objects.filter(type="market.gap_not_filled").exists()


def test_a_gap_campaign_needs_a_threshold_and_an_aid_item(world: Market, kelurahan: Any) -> None:
    fund = make_campaign(world.operator, kelurahan)
    with pytest.raises(ValidationFailed):
        services.offer_gap_campaign_set(
            actor=world.operator, offer=world.telur_offer, campaign=fund
        )
    assert world.telur_offer.threshold_rule == ThresholdRule.CANCEL


def _static_qris() -> str:
    import qriskit

    return str(
        qriskit.build(
            merchant_name="KEL UJI",
            merchant_city="MADIUN",
            mcc="9399",
            postal_code="63139",
            accounts=[qriskit.MerchantAccount.national(nmid="ID1099900000009", criteria="UMI")],
        )
    )


# ------------------------------------------------------------------------ API and pages


def _api(kelurahan: Any, path: str) -> str:
    return f"/api/v1/k/{kelurahan.slug}/market/{path}"


def test_api_order_with_a_wrong_voucher_is_refused_and_qris_order_shows_its_code(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers, login: Any
) -> None:
    funds_services.funds_profile_set(
        actor=officers.treasurer, kelurahan=kelurahan, qris_static_payload=_static_qris()
    )
    code = _voucher(world, officers, rt, 100_000)
    buyer = login(resident())
    body = {
        "lines": [{"offer_id": world.telur_offer.pk, "quantity": 1}],
        "fulfilment": "pickup",
        "rt_id": rt.pk,
        "payment_method": "voucher",
        "voucher_code": code,
    }
    refused = buyer.post(
        _api(kelurahan, f"cycles/{world.cycle.pk}/orders"), body, content_type="application/json"
    )
    assert refused.status_code == 422 and "Telur" in refused.json()["message"]
    assert not Order.objects.exists() and Voucher.objects.get().remaining == 100_000
    body.update(payment_method="qris", voucher_code="")
    made = buyer.post(
        _api(kelurahan, f"cycles/{world.cycle.pk}/orders"), body, content_type="application/json"
    )
    assert made.status_code == 201, made.content
    order = made.json()
    assert order["balance_due"] == 28_000 and order["payment_reference"] == order["code"]
    facts = funds_services.qris.qris_check(order["qris_payload"])
    assert facts.amount == 28_000 and facts.reference == order["code"]
    shown = buyer.get(_api(kelurahan, f"orders/{order['id']}")).json()
    assert shown["qris_payload"] == order["qris_payload"]
    page = buyer.get(f"/k/{kelurahan.slug}/pasar/pesanan/{order['id']}/").content.decode()
    assert "<svg" in page and order["code"] in page


def test_api_treasurer_confirms_then_operator_settles_once(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers, login: Any
) -> None:
    order = _order(world, resident(), rt, (world.bundle_offer, 1), payment_method="qris")
    url = _api(kelurahan, f"orders/{order.pk}/payment")
    operator, treasurer = login(world.operator), login(officers.treasurer)
    assert operator.post(url, {"receipt": photo()}).status_code == 403
    assert treasurer.post(url, {}).status_code == 422  # no photo
    first = treasurer.post(url, {"receipt": photo()}, HTTP_IDEMPOTENCY_KEY="pay-1")
    again = treasurer.post(url, {"receipt": photo()}, HTTP_IDEMPOTENCY_KEY="pay-1")
    assert first.status_code == again.status_code == 200, first.content
    assert first.json()["paid"] == again.json()["paid"] == 45_000
    assert Transfer.objects.filter(kind=TransferKind.MARKET_PAYMENT).count() == 1

    settle = _api(kelurahan, f"cycles/{world.cycle.pk}/settle")
    assert operator.post(settle).status_code == 409  # not delivered yet
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    _deliver_all(world)
    assert login(resident()).post(settle).status_code == 403
    done = operator.post(settle, HTTP_IDEMPOTENCY_KEY="settle-1")
    replay = operator.post(settle, HTTP_IDEMPOTENCY_KEY="settle-1")
    assert done.status_code == replay.status_code == 200, done.content
    assert done.json() == replay.json() and done.json()["settled"] and done.json()["balance"] == 0
    assert operator.post(settle).status_code == 409
    public = login(None).get(_api(kelurahan, f"cycles/{world.cycle.pk}/settlement")).json()
    assert public["transfer_id"] == done.json()["transfer_id"]
    assert (
        sum(u["net"] for u in public["umkm"])
        + public["operations_fee"]
        + public["courier_share"]
        + public["delivery_to_operations"]
        == public["buyers_paid"]
    )
    payouts = operator.post(
        _api(kelurahan, f"cycles/{world.cycle.pk}/payouts"),
        {"pay_by_cash": False},
        content_type="application/json",
    )
    assert payouts.status_code == 200 and len(payouts.json()) == 3
    _settlement_matches_breakdown(world)


def test_money_page_for_officers_and_the_treasurer(
    world: Market, kelurahan: Any, rt: Any, resident: Any, officers: Officers, login: Any
) -> None:
    order = _order(world, resident(), rt, (world.bundle_offer, 1), payment_method="qris")
    page = f"/k/{kelurahan.slug}/pasar/siklus/{world.cycle.pk}/keuangan/"
    assert login(resident()).get(page).status_code == 403
    treasurer = login(officers.treasurer)
    assert order.code in treasurer.get(page).content.decode()
    treasurer.post(page, {"action": "confirm", "order": order.pk, "receipt": photo()})
    assert Order.objects.get(pk=order.pk).paid_amount == 45_000
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    _deliver_all(world)
    operator = login(world.operator)
    sheet = operator.get(f"/k/{kelurahan.slug}/pasar/siklus/{world.cycle.pk}/").content.decode()
    assert 'id="cycle-money"' in sheet
    assert 'id="settle"' in operator.get(page).content.decode()
    operator.post(page, {"action": "settle"})
    operator.post(page, {"action": "payouts", "pay_by_cash": "1"})
    world.cycle.refresh_from_db()
    assert world.cycle.settled_at is not None
    body = login(officers.lurah).get(page).content.decode()
    assert body.count(">Approve<") + body.count(">Setujui<") == 3
    refused = operator.post(page, {"action": "settle"}, follow=True).content.decode()
    assert "already settled" in refused or "sudah" in refused
