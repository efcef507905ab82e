"""Market use-cases (Pasar Gotong Royong), one module per group; this package re-exports
them, so callers write ``from gotong.market import services`` and ``services.order_place``.

- ``fees``: ``settings_set``, the kelurahan's public fee rules (operations fee, delivery
  fee, couriers' share); read them with ``selectors.settings_for``.
- ``catalogue``: ``seller_add`` (an operator lets a user manage an approved UMKM's
  products), ``seller_add_by_phone`` (names the person by phone number and gives them the
  UMKM seller role in the kelurahan when they do not hold it yet), ``seller_remove``;
  ``product_create`` / ``product_update`` / ``product_photo_set`` (only approved UMKM
  list, photos are stored without metadata); ``bundle_create`` (a package of several
  UMKM's products with the split per UMKM).
- ``cycles``: ``cycle_open`` (an operator opens a weekly cycle: window, delivery day,
  UMKM, offers, bulk thresholds with the rule at closing; the fee rules are copied onto
  it); ``cycle_close`` (orders become final; unmet thresholds confirm, fall back or
  refund).
- ``orders``: ``order_place`` / ``order_cancel`` (residents order within the window;
  stock is taken with conditional UPDATEs so it is never oversold; an aid voucher typed
  here pays for every line of its category, once, up to the order total).
- ``aid``: ``aid_order_place`` (a sembako need served by an activity is fulfilled by
  buying a bundle of the current cycle, paid from the aid fund or a campaign; the
  activity links to the order).
- ``delivery``: ``courier_create``, ``courier_create_for_phone`` (the courier is linked
  to a person, volunteer role ensured, so they see their route sheet), ``courier_update``;
  ``routes_plan`` (OR-Tools route plans); ``dropoff_record`` (the courier records a
  drop-off with a photo or the buyer's code, and cash on delivery; the cycle is
  fulfilled when every order is delivered).
- ``payments``: through the funds ledger. ``order_payment_confirm`` (the treasurer
  confirms a QRIS payment), ``statement_line_match`` (the funds statement import records
  a QRIS payment from a bank line naming the order), ``order_refund_pay`` (the treasurer
  pays back a QRIS buyer). Voucher and aid payments, cash at the door and what a closing
  gives back to a voucher or aid source are the shared helpers in ``_common``.
- ``settlement``: ``cycle_settle`` (after fulfilment, one ledger transfer pays each
  UMKM's payable, the couriers and the operational fund out of the market clearing
  account, exactly as the public ``selectors.cycle_breakdown``);
  ``cycle_payouts_request`` (the UMKM) and ``cycle_courier_payouts_request`` (each
  courier's part of the couriers' share), then ``payout_approve`` / ``payout_pay`` for
  either kind (the funds disbursement flow: two approvals, proof of payment).
- ``gaps``: ``offer_gap_campaign_set`` (an offer's gap campaign) and
  ``cycle_gaps_fill`` (run by ``cycle_close``: the units a group buy misses are bought
  for households with open food needs).
- ``ratings``: ``order_rate`` (the buyer of a delivered order gives each UMKM of it 1-5
  stars and an optional short comment, once).

Status steps (order, cycle, order line) are checked against ``market/transitions.py``.
"""

from .aid import (
    aid_order_place,
)
from .catalogue import (
    PHOTO_MAX_BYTES,
    PHOTO_SIDE,
    PRODUCT_EDITABLE,
    PRODUCT_PHOTO_STORAGE,
    ComponentSpec,
    bundle_create,
    product_create,
    product_photo_set,
    product_update,
    seller_add,
    seller_add_by_phone,
    seller_remove,
)
from .cycles import (
    OfferSpec,
    cycle_close,
    cycle_open,
)
from .delivery import (
    COURIER_CAPACITY_MAX,
    courier_create,
    courier_create_for_phone,
    courier_update,
    dropoff_record,
    routes_plan,
)
from .fees import (
    settings_set,
)
from .gaps import (
    GAP_NEED_STATUSES,
    cycle_gaps_fill,
    offer_gap_campaign_set,
)
from .orders import (
    MAX_LINE_QUANTITY,
    LineSpec,
    order_cancel,
    order_place,
)
from .payments import (
    ORDER_CODE_RE,
    order_payment_confirm,
    order_refund_pay,
    statement_line_match,
)
from .ratings import (
    RATING_COMMENT_MAX,
    RatingSpec,
    order_rate,
)
from .settlement import (
    cycle_courier_payouts_request,
    cycle_payouts_request,
    cycle_settle,
    payout_approve,
    payout_pay,
)

__all__ = [
    "COURIER_CAPACITY_MAX",
    "ComponentSpec",
    "GAP_NEED_STATUSES",
    "LineSpec",
    "MAX_LINE_QUANTITY",
    "ORDER_CODE_RE",
    "OfferSpec",
    "PHOTO_MAX_BYTES",
    "PHOTO_SIDE",
    "PRODUCT_EDITABLE",
    "PRODUCT_PHOTO_STORAGE",
    "RATING_COMMENT_MAX",
    "RatingSpec",
    "aid_order_place",
    "bundle_create",
    "courier_create",
    "courier_create_for_phone",
    "courier_update",
    "cycle_close",
    "cycle_courier_payouts_request",
    "cycle_gaps_fill",
    "cycle_open",
    "cycle_payouts_request",
    "cycle_settle",
    "dropoff_record",
    "offer_gap_campaign_set",
    "order_cancel",
    "order_payment_confirm",
    "order_place",
    "order_rate",
    "order_refund_pay",
    "payout_approve",
    "payout_pay",
    "product_create",
    "product_photo_set",
    "product_update",
    "routes_plan",
    "seller_add",
    "seller_add_by_phone",
    "seller_remove",
    "settings_set",
    "statement_line_match",
]
