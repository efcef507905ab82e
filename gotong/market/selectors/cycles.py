"""Cycles and their offers, and the week's WhatsApp text."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from gotong.core.exceptions import NotFound
from gotong.core.money import rupiah_format
from gotong.territory.models import Kelurahan

from ..models import (
    BundleComponent,
    CycleStatus,
    CycleStock,
    Offer,
    OrderCycle,
    Product,
)


def cycle_list(*, kelurahan: Kelurahan) -> QuerySet[OrderCycle]:
    """Cycles, newest first."""
    return OrderCycle.objects.filter(kelurahan=kelurahan).order_by("-opens_at")


def cycle_get(*, kelurahan: Kelurahan, pk: int) -> OrderCycle:
    """One cycle of this kelurahan."""
    cycle = (
        OrderCycle.objects.filter(kelurahan=kelurahan, pk=pk).select_related("kelurahan").first()
    )
    if cycle is None:
        raise NotFound("Siklus pesanan tidak ditemukan.")
    return cycle


def cycle_current(*, kelurahan: Kelurahan, now: dt.datetime | None = None) -> OrderCycle | None:
    """The cycle taking orders now, if any."""
    now = now or timezone.now()
    return (
        OrderCycle.objects.filter(
            kelurahan=kelurahan, status=CycleStatus.OPEN, opens_at__lte=now, closes_at__gt=now
        )
        .select_related("kelurahan")
        .order_by("closes_at")
        .first()
    )


@dataclass
class OfferView:
    offer: Offer
    name: str
    price: int
    left: int
    components: list[BundleComponent] = field(default_factory=list)
    photo_product: Product | None = None

    @property
    def progress_pct(self) -> int:
        if not self.offer.threshold:
            return 100
        return min(100, self.offer.ordered * 100 // self.offer.threshold)


def offer_list(*, cycle: OrderCycle) -> list[OfferView]:
    """Offers of a cycle with what is left (the smallest of their products' stock) and
    the progress towards bulk thresholds."""
    stocks = {s.product_id: s.limit - s.used for s in CycleStock.objects.filter(cycle=cycle)}
    offers = (
        Offer.objects.filter(cycle=cycle)
        .select_related("product__organisation", "bundle")
        .prefetch_related(
            Prefetch(
                "bundle__components",
                queryset=BundleComponent.objects.select_related("product__organisation"),
            )
        )
        .order_by("bundle_id", "pk")
    )
    views = []
    for offer in offers:
        if offer.bundle_id:
            components = list(offer.bundle.components.all())  # type: ignore[union-attr]
            left = min((stocks.get(c.product_id, 0) // c.quantity for c in components), default=0)
            views.append(OfferView(offer, offer.bundle.name, offer.price, left, components))  # type: ignore[union-attr]
        else:
            product: Any = offer.product
            views.append(
                OfferView(
                    offer,
                    product.name,
                    offer.price,
                    stocks.get(product.pk, 0),
                    photo_product=product,
                )
            )
    # Bundles first: they are the week's package.
    views.sort(key=lambda v: (v.offer.bundle_id is None, v.offer.pk))
    return views


def offer_get(*, cycle: OrderCycle, pk: int) -> Offer:
    """One offer of the cycle."""
    offer = (
        Offer.objects.filter(cycle=cycle, pk=pk)
        .select_related("product", "bundle", "cycle")
        .first()
    )
    if offer is None:
        raise NotFound("Barang ini tidak ditawarkan di siklus ini.")
    return offer


def bundles_whatsapp_text(*, cycle: OrderCycle, url: str) -> str:
    """A WhatsApp-ready message of the week's bundles (sending waits for the channels app)."""
    closes = timezone.localtime(cycle.closes_at)
    lines = [f"*Paket Pasar Gotong Royong - {cycle.title}*", ""]
    for view in offer_list(cycle=cycle):
        if view.offer.bundle_id:
            parts = ", ".join(
                f"{c.product.name} {c.quantity} {c.product.unit}" for c in view.components
            )
            lines.append(f"- {view.name}: {rupiah_format(view.price)} ({parts})")
        else:
            lines.append(f"- {view.name}: {rupiah_format(view.price)}/{view.offer.product.unit}")  # type: ignore[union-attr]
        if view.offer.threshold:
            lines.append(f"  Beli bersama: {view.offer.ordered}/{view.offer.threshold} terkumpul")
    lines += [
        "",
        f"Pesan sampai {closes:%d/%m %H:%M} WIB, diantar/diambil {cycle.delivery_date:%d/%m/%Y}.",
        f"Pesan di: {url}",
    ]
    return "\n".join(lines)
