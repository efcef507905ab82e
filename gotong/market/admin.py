"""Admin for the market: mostly for looking things up.

Everything that moves money or stock, or that residents rely on in the public record
(prices, bundle splits, order windows, cycle status, orders, fee rules, route plans),
is read-only here: it changes only through the services, which check roles, keep stock
from being oversold and write the public log. Nothing is added here either; the market
pages do that through the same services. Sellers and couriers are read-only too: a
seller is removed and a courier's capacity or active flag changed on the operator's
pages (``seller_remove``, ``courier_update``, both logged). Product and bundle names
and descriptions, cycle titles and an order's landmark are read-only as well: they are
changed on the market pages through the services, so every change has its author and,
where it matters, its log entry.
"""

from django.contrib import admin

from gotong.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Bundle,
    BundleComponent,
    Courier,
    CycleStock,
    MarketSettings,
    Offer,
    Order,
    OrderCycle,
    OrderLine,
    OrderRating,
    Product,
    RoutePlan,
    RouteStop,
    Seller,
)


@admin.register(MarketSettings)
class MarketSettingsAdmin(ReadOnlyAdmin):
    list_display = [
        "kelurahan",
        "operations_fee_bp",
        "delivery_fee",
        "courier_share_bp",
        "baseline_cycles",
    ]
    list_select_related = ["kelurahan"]


@admin.register(Seller)
class SellerAdmin(ReadOnlyAdmin):
    """Read-only: the operator removes a seller on the UMKM page (``seller_remove``)."""

    list_display = ["organisation", "user", "kelurahan", "created_at"]
    list_filter = ["kelurahan"]
    list_select_related = ["organisation", "user", "kelurahan"]
    search_fields = ["organisation__name"]


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["name", "organisation", "category", "unit", "price", "is_active"]
    list_filter = ["kelurahan", "category", "is_active"]
    list_select_related = ["organisation"]
    search_fields = ["name", "organisation__name"]


class BundleComponentInline(ReadOnlyInline):
    model = BundleComponent
    fields = ["product", "quantity", "share"]


@admin.register(Bundle)
class BundleAdmin(ReadOnlyAdmin):
    list_display = ["name", "kelurahan", "category", "price", "is_active"]
    list_filter = ["kelurahan", "category", "is_active"]
    search_fields = ["name"]
    inlines = [BundleComponentInline]


class OfferInline(ReadOnlyInline):
    model = Offer
    fields = [
        "product",
        "bundle",
        "price",
        "threshold",
        "threshold_rule",
        "ordered",
        "threshold_met",
    ]


class CycleStockInline(ReadOnlyInline):
    model = CycleStock
    fields = ["product", "limit", "used"]


@admin.register(OrderCycle)
class OrderCycleAdmin(ReadOnlyAdmin):
    list_display = ["title", "kelurahan", "opens_at", "closes_at", "delivery_date", "status"]
    list_filter = ["kelurahan", "status"]
    date_hierarchy = "delivery_date"
    search_fields = ["title"]
    inlines = [OfferInline, CycleStockInline]


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["offer", "quantity", "unit_price", "fallback_offer", "status"]


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    """Read-only: an order changes through the market pages and services."""

    list_display = [
        "code",
        "cycle",
        "fulfilment",
        "payment_method",
        "status",
        "goods_total",
        "refund_total",
        "delivery_fee",
        "created_at",
    ]
    list_filter = ["kelurahan", "status", "fulfilment", "payment_method"]
    list_select_related = ["cycle"]
    search_fields = ["code"]
    inlines = [OrderLineInline]


@admin.register(OrderRating)
class OrderRatingAdmin(ReadOnlyAdmin):
    """Read-only: a buyer's stars for a UMKM, given once through the order page."""

    list_display = ["order", "organisation", "stars", "created_at"]
    list_filter = ["kelurahan", "stars"]
    list_select_related = ["order", "organisation"]


@admin.register(Courier)
class CourierAdmin(ReadOnlyAdmin):
    """Read-only: the operator changes capacity and the active flag on the couriers page
    (``courier_update``)."""

    list_display = ["label", "kelurahan", "capacity", "is_paid", "is_active"]
    list_filter = ["kelurahan", "is_paid", "is_active"]
    search_fields = ["label"]


class RouteStopInline(ReadOnlyInline):
    model = RouteStop
    fields = ["sequence", "kind", "organisation", "rt", "lat", "lon"]


@admin.register(RoutePlan)
class RoutePlanAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "courier", "load", "distance_m"]
    list_filter = ["cycle__kelurahan"]
    list_select_related = ["cycle", "courier"]
    inlines = [RouteStopInline]
