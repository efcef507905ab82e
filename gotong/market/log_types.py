"""Entry types of the market app (imported from ``MarketConfig.ready``).

Orders, cycles and payouts are logged as ids, amounts, counts and codes; product names,
descriptions and certificate numbers stay in the catalogue (only "has one" is public).
"""

from gotong.transparency.log_schema import (
    AMOUNT,
    BOOL,
    COUNT,
    DATE,
    HASH,
    ID,
    RECEIPT_CODE,
    REF,
    SLUG,
    TIME,
    code,
    entry_types_declare,
    list_of,
    mapping,
)

_COURIER = {"capacity": COUNT, "active": BOOL}
_FEES = {"operations_fee_bp": COUNT, "delivery_fee": AMOUNT, "courier_share_bp": COUNT}

entry_types_declare(
    {
        "market.settings_set": _FEES,
        "market.seller_added": {"seller": REF},
        "market.seller_removed": {"seller": REF},
        "market.product_listed": {
            "organisation": REF,
            "category": SLUG,
            "price": AMOUNT,
            "halal": BOOL,
            "pirt": BOOL,
        },
        "market.product_updated": {
            "price": AMOUNT,
            "stock": COUNT,
            "daily_capacity": COUNT,
            "is_active": BOOL,
            "category": SLUG,
            "halal": BOOL,
            "pirt": BOOL,
        },
        "market.product_photo": {"sha256": HASH},
        "market.bundle_created": {"price": AMOUNT, "split": mapping(REF, AMOUNT)},
        "market.courier_added": {"capacity": COUNT, "paid": BOOL},
        "market.courier_updated": {**_COURIER, "was": _COURIER},
        "market.cycle_opened": {
            "opens_at": TIME,
            "closes_at": TIME,
            "delivery_date": DATE,
            "offers": COUNT,
            "sellers": COUNT,
            **_FEES,
        },
        "market.cycle_closed": {
            "orders": COUNT,
            "lines_confirmed": COUNT,
            "lines_fallback": COUNT,
            "lines_cancelled": COUNT,
            "refunded": AMOUNT,
            "thresholds": mapping(REF, BOOL),
            "gaps_filled": mapping(REF, COUNT),
        },
        "market.cycle_fulfilled": {},
        "market.cycle_settled": {
            "transfer": REF,
            "buyers_paid": AMOUNT,
            "umkm": COUNT,
            "operations": AMOUNT,
            "couriers": AMOUNT,
            "aid_paid": AMOUNT,
        },
        "market.routes_planned": {
            "couriers": COUNT,
            "orders": COUNT,
            "distance_m": COUNT,
            "loads": list_of(COUNT),
            "capacities": list_of(COUNT),
        },
        "market.order_placed": {
            "cycle": REF,
            "lines": COUNT,
            "goods_total": AMOUNT,
            "delivery_fee": AMOUNT,
            "fulfilment": SLUG,
            "payment": SLUG,
            "rw": COUNT,
            "rt": COUNT,
            "aid": BOOL,
        },
        "market.aid_order": {"need": REF, "activity": REF, "offer": REF},
        "market.order_paid": {
            "method": SLUG,
            "amount": AMOUNT,
            "transfer": REF,
            "receipt": RECEIPT_CODE,
            "cash_due": AMOUNT,
            "statement_line": REF,
        },
        "market.order_cancelled": {"cycle": REF},
        "market.order_refunded": {
            "amount": AMOUNT,
            "to": SLUG,
            "transfer": REF,
            "receipt": RECEIPT_CODE,
        },
        "market.order_delivered": {
            "cycle": REF,
            "proof": SLUG,
            "evidence": RECEIPT_CODE,
            "cash": AMOUNT,
        },
        "market.order_rated": {"cycle": REF, "stars": mapping(REF, COUNT)},
        "market.payouts_requested": {"payouts": list_of(REF)},
        "market.courier_payouts_requested": {"payouts": mapping(REF, REF), "amount": AMOUNT},
        "market.gap_campaign_set": {"campaign": ID},
        "market.gap_filled": {
            "cycle": REF,
            "campaign": ID,
            "units": COUNT,
            "cost": AMOUNT,
            "needs": list_of(REF),
            "orders": list_of(REF),
        },
        # The reason is a machine code (or the refusal's class name), never a message.
        "market.gap_not_filled": {
            "missing": COUNT,
            "reason": code(r"[A-Za-z][A-Za-z0-9_]{0,47}", 48),
        },
    }
)
