"""Orders: a buyer's list, one order, its UMKM, pick lists, door code and payment state."""

import hashlib
import hmac
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext

from gotong.core.exceptions import NotFound
from gotong.funds.services import market_port as funds_services
from gotong.registry import selectors as registry_selectors
from gotong.registry.models import ConsentPurpose, Organisation
from gotong.territory.models import Kelurahan

from ..models import (
    Order,
    OrderCycle,
    OrderLine,
    OrderStatus,
    PaymentMethod,
)
from ._common import _line_parts, _sold_lines


def order_list_for_user(*, kelurahan: Kelurahan, user: Any) -> QuerySet[Order]:
    """The user's own orders."""
    return (
        Order.objects.filter(kelurahan=kelurahan, buyer=user)
        .select_related("cycle", "rt__rw")
        .order_by("-created_at")
    )


def order_get(*, kelurahan: Kelurahan, pk: int) -> Order:
    """One order of this kelurahan with its lines."""
    order = (
        Order.objects.filter(kelurahan=kelurahan, pk=pk)
        .select_related("cycle", "rt__rw", "buyer")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related(
                    "offer__product",
                    "offer__bundle",
                    "fallback_offer__product",
                    "fallback_offer__bundle",
                ),
            )
        )
        .first()
    )
    if order is None:
        raise NotFound("Pesanan tidak ditemukan.")
    return order


def order_umkm(*, order: Order) -> list[Organisation]:
    """The UMKM whose goods the order brought (its confirmed or fallback lines)."""
    found: dict[int, Organisation] = {}
    for line in _sold_lines(order.kelurahan, order=order):
        for org, _product, _units, _rupiah in _line_parts(line):
            found.setdefault(org.pk, org)
    return sorted(found.values(), key=lambda o: (o.name, o.pk))


@dataclass
class PickList:
    organisation: Organisation
    items: dict[str, int]  # "product (unit)" -> units
    orders: list[str]  # order codes that include this UMKM's goods
    revenue: int

    @property
    def rows(self) -> list[tuple[str, int]]:
        return sorted(self.items.items())


def pick_lists(*, cycle: OrderCycle) -> list[PickList]:
    """Per UMKM: the units to prepare and the orders they go into (after closing)."""
    lists: dict[int, PickList] = {}
    for line in _sold_lines(cycle.kelurahan, order__cycle=cycle):
        for org, product, units, rupiah in _line_parts(line):
            entry = lists.setdefault(org.pk, PickList(org, defaultdict(int), [], 0))
            entry.items[str(product)] += units
            entry.revenue += rupiah
            if line.order.code not in entry.orders:
                entry.orders.append(line.order.code)
    for entry in lists.values():
        entry.items = dict(entry.items)
    return sorted(lists.values(), key=lambda p: p.organisation.name)


def statement_line_orders(*, kelurahan: Kelurahan, line_ids: list[int]) -> dict[int, str]:
    """Bank statement lines that paid a market order (the funds import page): line id ->
    "Market order <code>" (order codes only, no buyer)."""
    rows = Order.objects.filter(
        kelurahan=kelurahan, payment_statement_line_id__in=line_ids
    ).values_list("payment_statement_line_id", "code")
    return {
        line_id: gettext("Market order %(code)s") % {"code": code}
        for line_id, code in rows
        if line_id is not None
    }


@dataclass
class OrderPayment:
    """How an order is paid: what is due, the QRIS code to pay it, what is owed back."""

    order: Order
    qris_payload: str | None
    qris_svg: str

    @property
    def bank_reference(self) -> str:
        return self.order.payment_reference


def order_payment(*, order: Order) -> OrderPayment:
    """The order's payment state and, for a QRIS order still owing, the dynamic QRIS."""
    payload = order_qris_payload(order=order)
    return OrderPayment(order, payload, funds_services.qris_svg(payload) if payload else "")


def cycle_orders_payments(*, cycle: OrderCycle) -> QuerySet[Order]:
    """The cycle's orders with how they are paid (for the treasurer and operators)."""
    return Order.objects.filter(cycle=cycle).select_related("rt__rw").order_by("code")


def recipient_code(order: Order) -> str:
    """The 6-digit code the buyer shows the courier at the door."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"market:{order.code}".encode(), hashlib.sha256)
    return f"{int(digest.hexdigest()[:10], 16) % 1_000_000:06d}"


def order_qris_payload(*, order: Order) -> str | None:
    """The dynamic QRIS payload for what a QRIS order still owes (reference: the order
    code), or None (paid, cancelled, another method, or no QRIS configured)."""
    if (
        order.payment_method != PaymentMethod.QRIS
        or order.paid_at is not None
        or order.status == OrderStatus.CANCELLED
        or order.balance_due <= 0
    ):
        return None
    return funds_services.qris_payload_for(
        kelurahan=order.kelurahan, amount=order.balance_due, reference=order.payment_reference
    )


def marketplace_consent_missing(*, kelurahan: Any, user: Any) -> bool:
    """Whether this buyer is a registered resident without the "Pasar lokal" consent in
    force (the order page then asks for it in the same step)."""
    person = registry_selectors.person_for_user(kelurahan=kelurahan, user=user)
    if person is None:
        return False
    return not registry_selectors.person_has_consent(
        kelurahan=kelurahan, person=person, purpose=ConsentPurpose.MARKETPLACE
    )
