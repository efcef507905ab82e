"""Market API: catalogue, the current cycle and its offers, orders, cycle operations."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from gotong.accounts.permissions import api_route
from gotong.core.exceptions import NotFound, PermissionDenied
from gotong.core.schemas import StrictId, StrictInt, StrictInt64
from gotong.territory import selectors as territory_selectors
from gotong.territory.middleware import request_kelurahan

from . import selectors, services
from .models import Fulfilment, Order, PaymentMethod
from .views import voucher_guard

router = Router(tags=["market"])


class ProductOut(Schema):
    id: int
    name: str
    umkm: str
    category: str
    unit: str
    price: int
    halal_certificate: str
    pirt_number: str


class OfferOut(Schema):
    id: int
    name: str
    price: int
    left: int
    is_bundle: bool
    threshold: int | None
    ordered: int


class CycleOut(Schema):
    id: int
    title: str
    status: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    delivery_date: dt.date
    offers: list[OfferOut]


class LineIn(Schema):
    offer_id: StrictId
    quantity: StrictInt = Field(..., ge=1, le=50)
    fallback_offer_id: StrictId | None = None


class OrderIn(Schema):
    lines: list[LineIn] = Field(..., min_length=1, max_length=30)
    fulfilment: Fulfilment
    rt_id: StrictId
    address_note: str = Field("", max_length=200)
    payment_method: PaymentMethod = PaymentMethod.COD
    voucher_code: str = Field("", max_length=200)
    marketplace_consent: bool = Field(
        False, description="The buyer agrees to the 'Pasar lokal' consent in this step."
    )


class OrderOut(Schema):
    id: int
    code: str
    status: str
    goods_total: int
    refund_total: int
    delivery_fee: int
    total: int
    payment_method: str
    payment_reference: str
    paid: int
    voucher_amount: int
    balance_due: int
    refund_owed: int
    qris_payload: str | None = None


def _order_out(order: Order) -> dict[str, Any]:
    return {
        "id": order.pk,
        "code": order.code,
        "status": order.status,
        "goods_total": order.goods_total,
        "refund_total": order.refund_total,
        "delivery_fee": order.delivery_fee,
        "total": order.total,
        "payment_method": order.payment_method,
        "payment_reference": order.payment_reference,
        "paid": order.paid_net,
        "voucher_amount": order.voucher_amount,
        "balance_due": order.balance_due,
        "refund_owed": order.refund_owed,
        "qris_payload": selectors.order_qris_payload(order=order),
    }


def _key(request: HttpRequest) -> str | None:
    return request.headers.get("Idempotency-Key") or None


class UmkmShareOut(Schema):
    umkm: str
    organisation_id: int
    gross: int
    aid: int  # paid with aid money (aid orders, vouchers): no operations fee on it
    fee: int
    net: int


class SettlementOut(Schema):
    cycle_id: int
    status: str
    settled: bool
    transfer_id: int | None
    buyers_paid: int
    goods: int
    operations_fee: int
    delivery_fees: int
    courier_share: int
    delivery_to_operations: int
    aid_goods: int
    aid_delivery: int
    balance: int
    umkm: list[UmkmShareOut]


class PayoutsIn(Schema):
    pay_by_cash: bool = False


class PayoutOut(Schema):
    id: int
    organisation_id: int
    amount: int
    disbursement_id: int | None


@api_route(router.get, "/k/{slug}/market/products", perm="market.view", response=list[ProductOut])
def product_list(request: HttpRequest, slug: str) -> Any:
    kelurahan = request_kelurahan(request)
    return [
        {
            "id": p.pk,
            "name": p.name,
            "umkm": p.organisation.name,
            "category": p.category,
            "unit": p.unit,
            "price": p.price,
            "halal_certificate": p.halal_certificate,
            "pirt_number": p.pirt_number,
        }
        for p in selectors.product_catalogue(kelurahan=kelurahan)[:500]
    ]


@api_route(router.get, "/k/{slug}/market/cycles/{cycle_id}", perm="market.view", response=CycleOut)
def cycle_detail(request: HttpRequest, slug: str, cycle_id: int) -> Any:
    cycle = selectors.cycle_get(kelurahan=request_kelurahan(request), pk=cycle_id)
    return {
        "id": cycle.pk,
        "title": cycle.title,
        "status": cycle.status,
        "opens_at": cycle.opens_at,
        "closes_at": cycle.closes_at,
        "delivery_date": cycle.delivery_date,
        "offers": [
            {
                "id": v.offer.pk,
                "name": v.name,
                "price": v.price,
                "left": v.left,
                "is_bundle": bool(v.offer.bundle_id),
                "threshold": v.offer.threshold,
                "ordered": v.offer.ordered,
            }
            for v in selectors.offer_list(cycle=cycle)
        ],
    }


@api_route(
    router.post,
    "/k/{slug}/market/cycles/{cycle_id}/orders",
    perm="market.order",
    response={201: OrderOut},
)
def order_create(request: HttpRequest, slug: str, cycle_id: int, payload: OrderIn) -> Any:
    kelurahan = request_kelurahan(request)
    cycle = selectors.cycle_get(kelurahan=kelurahan, pk=cycle_id)
    rt = territory_selectors.rt_get(kelurahan=kelurahan, pk=payload.rt_id)
    lines = [
        services.LineSpec(
            offer=selectors.offer_get(cycle=cycle, pk=line.offer_id),
            quantity=line.quantity,
            fallback=selectors.offer_get(cycle=cycle, pk=line.fallback_offer_id)
            if line.fallback_offer_id
            else None,
        )
        for line in payload.lines
    ]
    with voucher_guard(request, kelurahan, payload.voucher_code):
        order = services.order_place(
            actor=request.user,
            cycle=cycle,
            lines=lines,
            fulfilment=payload.fulfilment,
            rt=rt,
            address_note=payload.address_note,
            payment_method=payload.payment_method,
            voucher_code=payload.voucher_code,
            marketplace_consent=payload.marketplace_consent,
        )
    return Status(201, _order_out(order))


@api_route(router.get, "/k/{slug}/market/orders/{order_id}", perm="market.order", response=OrderOut)
def order_detail(request: HttpRequest, slug: str, order_id: int) -> Any:
    order = selectors.order_get(kelurahan=request_kelurahan(request), pk=order_id)
    if order.buyer_id != request.user.pk:
        raise NotFound("Pesanan tidak ditemukan.")
    return _order_out(order)


@api_route(
    router.post, "/k/{slug}/market/cycles/{cycle_id}/close", perm="market.manage", response=CycleOut
)
def cycle_close(request: HttpRequest, slug: str, cycle_id: int) -> Any:
    cycle = selectors.cycle_get(kelurahan=request_kelurahan(request), pk=cycle_id)
    services.cycle_close(actor=request.user, cycle=cycle)
    return cycle_detail(request, slug, cycle_id)


@api_route(router.post, "/k/{slug}/market/cycles/{cycle_id}/routes", perm="market.manage")
def routes_plan(request: HttpRequest, slug: str, cycle_id: int) -> Any:
    cycle = selectors.cycle_get(kelurahan=request_kelurahan(request), pk=cycle_id)
    plans = services.routes_plan(actor=request.user, cycle=cycle)
    return {
        "routes": [
            {"courier": p.courier.label, "distance_m": p.distance_m, "load": p.load} for p in plans
        ]
    }


@api_route(router.get, "/k/{slug}/market/cycles/{cycle_id}/picklists", perm="market.sell")
def pick_lists(request: HttpRequest, slug: str, cycle_id: int) -> Any:
    kelurahan = request_kelurahan(request)
    cycle = selectors.cycle_get(kelurahan=kelurahan, pk=cycle_id)
    mine = selectors.managed_organisation_ids(kelurahan=kelurahan, user=request.user)
    return [
        {"umkm": p.organisation.name, "items": p.items, "orders": p.orders, "revenue": p.revenue}
        for p in selectors.pick_lists(cycle=cycle)
        if mine is None or p.organisation.pk in mine
    ]


@api_route(
    router.post,
    "/k/{slug}/market/orders/{order_id}/payment",
    perm="funds.treasury",
    response=OrderOut,
)
def order_payment_confirm(
    request: HttpRequest,
    slug: str,
    order_id: int,
    amount: Form[int | None] = None,
    receipt: File[UploadedFile | None] = None,
) -> Any:
    """The treasurer confirms a QRIS payment with a photo of it (Idempotency-Key header)."""
    order = selectors.order_get(kelurahan=request_kelurahan(request), pk=order_id)
    order = services.order_payment_confirm(
        actor=request.user,
        order=order,
        amount=amount,
        receipt=receipt,
        idempotency_key=_key(request),
    )
    return _order_out(order)


@api_route(
    router.post,
    "/k/{slug}/market/orders/{order_id}/refund",
    perm="funds.treasury",
    response=OrderOut,
)
def order_refund_pay(
    request: HttpRequest, slug: str, order_id: int, proof: File[UploadedFile | None] = None
) -> Any:
    """The treasurer pays back what a QRIS buyer is owed, with proof (Idempotency-Key)."""
    order = selectors.order_get(kelurahan=request_kelurahan(request), pk=order_id)
    order = services.order_refund_pay(
        actor=request.user, order=order, proof=proof, idempotency_key=_key(request)
    )
    return _order_out(order)


def _settlement_out(cycle: Any) -> dict[str, Any]:
    split = selectors.cycle_breakdown(cycle=cycle)
    return {
        "cycle_id": cycle.pk,
        "status": cycle.status,
        "settled": cycle.settled_at is not None,
        "transfer_id": cycle.settlement_transfer_id,
        "buyers_paid": split.buyers_paid,
        "goods": split.goods,
        "operations_fee": split.operations_fee,
        "delivery_fees": split.delivery_fees,
        "courier_share": split.courier_share,
        "delivery_to_operations": split.delivery_to_operations,
        "aid_goods": split.aid_goods,
        "aid_delivery": split.aid_delivery,
        "balance": split.balance,
        "umkm": [
            {
                "umkm": name,
                "organisation_id": pk,
                "gross": gross,
                "aid": aid,
                "fee": fee,
                "net": net,
            }
            for pk, (name, gross, aid, fee, net) in zip(split.umkm_ids, split.rows, strict=True)
        ],
    }


@api_route(
    router.get,
    "/k/{slug}/market/cycles/{cycle_id}/settlement",
    perm="market.view",
    response=SettlementOut,
)
def cycle_settlement(request: HttpRequest, slug: str, cycle_id: int) -> Any:
    """The cycle's public fee split and whether it is posted to the ledger."""
    cycle = selectors.cycle_get(kelurahan=request_kelurahan(request), pk=cycle_id)
    return _settlement_out(cycle)


@api_route(
    router.post,
    "/k/{slug}/market/cycles/{cycle_id}/settle",
    perm="market.manage",
    response=SettlementOut,
)
def cycle_settle(request: HttpRequest, slug: str, cycle_id: int) -> Any:
    """Post the fulfilled cycle's settlement to the ledger, once (Idempotency-Key header:
    a retry is answered, not repeated)."""
    cycle = selectors.cycle_get(kelurahan=request_kelurahan(request), pk=cycle_id)
    cycle = services.cycle_settle(actor=request.user, cycle=cycle, idempotency_key=_key(request))
    return _settlement_out(cycle)


@api_route(
    router.post,
    "/k/{slug}/market/cycles/{cycle_id}/payouts",
    perm="funds.operate",
    response=list[PayoutOut],
)
def cycle_payouts(request: HttpRequest, slug: str, cycle_id: int, payload: PayoutsIn) -> Any:
    """Ask to pay each UMKM of a settled cycle (funds disbursements: two approvals by
    other officers at ``/funds/disbursements/{id}/approve``, then ``.../pay`` with proof)."""
    cycle = selectors.cycle_get(kelurahan=request_kelurahan(request), pk=cycle_id)
    payouts = services.cycle_payouts_request(
        actor=request.user, cycle=cycle, pay_by_cash=payload.pay_by_cash
    )
    return [
        {
            "id": p.pk,
            "organisation_id": p.organisation_id,
            "amount": p.amount,
            "disbursement_id": p.disbursement_id,
        }
        for p in payouts
    ]


class CourierPayoutOut(Schema):
    id: int
    courier_id: int
    deliveries: int
    amount: int
    disbursement_id: int | None


@api_route(
    router.post,
    "/k/{slug}/market/cycles/{cycle_id}/courier-payouts",
    perm="funds.operate",
    response=list[CourierPayoutOut],
)
def cycle_courier_payouts(
    request: HttpRequest, slug: str, cycle_id: int, payload: PayoutsIn
) -> Any:
    """Ask to pay each courier of a settled cycle their share of the delivery fees (funds
    disbursements: two approvals by other officers at ``/funds/disbursements/{id}/approve``,
    then ``.../pay`` with proof)."""
    cycle = selectors.cycle_get(kelurahan=request_kelurahan(request), pk=cycle_id)
    payouts = services.cycle_courier_payouts_request(
        actor=request.user, cycle=cycle, pay_by_cash=payload.pay_by_cash
    )
    return [
        {
            "id": p.pk,
            "courier_id": p.courier_id,
            "deliveries": p.deliveries,
            "amount": p.amount,
            "disbursement_id": p.disbursement_id,
        }
        for p in payouts
    ]


class RatingIn(Schema):
    organisation_id: StrictId
    stars: StrictInt64
    comment: str = Field("", max_length=200)


class RatingsIn(Schema):
    ratings: list[RatingIn] = Field(..., min_length=1, max_length=20)


class RatingOut(Schema):
    organisation_id: int
    stars: int
    comment: str


@api_route(
    router.post,
    "/k/{slug}/market/orders/{order_id}/rating",
    perm="market.order",
    response={201: list[RatingOut]},
)
def order_rate(request: HttpRequest, slug: str, order_id: int, payload: RatingsIn) -> Any:
    """The buyer rates each UMKM of their delivered order, once (1-5 stars, optional
    short comment that only the UMKM and officers see)."""
    order = selectors.order_get(kelurahan=request_kelurahan(request), pk=order_id)
    if order.buyer_id != request.user.pk:
        raise NotFound("Pesanan tidak ditemukan.")
    rows = services.order_rate(
        actor=request.user,
        order=order,
        ratings=[
            services.RatingSpec(organisation_id=r.organisation_id, stars=r.stars, comment=r.comment)
            for r in payload.ratings
        ],
    )
    return Status(
        201,
        [
            {"organisation_id": r.organisation_id, "stars": r.stars, "comment": r.comment}
            for r in rows
        ],
    )


__all__ = ["router", "PermissionDenied"]
