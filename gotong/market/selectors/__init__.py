"""Market reads, always given the kelurahan (or a row already scoped to it), by subject;
this package re-exports them, so callers write ``selectors.cycle_breakdown``.

- ``catalogue``: products, UMKM, sellers, bundles; who acts for which UMKM
  (``managed_organisation_ids``, ``user_is_officer``).
- ``fees``: ``settings_for``, the kelurahan's public fee rules.
- ``cycles``: cycles, offers with what is left and bulk progress, the WhatsApp text.
- ``orders``: a buyer's orders, an order, the UMKM it brought, pick lists, the buyer's
  door code, whether the buyer still needs the "Pasar lokal" consent, how an order
  is paid (dynamic QRIS), statement lines that paid orders.
- ``settlement``: the public fee breakdown of a cycle, the couriers' shares, UMKM and
  courier payouts.
- ``delivery``: route sheets and couriers.
- ``ratings``: an order's ratings, UMKM averages and comments.
- ``sales``: UMKM sales per cycle with baseline and growth.

Selectors never import services.
"""

from .catalogue import (
    bundle_list,
    managed_organisation_ids,
    product_catalogue,
    product_get,
    product_list_for_seller,
    product_list_managed,
    seller_get,
    seller_list,
    umkm_list,
    umkm_managed,
    user_is_officer,
)
from .cycles import (
    OfferView,
    bundles_whatsapp_text,
    cycle_current,
    cycle_get,
    cycle_list,
    offer_get,
    offer_list,
)
from .delivery import (
    courier_get,
    courier_list,
    route_sheet_get,
    route_sheets,
    route_sheets_for_courier,
)
from .fees import (
    settings_for,
)
from .orders import (
    OrderPayment,
    PickList,
    cycle_orders_payments,
    marketplace_consent_missing,
    order_get,
    order_list_for_user,
    order_payment,
    order_qris_payload,
    order_umkm,
    pick_lists,
    recipient_code,
    statement_line_orders,
)
from .ratings import (
    PUBLIC_RATING_MIN,
    RatingSummary,
    order_ratings,
    umkm_rating_comments,
    umkm_ratings,
)
from .sales import (
    SalesRow,
    UmkmSales,
    umkm_growth_total,
    umkm_sales,
)
from .settlement import (
    Breakdown,
    CourierShare,
    PayoutView,
    courier_payout_get,
    courier_shares,
    cycle_breakdown,
    cycle_courier_payouts,
    cycle_payouts,
    order_aid_paid,
    payout_get,
)

__all__ = [
    "Breakdown",
    "CourierShare",
    "OfferView",
    "OrderPayment",
    "PUBLIC_RATING_MIN",
    "PayoutView",
    "PickList",
    "RatingSummary",
    "SalesRow",
    "UmkmSales",
    "bundle_list",
    "bundles_whatsapp_text",
    "courier_get",
    "courier_list",
    "courier_payout_get",
    "courier_shares",
    "cycle_breakdown",
    "cycle_courier_payouts",
    "cycle_current",
    "cycle_get",
    "cycle_list",
    "cycle_orders_payments",
    "marketplace_consent_missing",
    "cycle_payouts",
    "managed_organisation_ids",
    "offer_get",
    "offer_list",
    "order_aid_paid",
    "order_get",
    "order_list_for_user",
    "order_payment",
    "order_qris_payload",
    "order_ratings",
    "order_umkm",
    "payout_get",
    "pick_lists",
    "product_catalogue",
    "product_get",
    "product_list_for_seller",
    "product_list_managed",
    "recipient_code",
    "route_sheet_get",
    "route_sheets",
    "route_sheets_for_courier",
    "seller_get",
    "seller_list",
    "settings_for",
    "statement_line_orders",
    "umkm_growth_total",
    "umkm_list",
    "umkm_managed",
    "umkm_rating_comments",
    "umkm_ratings",
    "umkm_sales",
    "user_is_officer",
]
