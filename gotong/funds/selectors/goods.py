"""Goods reads: lots, movements, stock-count differences, the public goods summary. Always
for one kelurahan."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from gotong.core.exceptions import NotFound
from gotong.funds.models import (
    GoodsItem,
    GoodsMovement,
    GoodsMovementKind,
)
from gotong.territory.models import Kelurahan


@dataclass(frozen=True)
class GoodsLine:
    name: str
    unit: str
    category: str
    quantity_in: int
    quantity_out: int
    in_stock: int
    stock_difference: int


def goods_summary(
    *, kelurahan: Kelurahan, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> list[GoodsLine]:
    """Goods in and out per item name and unit (quantities), for the public dashboard."""
    movements = GoodsMovement.objects.filter(item__kelurahan=kelurahan)
    if start is not None:
        movements = movements.filter(created_at__gte=start)
    if end is not None:
        movements = movements.filter(created_at__lt=end)
    lines: dict[tuple[str, str, str], dict[str, int]] = defaultdict(
        lambda: {"in": 0, "out": 0, "count": 0, "stock": 0}
    )
    for row in movements.values("item__name", "item__unit", "item__category", "kind").annotate(
        q=Sum("quantity")
    ):
        key = (row["item__name"], row["item__unit"], row["item__category"])
        slot = {"in": "in", "out": "out", "count": "count"}[row["kind"]]
        lines[key][slot] += int(row["q"])
    for row in (
        GoodsItem.objects.filter(kelurahan=kelurahan)
        .values("name", "unit", "category")
        .annotate(q=Sum("quantity"))
    ):
        lines[(row["name"], row["unit"], row["category"])]["stock"] = int(row["q"])
    return [
        GoodsLine(
            name=name,
            unit=unit,
            category=category,
            quantity_in=v["in"],
            quantity_out=-v["out"],
            in_stock=v["stock"],
            stock_difference=v["count"],
        )
        for (name, unit, category), v in sorted(lines.items())
    ]


def goods_list(*, kelurahan: Kelurahan, in_stock_only: bool = False) -> QuerySet[GoodsItem]:
    """Goods in the store (soonest best-before first)."""
    items = GoodsItem.objects.filter(kelurahan=kelurahan).select_related("fund_account")
    if in_stock_only:
        items = items.filter(quantity__gt=0)
    return items.order_by("expires_on", "pk")


def goods_get(*, kelurahan: Kelurahan, pk: int) -> GoodsItem:
    """One goods lot of this kelurahan, or NotFound."""
    item = goods_list(kelurahan=kelurahan).filter(pk=pk).first()
    if item is None:
        raise NotFound(_("No such goods in this kelurahan."))
    return item


def goods_movements(*, kelurahan: Kelurahan) -> QuerySet[GoodsMovement]:
    """Every stock movement, newest first."""
    return (
        GoodsMovement.objects.filter(item__kelurahan=kelurahan)
        .select_related("item")
        .order_by("-created_at", "-pk")
    )


def goods_discrepancies(*, kelurahan: Kelurahan) -> QuerySet[GoodsMovement]:
    """Stock counts that found a difference."""
    return (
        goods_movements(kelurahan=kelurahan)
        .filter(kind=GoodsMovementKind.COUNT)
        .exclude(quantity=0)
    )
