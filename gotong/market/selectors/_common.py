"""Reads the market's selector modules share: the sold lines and what each brings a UMKM."""

from typing import Any

from django.db.models import Prefetch, QuerySet

from gotong.registry.models import Organisation
from gotong.territory.models import Kelurahan

from ..models import (
    BundleComponent,
    LineStatus,
    OrderLine,
    OrderStatus,
    Product,
)

SOLD_LINES = [LineStatus.CONFIRMED, LineStatus.FALLBACK]


def _sold_lines(kelurahan: Kelurahan, **filters: Any) -> QuerySet[OrderLine]:
    return (
        OrderLine.objects.filter(
            order__kelurahan=kelurahan,
            status__in=SOLD_LINES,
            order__status__in=[OrderStatus.CONFIRMED, OrderStatus.DELIVERED],
            **filters,
        )
        .select_related(
            "order", "offer__product__organisation", "fallback_offer__product__organisation"
        )
        .prefetch_related(
            Prefetch(
                "offer__bundle__components",
                queryset=BundleComponent.objects.select_related("product__organisation"),
            ),
            Prefetch(
                "fallback_offer__bundle__components",
                queryset=BundleComponent.objects.select_related("product__organisation"),
            ),
        )
    )


def _line_parts(line: OrderLine) -> list[tuple[Organisation, Product, int, int]]:
    """(UMKM, product, units, rupiah) the line brings each UMKM."""
    offer: Any = line.fallback_offer if line.status == LineStatus.FALLBACK else line.offer
    if offer.product_id:
        product = offer.product
        return [(product.organisation, product, line.quantity, line.unit_price * line.quantity)]
    return [
        (c.product.organisation, c.product, c.quantity * line.quantity, c.share * line.quantity)
        for c in offer.bundle.components.all()
    ]
