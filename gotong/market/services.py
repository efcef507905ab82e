"""Market use-cases (Pasar Gotong Royong).

- ``settings_set``: the kelurahan's public fee rules (operations fee, delivery fee).
- ``seller_add``: an operator lets a user manage an approved UMKM's products;
  ``seller_add_by_phone`` names the person by phone number and gives them the UMKM
  seller role in the kelurahan when they do not hold it yet.
- ``product_create`` / ``product_update`` / ``product_photo_set``: the UMKM catalogue;
  only approved UMKM list, photos are stored without metadata.
- ``bundle_create``: a package of several UMKM's products with the split per UMKM.
- ``cycle_open``: an operator opens a weekly cycle (window, delivery day, UMKM, offers,
  bulk thresholds with the rule at closing).
- ``order_place`` / ``order_cancel``: residents order within the window; stock is taken
  with conditional UPDATEs so it is never oversold.
- ``cycle_close``: orders become final; unmet thresholds confirm, fall back or refund.
- ``courier_create``, ``routes_plan``: community couriers and OR-Tools route plans;
  ``courier_create_for_phone`` links the courier to a person (volunteer role ensured) so
  they see their route sheet and record drop-offs.
- ``dropoff_record``: the courier records a drop-off with a photo or the buyer's code
  (and cash on delivery); the cycle is fulfilled when every order is delivered.
- ``aid_order_place``: a sembako need served by an activity is fulfilled by buying a
  bundle of the current cycle, paid from the aid fund or a campaign; the activity links to
  the order.
- Payment through the funds ledger: ``order_place`` takes an aid voucher (right category
  for every line, redeemed once, up to the order total); ``order_payment_confirm`` (the
  treasurer confirms a QRIS payment); cash on delivery is posted by ``dropoff_record``;
  what a closing refunds goes back to the voucher or aid source, or is paid back by the
  treasurer (``order_refund_pay``).
- ``cycle_settle``: after fulfilment, one ledger transfer pays each UMKM's payable, the
  couriers and the operational fund out of the market clearing account, exactly as the
  public ``selectors.cycle_breakdown``; ``cycle_payouts_request`` / ``payout_approve`` /
  ``payout_pay``: the UMKM are paid through the funds disbursement flow (two approvals,
  proof of payment).
- ``cycle_courier_payouts_request``: each courier's part of the couriers' share (the
  delivery fees of the orders on their routes) is paid out of the couriers' payable the
  same way (``payout_approve`` / ``payout_pay`` take either kind of payout).
- An offer's gap campaign (``OfferSpec.gap_campaign``, ``offer_gap_campaign_set``) buys
  the units a group buy misses at closing for households with open food needs.
- ``order_rate``: the buyer of a delivered order gives each UMKM of it 1-5 stars (and an
  optional short comment), once.
"""

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.models import Role
from gotong.accounts.permissions import memberships_effective, permission_gate, permission_require
from gotong.core.exceptions import (
    ApplicationError,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from gotong.core.money import rupiah_format
from gotong.funds import selectors as funds_selectors
from gotong.funds import services as funds_services
from gotong.funds.models import AID_SOURCES as FUNDS_AID_SOURCES
from gotong.funds.models import AccountKind as FundsAccountKind
from gotong.funds.models import Category as FundsCategory
from gotong.funds.models import DisbursementKind as FundsDisbursementKind
from gotong.funds.models import TransferKind as FundsTransferKind
from gotong.registry.models import Organisation, OrganisationKind, OrganisationStatus
from gotong.territory.models import RT, Kelurahan
from gotong.transparency.photos import PhotoRejected, photo_inspect
from gotong.transparency.services import entry_record, evidence_upload

from . import routing
from .models import (
    AID_CATEGORIES,
    VOUCHER_CATEGORIES,
    Bundle,
    BundleComponent,
    Courier,
    CourierPayout,
    CyclePayout,
    CycleStatus,
    CycleStock,
    Fulfilment,
    LineStatus,
    MarketSettings,
    Offer,
    Order,
    OrderCycle,
    OrderLine,
    OrderRating,
    OrderStatus,
    PaymentMethod,
    Product,
    ProductCategory,
    RoutePlan,
    RouteStop,
    Seller,
    StopKind,
    ThresholdRule,
)

MAX_PRICE = 50_000_000
MAX_LINE_QUANTITY = 50
PHOTO_MAX_BYTES = 5 * 1024 * 1024
COURIER_CAPACITY_MAX = 200
PHOTO_SIDE = 480
PRODUCT_PHOTO_STORAGE = "evidence_public"


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _log(kelurahan: Kelurahan, type: str, actor: Any, subject: str, data: dict[str, Any]) -> None:
    entry_record(kelurahan=kelurahan, type=type, actor=_user(actor), subject=subject, data=data)


def _is_officer(user: Any, kelurahan: Kelurahan) -> bool:
    return any(
        m.role in (Role.OPERATOR, Role.ADMIN) for m in memberships_effective(user, kelurahan.pk)
    )


def _seller_check(actor: Any, organisation: Organisation) -> None:
    """The actor manages this UMKM's products (an operator manages any)."""
    permission_require(actor, "market.sell", organisation.kelurahan)
    if _is_officer(actor, organisation.kelurahan):
        return
    if not Seller.objects.filter(organisation=organisation, user=actor).exists():
        raise PermissionDenied(_("You do not manage the products of this UMKM."))


def _umkm_approved(organisation: Organisation) -> None:
    if organisation.kind != OrganisationKind.UMKM:
        raise ValidationFailed(_("Only a UMKM can sell in the market."), {"field": "organisation"})
    if organisation.status != OrganisationStatus.APPROVED:
        raise ValidationFailed(
            _("This UMKM has not been approved by an operator yet, so it cannot list products."),
            {"field": "organisation"},
        )


def _price_check(price: Any, field: str = "price") -> int:
    if not isinstance(price, int) or isinstance(price, bool) or price <= 0 or price > MAX_PRICE:
        raise ValidationFailed(
            _("The price must be a whole number of rupiah above zero."), {"field": field}
        )
    return price


def _text(value: str, field: str, *, low: int, high: int, message: Any) -> str:
    value = " ".join((value or "").split())
    if not low <= len(value) <= high:
        raise ValidationFailed(message, {"field": field})
    return value


# ----------------------------------------------------------------------------- settings


def settings_for(kelurahan: Kelurahan) -> MarketSettings:
    """The kelurahan's fee rules (the defaults until an operator sets them)."""
    found = MarketSettings.objects.filter(kelurahan=kelurahan).first()
    return found or MarketSettings(kelurahan=kelurahan)


@transaction.atomic
def settings_set(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    operations_fee_bp: int,
    delivery_fee: int,
    courier_share_bp: int = 10000,
    baseline_cycles: int = 2,
) -> MarketSettings:
    """An operator sets the public fee rules (effective for cycles opened afterwards)."""
    permission_require(actor, "market.manage", kelurahan)
    if not 0 <= operations_fee_bp <= 3000:
        raise ValidationFailed(
            _("The operations fee must be between 0% and 30%."), {"field": "operations_fee_bp"}
        )
    if not 0 <= delivery_fee <= 100_000:
        raise ValidationFailed(
            _("The delivery fee must be between Rp 0 and Rp 100.000."), {"field": "delivery_fee"}
        )
    if not 0 <= courier_share_bp <= 10000 or not 1 <= baseline_cycles <= 12:
        raise ValidationFailed(_("These settings are out of range."), {"field": "courier_share_bp"})
    row, _created = MarketSettings.objects.update_or_create(
        kelurahan=kelurahan,
        defaults={
            "operations_fee_bp": operations_fee_bp,
            "delivery_fee": delivery_fee,
            "courier_share_bp": courier_share_bp,
            "baseline_cycles": baseline_cycles,
        },
    )
    _log(
        kelurahan,
        "market.settings_set",
        actor,
        f"kelurahan:{kelurahan.pk}",
        {
            "operations_fee_bp": operations_fee_bp,
            "delivery_fee": delivery_fee,
            "courier_share_bp": courier_share_bp,
        },
    )
    return row


# ---------------------------------------------------------------------------- catalogue


@transaction.atomic
def seller_add(*, actor: Any, organisation: Organisation, user: Any) -> Seller:
    """An operator lets ``user`` manage the products of an approved UMKM."""
    permission_require(actor, "market.manage", organisation.kelurahan)
    _umkm_approved(organisation)
    seller, _created = Seller.objects.get_or_create(
        kelurahan=organisation.kelurahan, organisation=organisation, user=user
    )
    _log(
        organisation.kelurahan,
        "market.seller_added",
        actor,
        f"organisation:{organisation.pk}",
        {"seller": f"seller:{seller.pk}"},
    )
    return seller


@transaction.atomic
def seller_remove(*, actor: Any, seller: Seller) -> None:
    """An operator takes a person off a UMKM's sellers: they no longer manage its products
    (their UMKM seller role is kept; roles are changed on the accounts pages). The
    products, orders and payouts of the UMKM stay as they are."""
    kelurahan = seller.kelurahan
    permission_require(actor, "market.manage", kelurahan)
    organisation_id = seller.organisation_id
    removed, _counts = Seller.objects.filter(pk=seller.pk, kelurahan=kelurahan).delete()
    if not removed:
        raise NotFound(_("No such seller in this kelurahan."))
    _log(
        kelurahan,
        "market.seller_removed",
        actor,
        f"organisation:{organisation_id}",
        {"seller": f"seller:{seller.pk}"},
    )


def _member_for_phone(*, actor: Any, kelurahan: Kelurahan, phone: str, role: Role) -> Any:
    """The account of a phone number holding ``role`` in the kelurahan; the role is granted
    kelurahan-wide through the accounts service (which checks the actor may give it) when
    missing. A seller needs it kelurahan-wide (products are checked against the kelurahan);
    for a courier (volunteer) any RT or RW of the kelurahan will do."""
    from gotong.accounts import selectors as accounts_selectors
    from gotong.accounts import services as accounts_services

    user = accounts_services.user_get_or_create(phone=phone)
    held = any(
        m.role == role
        and m.kelurahan_id == kelurahan.pk
        and (m.rw_id is None or role == Role.RELAWAN)
        for m in accounts_selectors.user_memberships(user=user)
    )
    if not held:
        accounts_services.membership_grant(
            actor=actor, kelurahan=kelurahan, phone=user.phone, role=role
        )
    return user


@transaction.atomic
def seller_add_by_phone(*, actor: Any, organisation: Organisation, phone: str) -> Seller:
    """An operator names a UMKM's seller by phone number; the person gets the UMKM seller
    role in the kelurahan when they do not hold it, then manages the UMKM's products."""
    permission_require(actor, "market.manage", organisation.kelurahan)
    _umkm_approved(organisation)
    user = _member_for_phone(
        actor=actor, kelurahan=organisation.kelurahan, phone=phone, role=Role.UMKM
    )
    return seller_add(actor=actor, organisation=organisation, user=user)


def _stock_fields(stock: int | None, daily_capacity: int | None) -> None:
    if stock is None and daily_capacity is None:
        raise ValidationFailed(
            _("Give the stock, or how many the UMKM can make a day."), {"field": "stock"}
        )
    for name, value in (("stock", stock), ("daily_capacity", daily_capacity)):
        if value is not None and (not isinstance(value, int) or not 0 <= value <= 1_000_000):
            raise ValidationFailed(_("Enter a whole number of units."), {"field": name})


@transaction.atomic
def product_create(
    *,
    actor: Any,
    organisation: Organisation,
    name: str,
    category: str,
    unit: str,
    price: int,
    stock: int | None = None,
    daily_capacity: int | None = None,
    description: str = "",
    halal_certificate: str = "",
    pirt_number: str = "",
) -> Product:
    """A UMKM lists a product (approved UMKM only)."""
    _seller_check(actor, organisation)
    _umkm_approved(organisation)
    name = _text(name, "name", low=2, high=80, message=_("Enter the product's name."))
    unit = _text(unit, "unit", low=1, high=20, message=_("Enter the unit (e.g. kg, ikat)."))
    if category not in ProductCategory.values:
        raise ValidationFailed(_("Choose a category."), {"field": "category"})
    _price_check(price)
    _stock_fields(stock, daily_capacity)
    if Product.objects.filter(organisation=organisation, name__iexact=name).exists():
        raise Conflict(_("This UMKM already lists a product with this name."), {"field": "name"})
    product = Product.objects.create(
        kelurahan=organisation.kelurahan,
        organisation=organisation,
        name=name,
        description=" ".join((description or "").split())[:300],
        category=category,
        unit=unit,
        price=price,
        stock=stock,
        daily_capacity=daily_capacity,
        halal_certificate=(halal_certificate or "").strip()[:40],
        pirt_number=(pirt_number or "").strip()[:20],
    )
    _log(
        organisation.kelurahan,
        "market.product_listed",
        actor,
        f"product:{product.pk}",
        {
            "organisation": f"organisation:{organisation.pk}",
            "category": category,
            "price": price,
            "halal": bool(product.halal_certificate),
            "pirt": bool(product.pirt_number),
        },
    )
    return product


PRODUCT_EDITABLE = {
    "price",
    "stock",
    "daily_capacity",
    "is_active",
    "description",
    "unit",
    "category",
    "halal_certificate",
    "pirt_number",
}


@transaction.atomic
def product_update(*, actor: Any, product: Product, changes: dict[str, Any]) -> Product:
    """A UMKM changes price, stock, capacity, unit, category, description, its halal /
    P-IRT numbers or the active flag."""
    _seller_check(actor, product.organisation)
    changes = dict(changes)
    unknown = set(changes) - PRODUCT_EDITABLE
    if unknown:
        raise ValidationFailed(_("These fields cannot be changed."), {"fields": sorted(unknown)})
    if "price" in changes:
        _price_check(changes["price"])
    if "category" in changes and changes["category"] not in ProductCategory.values:
        raise ValidationFailed(_("Choose a category."), {"field": "category"})
    if "unit" in changes:
        changes["unit"] = _text(
            changes["unit"], "unit", low=1, high=20, message=_("Enter the unit (e.g. kg, ikat).")
        )
    if "description" in changes:
        changes["description"] = " ".join((changes["description"] or "").split())[:300]
    for field, high in (("halal_certificate", 40), ("pirt_number", 20)):
        if field in changes:
            changes[field] = (changes[field] or "").strip()[:high]
    if "is_active" in changes:
        changes["is_active"] = bool(changes["is_active"])
    _stock_fields(
        changes.get("stock", product.stock), changes.get("daily_capacity", product.daily_capacity)
    )
    for field, value in changes.items():
        setattr(product, field, value)
    product.save(update_fields=[*changes, "updated_at"])
    _log(
        product.kelurahan,
        "market.product_updated",
        actor,
        f"product:{product.pk}",
        {
            k: v
            for k, v in changes.items()
            if k in ("price", "stock", "daily_capacity", "is_active", "category")
        }
        | {
            "halal" if k == "halal_certificate" else "pirt": bool(v)
            for k, v in changes.items()
            if k in ("halal_certificate", "pirt_number")
        },
    )
    return product


@transaction.atomic
def product_photo_set(*, actor: Any, product: Product, upload: Any) -> Product:
    """Store a product photo: re-encoded from its pixels, so EXIF/GPS never leave the
    seller's phone; 480 px keeps the catalogue light."""
    _seller_check(actor, product.organisation)
    upload.seek(0)
    raw = upload.read(PHOTO_MAX_BYTES + 1)
    if len(raw) > PHOTO_MAX_BYTES:
        raise ValidationFailed(_("The photo is larger than 5 MB."), {"field": "photo"})
    try:
        facts = photo_inspect(raw, max_side=PHOTO_SIDE, max_pixels=40_000_000)
    except PhotoRejected as exc:
        raise ValidationFailed(
            _("This file is not a usable JPEG, PNG or WebP photo."),
            {"field": "photo", "reason": exc.reason},
        ) from exc
    storage = storages[PRODUCT_PHOTO_STORAGE]
    name = storage.save(
        f"market/{product.kelurahan_id}/{facts.public_sha256[:32]}.jpg",
        ContentFile(facts.public_bytes),
    )
    product.photo_name = name
    product.photo_sha256 = facts.public_sha256
    product.save(update_fields=["photo_name", "photo_sha256", "updated_at"])
    _log(
        product.kelurahan,
        "market.product_photo",
        actor,
        f"product:{product.pk}",
        {"sha256": facts.public_sha256},
    )
    return product


@dataclass(frozen=True)
class ComponentSpec:
    product: Product
    quantity: int
    share: int


@transaction.atomic
def bundle_create(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    name: str,
    category: str,
    price: int,
    components: Sequence[ComponentSpec],
    description: str = "",
) -> Bundle:
    """An operator composes a bundle; the UMKM shares must add up to the price."""
    permission_require(actor, "market.manage", kelurahan)
    name = _text(name, "name", low=2, high=80, message=_("Enter the bundle's name."))
    if category not in ProductCategory.values:
        raise ValidationFailed(_("Choose a category."), {"field": "category"})
    _price_check(price)
    if not components:
        raise ValidationFailed(_("A bundle needs at least one product."), {"field": "components"})
    seen: set[int] = set()
    for spec in components:
        if spec.product.kelurahan_id != kelurahan.pk:
            raise NotFound(_("That product is not in this kelurahan."), {"field": "components"})
        _umkm_approved(spec.product.organisation)
        if spec.product.pk in seen:
            raise ValidationFailed(_("A product appears twice."), {"field": "components"})
        seen.add(spec.product.pk)
        if spec.quantity <= 0 or spec.share < 0:
            raise ValidationFailed(
                _("Each product needs a quantity and a share of zero or more."),
                {"field": "components"},
            )
    if sum(s.share for s in components) != price:
        raise ValidationFailed(
            _("The shares of the UMKM must add up to the bundle price."),
            {"field": "components", "price": price, "shares": sum(s.share for s in components)},
        )
    if Bundle.objects.filter(kelurahan=kelurahan, name__iexact=name).exists():
        raise Conflict(_("A bundle with this name exists."), {"field": "name"})
    bundle = Bundle.objects.create(
        kelurahan=kelurahan,
        name=name,
        category=category,
        price=price,
        description=" ".join((description or "").split())[:300],
    )
    BundleComponent.objects.bulk_create(
        BundleComponent(bundle=bundle, product=s.product, quantity=s.quantity, share=s.share)
        for s in components
    )
    _log(
        kelurahan,
        "market.bundle_created",
        actor,
        f"bundle:{bundle.pk}",
        {
            "price": price,
            "split": {f"organisation:{s.product.organisation_id}": s.share for s in components},
        },
    )
    return bundle


# ------------------------------------------------------------------------------- cycles


@dataclass(frozen=True)
class OfferSpec:
    product: Product | None = None
    bundle: Bundle | None = None
    threshold: int | None = None
    threshold_rule: str = ThresholdRule.CANCEL
    gap_campaign: Any = None  # a funds Campaign that fills a group buy's gap at closing


def _limit(product: Product) -> int:
    values = [v for v in (product.stock, product.daily_capacity) if v is not None]
    return min(values) if values else 0


@transaction.atomic
def cycle_open(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    title: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    delivery_date: dt.date,
    offers: Sequence[OfferSpec],
    hub: tuple[float, float] | None = None,
) -> OrderCycle:
    """An operator opens a cycle; each product's stock (or daily capacity) is its limit.
    The fee rules in force now are copied onto the cycle: its orders, breakdown and
    settlement keep them whatever the rules become later."""
    permission_require(actor, "market.manage", kelurahan)
    title = _text(title, "title", low=3, high=100, message=_("Give the cycle a title."))
    if closes_at <= opens_at:
        raise ValidationFailed(_("The window must close after it opens."), {"field": "closes_at"})
    if delivery_date < timezone.localtime(closes_at).date():
        raise ValidationFailed(
            _("The delivery date cannot be before the window closes."), {"field": "delivery_date"}
        )
    if not offers:
        raise ValidationFailed(
            _("Put at least one product or bundle on offer."), {"field": "offers"}
        )
    products: dict[int, Product] = {}
    for spec in offers:
        if (spec.product is None) == (spec.bundle is None):
            raise ValidationFailed(_("Each offer is a product or a bundle."), {"field": "offers"})
        if spec.threshold is not None and spec.threshold <= 0:
            raise ValidationFailed(_("A threshold must be above zero."), {"field": "threshold"})
        if spec.threshold_rule not in ThresholdRule.values:
            raise ValidationFailed(_("Choose the rule for the threshold."), {"field": "threshold"})
        if spec.gap_campaign is not None:
            _gap_campaign_check(
                kelurahan, spec.gap_campaign, spec.product or spec.bundle, spec.threshold
            )
        items = (
            [spec.product]
            if spec.product
            else [c.product for c in spec.bundle.components.select_related("product__organisation")]  # type: ignore[union-attr]
        )
        for product in items:
            if product.kelurahan_id != kelurahan.pk:
                raise NotFound(_("That product is not in this kelurahan."), {"field": "offers"})
            _umkm_approved(product.organisation)
            if not product.is_active:
                raise ValidationFailed(
                    _("%(name)s is not active.") % {"name": product.name}, {"field": "offers"}
                )
            products[product.pk] = product
    fees = settings_for(kelurahan)
    cycle = OrderCycle.objects.create(
        kelurahan=kelurahan,
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        delivery_date=delivery_date,
        hub_lat=hub[0] if hub else None,
        hub_lon=hub[1] if hub else None,
        created_by=_user(actor),
        operations_fee_bp=fees.operations_fee_bp,
        delivery_fee=fees.delivery_fee,
        courier_share_bp=fees.courier_share_bp,
    )
    cycle.sellers.set(sorted({p.organisation_id for p in products.values()}))
    Offer.objects.bulk_create(
        Offer(
            cycle=cycle,
            product=spec.product,
            bundle=spec.bundle,
            price=spec.product.price if spec.product else spec.bundle.price,  # type: ignore[union-attr]
            threshold=spec.threshold,
            threshold_rule=spec.threshold_rule,
            gap_campaign_id=spec.gap_campaign.pk if spec.gap_campaign is not None else None,
        )
        for spec in offers
    )
    CycleStock.objects.bulk_create(
        CycleStock(cycle=cycle, product=p, limit=_limit(p)) for p in products.values()
    )
    _log(
        kelurahan,
        "market.cycle_opened",
        actor,
        f"cycle:{cycle.pk}",
        {
            "opens_at": opens_at.isoformat(),
            "closes_at": closes_at.isoformat(),
            "delivery_date": delivery_date.isoformat(),
            "offers": len(offers),
            "sellers": len({p.organisation_id for p in products.values()}),
            "operations_fee_bp": cycle.operations_fee_bp,
            "delivery_fee": cycle.delivery_fee,
            "courier_share_bp": cycle.courier_share_bp,
        },
    )
    return cycle


def _needed(offer: Offer, quantity: int) -> dict[int, int]:
    """Units of each product an offer line takes."""
    if offer.product_id:
        return {offer.product_id: quantity}
    return {c.product_id: c.quantity * quantity for c in offer.bundle.components.all()}  # type: ignore[union-attr]


def _stock_take(cycle: OrderCycle, needed: dict[int, int]) -> None:
    """Take stock for every product or refuse; the caller's transaction rolls back."""
    rows = list(
        CycleStock.objects.select_for_update()
        .filter(cycle=cycle, product_id__in=needed)
        .select_related("product")
        .order_by("pk")
    )
    if len(rows) != len(needed):
        raise NotFound(_("A product is not on offer in this cycle."), {"field": "lines"})
    for row in rows:
        amount = needed[row.product_id]
        taken = CycleStock.objects.filter(pk=row.pk, used__lte=F("limit") - amount).update(
            used=F("used") + amount
        )
        if not taken:
            row.refresh_from_db(fields=["used", "limit"])
            raise Conflict(
                _("Not enough %(name)s left: %(left)s %(unit)s.")
                % {
                    "name": row.product.name,
                    "left": row.limit - row.used,
                    "unit": row.product.unit,
                },
                {"field": "lines", "product": row.product_id, "left": row.limit - row.used},
            )


def _stock_release(cycle: OrderCycle, needed: dict[int, int]) -> None:
    for product_id, amount in sorted(needed.items()):
        CycleStock.objects.filter(cycle=cycle, product_id=product_id).update(
            used=F("used") - amount
        )


@dataclass(frozen=True)
class LineSpec:
    offer: Offer
    quantity: int
    fallback: Offer | None = None


def recipient_code(order: Order) -> str:
    """The 6-digit code the buyer shows the courier at the door."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"market:{order.code}".encode(), hashlib.sha256)
    return f"{int(digest.hexdigest()[:10], 16) % 1_000_000:06d}"


def _order_code() -> str:
    alphabet = "ACDEFGHJKMNPQRTUVWXY34679"
    return "P" + "".join(secrets.choice(alphabet) for _ in range(9))


@transaction.atomic
def order_place(
    *,
    actor: Any,
    cycle: OrderCycle,
    lines: Sequence[LineSpec],
    fulfilment: str,
    rt: RT,
    address_note: str = "",
    payment_method: str = PaymentMethod.COD,
    location: tuple[float, float] | None = None,
    now: dt.datetime | None = None,
    need_id: int | None = None,
    voucher_code: str = "",
) -> Order:
    """A resident orders within the window; every line's stock is taken or nothing is.

    Paid by QRIS (the order page shows the code), cash on delivery, or an aid voucher
    typed here: the voucher must be of the category of every line and pays up to the
    order total (the rest, if any, in cash at the door); a refused voucher refuses the
    order and nothing is changed."""
    kelurahan = cycle.kelurahan
    permission_gate(actor, "market.order", kelurahan)
    now = now or timezone.now()
    if cycle.status != CycleStatus.OPEN or not cycle.opens_at <= now < cycle.closes_at:
        raise Conflict(
            _("This order window is closed; the next cycle will be announced."),
            {"field": "cycle"},
        )
    if not lines:
        raise ValidationFailed(_("Your cart is empty."), {"field": "lines"})
    if fulfilment not in Fulfilment.values:
        raise ValidationFailed(_("Choose pickup or delivery."), {"field": "fulfilment"})
    if rt.kelurahan_id != kelurahan.pk:
        raise ValidationFailed(_("That RT is not in this kelurahan."), {"field": "rt"})
    allowed_payments = {PaymentMethod.COD, PaymentMethod.QRIS, PaymentMethod.VOUCHER}
    if need_id is not None:
        allowed_payments = {PaymentMethod.AID}
    if payment_method not in allowed_payments:
        raise ValidationFailed(
            _("Choose cash on delivery, QRIS or an aid voucher."),
            {"field": "payment_method"},
        )
    voucher_code = (voucher_code or "").strip()
    if payment_method == PaymentMethod.VOUCHER and not voucher_code:
        raise ValidationFailed(_("Type the voucher code."), {"field": "voucher_code"})
    address_note = " ".join((address_note or "").split())[:200]
    if fulfilment == Fulfilment.DELIVERY and not address_note and need_id is None:
        raise ValidationFailed(
            _("Give the address or a landmark for the courier."), {"field": "address_note"}
        )
    offers = {
        o.pk: o
        for o in Offer.objects.filter(cycle=cycle)
        .select_related("product", "bundle")
        .prefetch_related("bundle__components")
    }
    needed: dict[int, int] = defaultdict(int)
    goods_total = 0
    seen: set[int] = set()
    for spec in lines:
        offer = offers.get(spec.offer.pk)
        if offer is None:
            raise NotFound(_("That item is not on offer in this cycle."), {"field": "lines"})
        if offer.pk in seen:
            raise ValidationFailed(_("An item appears twice in the cart."), {"field": "lines"})
        seen.add(offer.pk)
        if not isinstance(spec.quantity, int) or not 1 <= spec.quantity <= MAX_LINE_QUANTITY:
            raise ValidationFailed(
                _("Order between 1 and %(max)s of each item.") % {"max": MAX_LINE_QUANTITY},
                {"field": "quantity"},
            )
        if spec.fallback is not None:
            fallback = offers.get(spec.fallback.pk)
            if (
                fallback is None
                or fallback.pk == offer.pk
                or offer.threshold_rule != ThresholdRule.FALLBACK
                or fallback.price > offer.price
            ):
                raise ValidationFailed(
                    _("This fallback item cannot replace that item."), {"field": "fallback"}
                )
        for product_id, amount in _needed(offer, spec.quantity).items():
            needed[product_id] += amount
        goods_total += offer.price * spec.quantity
    _stock_take(cycle, dict(needed))
    for spec in lines:
        Offer.objects.filter(pk=spec.offer.pk).update(ordered=F("ordered") + spec.quantity)
    if location is None and rt.centroid_lat is not None:
        location = (float(rt.centroid_lat), float(rt.centroid_lon or 0))
    order = Order.objects.create(
        kelurahan=kelurahan,
        cycle=cycle,
        buyer=actor,
        code=_order_code(),
        fulfilment=fulfilment,
        rt=rt,
        address_note=address_note,
        lat=location[0] if location else None,
        lon=location[1] if location else None,
        payment_method=payment_method,
        goods_total=goods_total,
        delivery_fee=cycle.delivery_fee if fulfilment == Fulfilment.DELIVERY else 0,
        need_id=need_id,
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            offer=offers[s.offer.pk],
            quantity=s.quantity,
            unit_price=offers[s.offer.pk].price,
            fallback_offer=s.fallback,
        )
        for s in lines
    )
    _log(
        kelurahan,
        "market.order_placed",
        actor,
        f"order:{order.pk}",
        {
            "cycle": f"cycle:{cycle.pk}",
            "lines": len(lines),
            "goods_total": goods_total,
            "delivery_fee": order.delivery_fee,
            "fulfilment": fulfilment,
            "payment": payment_method,
            "rw": rt.rw.number,
            "rt": rt.number,
            "aid": need_id is not None,
        },
    )
    if payment_method == PaymentMethod.VOUCHER:
        _voucher_pay(actor, order, voucher_code, [offers[s.offer.pk] for s in lines])
    return order


@transaction.atomic
def order_cancel(*, actor: Any, order: Order, now: dt.datetime | None = None) -> Order:
    """The buyer cancels while the window is open; the stock goes back."""
    now = now or timezone.now()
    cycle = order.cycle
    if order.buyer_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the buyer can cancel this order."))
    if cycle.status != CycleStatus.OPEN or now >= cycle.closes_at:
        raise Conflict(_("The window is closed: the order is final."), {"field": "status"})
    if not Order.objects.filter(pk=order.pk, status=OrderStatus.PLACED).update(
        status=OrderStatus.CANCELLED, refund_total=F("goods_total"), delivery_fee=0
    ):
        raise Conflict(_("This order is already cancelled."), {"field": "status"})
    needed: dict[int, int] = defaultdict(int)
    for line in order.lines.select_related("offer__bundle").prefetch_related(
        "offer__bundle__components"
    ):
        for product_id, amount in _needed(line.offer, line.quantity).items():
            needed[product_id] += amount
        Offer.objects.filter(pk=line.offer_id).update(ordered=F("ordered") - line.quantity)
    order.lines.update(status=LineStatus.CANCELLED)
    _stock_release(cycle, dict(needed))
    order.refresh_from_db()
    _log(
        order.kelurahan,
        "market.order_cancelled",
        actor,
        f"order:{order.pk}",
        {"cycle": f"cycle:{cycle.pk}"},
    )
    _prepaid_return(actor, order)
    return order


@transaction.atomic
def cycle_close(*, actor: Any, cycle: OrderCycle, now: dt.datetime | None = None) -> OrderCycle:
    """Orders become final: each bulk threshold is met, or its rule applies (confirm, the
    buyer's fallback item, or cancel and refund). Pick lists follow from the result."""
    kelurahan = cycle.kelurahan
    if actor is not None:
        permission_require(actor, "market.manage", kelurahan)
    now = now or timezone.now()
    gaps = _gaps_fill(actor, cycle, now) if cycle.status == CycleStatus.OPEN else {}
    if not OrderCycle.objects.filter(pk=cycle.pk, status=CycleStatus.OPEN).update(
        status=CycleStatus.CLOSED, closed_at=now, closes_at=min(cycle.closes_at, now)
    ):
        raise Conflict(_("This cycle is not open."), {"field": "status"})
    cycle.refresh_from_db()
    offers = {
        o.pk: o
        for o in Offer.objects.filter(cycle=cycle)
        .select_related("product", "bundle")
        .prefetch_related("bundle__components")
    }
    for offer in offers.values():
        offer.threshold_met = None if offer.threshold is None else offer.ordered >= offer.threshold
    Offer.objects.bulk_update(offers.values(), ["threshold_met"])
    counts = {"confirmed": 0, "fallback": 0, "cancelled": 0}
    refunds: dict[int, int] = defaultdict(int)
    lines = list(
        OrderLine.objects.filter(order__cycle=cycle, order__status=OrderStatus.PLACED).order_by(
            "pk"
        )
    )
    for line in lines:
        offer = offers[line.offer_id]
        if offer.threshold_met is not False or offer.threshold_rule == ThresholdRule.CONFIRM:
            line.status = LineStatus.CONFIRMED
        else:
            fallback = offers.get(line.fallback_offer_id or 0)
            switched = False
            if offer.threshold_rule == ThresholdRule.FALLBACK and fallback is not None:
                if fallback.threshold_met is not False:
                    try:
                        with transaction.atomic():
                            _stock_take(cycle, _needed(fallback, line.quantity))
                        switched = True
                    except Conflict:
                        switched = False
            _stock_release(cycle, _needed(offer, line.quantity))
            if switched:
                refunds[line.order_id] += (line.unit_price - fallback.price) * line.quantity  # type: ignore[union-attr]
                line.unit_price = fallback.price  # type: ignore[union-attr]
                line.status = LineStatus.FALLBACK
            else:
                refunds[line.order_id] += line.unit_price * line.quantity
                line.status = LineStatus.CANCELLED
        counts[line.status] = counts.get(line.status, 0) + 1
    OrderLine.objects.bulk_update(lines, ["status", "unit_price"])
    for order_id, amount in refunds.items():
        Order.objects.filter(pk=order_id).update(refund_total=F("refund_total") + amount)
    live = {line.order_id for line in lines if line.status != LineStatus.CANCELLED}
    placed = Order.objects.filter(cycle=cycle, status=OrderStatus.PLACED)
    placed.filter(pk__in=live).update(status=OrderStatus.CONFIRMED)
    placed.exclude(pk__in=live).update(status=OrderStatus.CANCELLED, delivery_fee=0)
    # Prepaid value a closing no longer needs goes back to the voucher or aid source
    # (QRIS money is paid back by the treasurer: ``order_refund_pay``).
    for order in Order.objects.filter(
        cycle=cycle,
        payment_method__in=[PaymentMethod.VOUCHER, PaymentMethod.AID],
        paid_amount__gt=0,
    ).order_by("pk"):
        _prepaid_return(actor, order)
    _log(
        kelurahan,
        "market.cycle_closed",
        actor,
        f"cycle:{cycle.pk}",
        {
            "orders": len(live),
            "lines_confirmed": counts["confirmed"],
            "lines_fallback": counts["fallback"],
            "lines_cancelled": counts["cancelled"],
            "refunded": sum(refunds.values()),
            "thresholds": {
                f"offer:{o.pk}": o.threshold_met for o in offers.values() if o.threshold
            },
            "gaps_filled": {f"offer:{pk}": units for pk, units in gaps.items()},
        },
    )
    return cycle


# ------------------------------------------------------------------------------ delivery


@transaction.atomic
def courier_create(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    label: str,
    capacity: int,
    user: Any = None,
    is_paid: bool = False,
) -> Courier:
    """An operator registers a community courier and how many packages they carry."""
    permission_require(actor, "market.manage", kelurahan)
    label = _text(label, "label", low=2, high=60, message=_("Give the courier's name."))
    if not isinstance(capacity, int) or not 1 <= capacity <= COURIER_CAPACITY_MAX:
        raise ValidationFailed(
            _("A courier carries between 1 and 200 packages."), {"field": "capacity"}
        )
    courier = Courier.objects.create(
        kelurahan=kelurahan, label=label, capacity=capacity, user=user, is_paid=is_paid
    )
    _log(
        kelurahan,
        "market.courier_added",
        actor,
        f"courier:{courier.pk}",
        {"capacity": capacity, "paid": is_paid},
    )
    return courier


@transaction.atomic
def courier_update(*, actor: Any, courier: Courier, capacity: int, is_active: bool) -> Courier:
    """An operator changes how many packages a courier carries, or takes them off (or back
    on) the couriers who can be given routes. Routes already planned keep their courier
    and load; the change counts for the next route plan. Nothing changed: no log entry."""
    kelurahan = courier.kelurahan
    permission_require(actor, "market.manage", kelurahan)
    if (
        not isinstance(capacity, int)
        or isinstance(capacity, bool)
        or not 1 <= capacity <= COURIER_CAPACITY_MAX
    ):
        raise ValidationFailed(
            _("A courier carries between 1 and 200 packages."), {"field": "capacity"}
        )
    if not isinstance(is_active, bool):
        raise ValidationFailed(_("Say whether the courier is active."), {"field": "is_active"})
    courier = Courier.objects.select_for_update().get(pk=courier.pk, kelurahan=kelurahan)
    if (
        is_active
        and not courier.is_active
        and courier.user_id is not None
        and Courier.objects.filter(kelurahan=kelurahan, user_id=courier.user_id, is_active=True)
        .exclude(pk=courier.pk)
        .exists()
    ):
        raise Conflict(_("This person is already a courier here."), {"field": "is_active"})
    before = {"capacity": courier.capacity, "active": courier.is_active}
    after = {"capacity": capacity, "active": is_active}
    if before == after:
        return courier
    courier.capacity = capacity
    courier.is_active = is_active
    courier.save(update_fields=["capacity", "is_active", "updated_at"])
    _log(
        kelurahan,
        "market.courier_updated",
        actor,
        f"courier:{courier.pk}",
        {**after, "was": before},
    )
    return courier


@transaction.atomic
def courier_create_for_phone(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    label: str,
    capacity: int,
    phone: str,
    is_paid: bool = False,
) -> Courier:
    """A courier linked to a person by phone number (given the volunteer role in the
    kelurahan when they hold none), so they see their route sheet and record drop-offs."""
    permission_require(actor, "market.manage", kelurahan)
    user = _member_for_phone(actor=actor, kelurahan=kelurahan, phone=phone, role=Role.RELAWAN)
    if Courier.objects.filter(kelurahan=kelurahan, user=user, is_active=True).exists():
        raise Conflict(_("This person is already a courier here."), {"field": "phone"})
    return courier_create(
        actor=actor, kelurahan=kelurahan, label=label, capacity=capacity, user=user, is_paid=is_paid
    )


def _hub(cycle: OrderCycle, orders: Sequence[Order]) -> tuple[float, float]:
    """The cycle's hub, else the kelurahan's centre, else the middle of the orders."""
    if cycle.hub_lat is not None and cycle.hub_lon is not None:
        return (cycle.hub_lat, cycle.hub_lon)
    k = cycle.kelurahan
    if k.centroid_lat is not None:
        return (float(k.centroid_lat), float(k.centroid_lon or 0))
    places = [(o.lat, o.lon) for o in orders if o.lat is not None and o.lon is not None]
    if places:
        lats = [float(p[0] or 0) for p in places]
        lons = [float(p[1] or 0) for p in places]
        return (sum(lats) / len(lats), sum(lons) / len(lons))
    return (0.0, 0.0)


def _place(rt: RT | None, fallback: tuple[float, float]) -> tuple[float, float]:
    if rt is not None and rt.centroid_lat is not None:
        return (float(rt.centroid_lat), float(rt.centroid_lon or 0))
    return fallback


@transaction.atomic
def routes_plan(
    *,
    actor: Any,
    cycle: OrderCycle,
    couriers: Iterable[Courier] | None = None,
    time_limit_s: float = 3.0,
) -> list[RoutePlan]:
    """Plan the couriers' routes for a closed cycle: one collection run through the UMKM,
    then capacitated routes to every house and RT pickup point (replaces an earlier plan)."""
    kelurahan = cycle.kelurahan
    if actor is not None:
        permission_require(actor, "market.manage", kelurahan)
    if cycle.status != CycleStatus.CLOSED:
        raise Conflict(_("Routes are planned after the cycle closes."), {"field": "status"})
    chosen = (
        list(couriers)
        if couriers is not None
        else list(Courier.objects.filter(kelurahan=kelurahan, is_active=True).order_by("pk"))
    )
    if any(c.kelurahan_id != kelurahan.pk for c in chosen):
        raise NotFound(_("That courier is not in this kelurahan."), {"field": "couriers"})
    if not chosen:
        raise ValidationFailed(_("Register at least one courier first."), {"field": "couriers"})
    if Order.objects.filter(cycle=cycle, status=OrderStatus.DELIVERED).exists():
        raise Conflict(_("Drop-offs are already recorded; the plan cannot change now."))
    orders = list(
        Order.objects.filter(cycle=cycle, status=OrderStatus.CONFIRMED)
        .select_related("rt")
        .order_by("pk")
    )
    hub = _hub(cycle, orders)
    drops: dict[str, routing.Drop] = {}
    members: dict[str, list[Order]] = defaultdict(list)
    for order in orders:
        if order.fulfilment == Fulfilment.PICKUP:
            key = f"rt:{order.rt_id}"
            lat, lon = _place(order.rt, hub)
        else:
            key = f"order:{order.pk}"
            lat, lon = (
                (order.lat, order.lon or 0.0) if order.lat is not None else _place(order.rt, hub)
            )
        members[key].append(order)
        old = drops.get(key)
        drops[key] = routing.Drop(key, lat, lon, (old.demand if old else 0) + 1)
    sellers = {
        o.pk: o
        for o in Organisation.objects.filter(pk__in=_cycle_seller_ids(cycle)).select_related("rt")
    }
    pickups = [(f"organisation:{pk}", *_place(o.rt, hub)) for pk, o in sorted(sellers.items())]
    try:
        plan = routing.plan_routes(
            hub=hub,
            pickups=pickups,
            drops=list(drops.values()),
            capacities=[c.capacity for c in chosen],
            time_limit_s=time_limit_s,
        )
    except routing.RoutingInfeasible as exc:
        if exc.args and exc.args[0] == routing.OVER_CAPACITY:
            message = str(
                _("The couriers cannot carry every package: %(need)s packages, capacity %(cap)s.")
                % {"need": len(orders), "cap": sum(c.capacity for c in chosen)}
            )
        else:
            message = str(_("No route plan fits the couriers' working hours; add a courier."))
        raise ValidationFailed(message, {"field": "couriers", "reason": str(exc)}) from exc
    RoutePlan.objects.filter(cycle=cycle).delete()
    plans: list[RoutePlan] = []
    first_with_route = next((i for i, r in enumerate(plan.routes) if r), 0)
    for index, (courier, keys) in enumerate(zip(chosen, plan.routes, strict=True)):
        if not keys and index != first_with_route:
            continue
        route = RoutePlan.objects.create(
            cycle=cycle,
            courier=courier,
            distance_m=plan.route_distances[index]
            + (plan.collection_distance if index == first_with_route else 0),
            load=plan.loads[index],
        )
        sequence = 0
        if index == first_with_route:
            for key in plan.collection:
                org = sellers[int(key.split(":")[1])]
                lat, lon = _place(org.rt, hub)
                sequence += 1
                RouteStop.objects.create(
                    plan=route,
                    sequence=sequence,
                    kind=StopKind.PICKUP,
                    organisation=org,
                    lat=lat,
                    lon=lon,
                )
        for key in keys:
            base = key.split("#")[0]
            drop = drops[base]
            sequence += 1
            stop = RouteStop.objects.create(
                plan=route,
                sequence=sequence,
                kind=StopKind.DROP,
                lat=drop.lat,
                lon=drop.lon,
                rt=members[base][0].rt,
            )
            stop.orders.set(members[base])
        plans.append(route)
    _log(
        kelurahan,
        "market.routes_planned",
        actor,
        f"cycle:{cycle.pk}",
        {
            "couriers": len(plans),
            "orders": len(orders),
            "distance_m": plan.total_distance,
            "loads": plan.loads,
            "capacities": [c.capacity for c in chosen],
        },
    )
    return plans


def _cycle_seller_ids(cycle: OrderCycle) -> set[int]:
    """The UMKM whose goods are in the cycle's confirmed lines (one query per offer kind)."""
    lines = OrderLine.objects.filter(
        order__cycle=cycle, status__in=[LineStatus.CONFIRMED, LineStatus.FALLBACK]
    )
    delivered: set[int] = set()
    for status, offer_id, fallback_id in lines.values_list(
        "status", "offer_id", "fallback_offer_id"
    ):
        delivered.add(fallback_id if status == LineStatus.FALLBACK else offer_id)
    ids = set(Product.objects.filter(offer__in=delivered).values_list("organisation_id", flat=True))
    ids.update(
        BundleComponent.objects.filter(bundle__offer__in=delivered).values_list(
            "product__organisation_id", flat=True
        )
    )
    return ids


@transaction.atomic
def dropoff_record(
    *,
    actor: Any,
    order: Order,
    code: str = "",
    photo: Any = None,
    cash_collected: int | None = None,
) -> Order:
    """The courier records a drop-off with the buyer's code or a photo (and the cash on
    delivery); the cycle is fulfilled when its last order is delivered. The photo of an
    aid order is filed under its need, so the serving activity shows it as evidence."""
    kelurahan = order.kelurahan
    permission_gate(actor, "market.deliver", kelurahan)
    courier_route = RouteStop.objects.filter(orders=order, plan__courier__user=actor).exists()
    if not courier_route and not _is_officer(actor, kelurahan):
        raise PermissionDenied(_("This order is not on your route."))
    if order.status != OrderStatus.CONFIRMED:
        raise Conflict(_("This order is not waiting for delivery."), {"field": "status"})
    proof = ""
    if code:
        if not hmac.compare_digest(code.strip(), recipient_code(order)):
            raise ValidationFailed(_("The code does not match this order."), {"field": "code"})
        proof = "code"
    elif photo is not None:
        # The photo of an aid order's hand-over is evidence about the need it fulfils, so
        # the activity serving that need shows it (and counts it) as its own evidence.
        subject = f"need:{order.need_id}" if order.need_id else f"market_order:{order.pk}"
        evidence = evidence_upload(
            kelurahan=kelurahan, uploader=actor, subject=subject, upload=photo
        )
        proof = evidence.code
    else:
        raise ValidationFailed(
            _("Enter the buyer's code or take a photo of the hand-over."), {"field": "code"}
        )
    due = order.cash_to_collect
    if due > 0:
        if cash_collected != due:
            raise ValidationFailed(
                _("Cash on delivery: enter the amount received (%(total)s).")
                % {"total": rupiah_format(due)},
                {"field": "cash_collected", "expected": due},
            )
    elif cash_collected:
        raise ValidationFailed(_("This order is not paid in cash."), {"field": "cash_collected"})
    now = timezone.now()
    if not Order.objects.filter(pk=order.pk, status=OrderStatus.CONFIRMED).update(
        status=OrderStatus.DELIVERED,
        delivered_at=now,
        delivery_proof=proof,
        cash_collected=cash_collected,
        updated_at=now,
    ):
        raise Conflict(_("This order is not waiting for delivery."), {"field": "status"})
    if cash_collected:
        _cash_receive(actor, order, cash_collected, now)
    order.refresh_from_db()
    _log(
        kelurahan,
        "market.order_delivered",
        actor,
        f"order:{order.pk}",
        {
            "cycle": f"cycle:{order.cycle_id}",
            "proof": "code" if proof == "code" else "photo",
            "evidence": proof if proof != "code" else None,
            "cash": cash_collected,
        },
    )
    if not Order.objects.filter(cycle_id=order.cycle_id, status=OrderStatus.CONFIRMED).exists():
        if OrderCycle.objects.filter(pk=order.cycle_id, status=CycleStatus.CLOSED).update(
            status=CycleStatus.FULFILLED
        ):
            _log(kelurahan, "market.cycle_fulfilled", None, f"cycle:{order.cycle_id}", {})
    return order


# --------------------------------------------------------------------------------- aid


@transaction.atomic
def aid_order_place(
    *, actor: Any, activity: Any, need: Any, offer: Offer, source: Any = None
) -> Order:
    """Fulfil a need served by an activity by buying a bundle (or product) of the current
    cycle from local UMKM, paid from ``source`` (a funds account: the aid fund by default,
    or a campaign whose earmark fits); the activity links to the order as a UMKM product
    resource, and the ledger's spending names the activity."""
    from gotong.activities.models import ActivityNeed
    from gotong.activities.services import resource_link_add

    kelurahan = activity.kelurahan
    permission_require(actor, "market.manage", kelurahan)
    if (
        need.kelurahan_id != kelurahan.pk
        or not ActivityNeed.objects.filter(activity=activity, need=need).exists()
    ):
        raise ValidationFailed(_("This activity does not serve that need."), {"field": "need"})
    item = offer.bundle or offer.product
    category = item.category  # type: ignore[union-attr]
    if {str(k): v for k, v in AID_CATEGORIES.items()}.get(category) != need.category:
        raise ValidationFailed(
            _("This item's category does not fit the need."),
            {"field": "offer", "category": category, "need_category": need.category},
        )
    if Order.objects.filter(need_id=need.pk).exclude(status=OrderStatus.CANCELLED).exists():
        raise Conflict(_("This need already has a market order."), {"field": "need"})
    order = order_place(
        actor=actor,
        cycle=offer.cycle,
        lines=[LineSpec(offer=offer, quantity=1)],
        fulfilment=Fulfilment.DELIVERY,
        rt=need.rt,
        payment_method=PaymentMethod.AID,
        need_id=need.pk,
    )
    _aid_pay(actor, order, source, activity_id=activity.pk)
    first_product: Any = offer.product or (
        offer.bundle.components.select_related("product__organisation")[0].product  # type: ignore[union-attr]
    )
    first = first_product.organisation
    resource_link_add(
        activity=activity,
        kind="umkm_product",
        external_id=f"market-order:{order.code}",
        quantity=1,
        unit="paket",
        organisation=first,
    )
    _log(
        kelurahan,
        "market.aid_order",
        actor,
        f"order:{order.pk}",
        {
            "need": f"need:{need.pk}",
            "activity": f"activity:{activity.pk}",
            "offer": f"offer:{offer.pk}",
        },
    )
    return order


def managed_organisation_ids(user: Any, kelurahan: Kelurahan) -> set[int] | None:
    """The UMKM whose sales and pick lists the user may see (None: every UMKM, officers)."""
    if _is_officer(user, kelurahan):
        return None
    return set(
        Seller.objects.filter(kelurahan=kelurahan, user=user).values_list(
            "organisation_id", flat=True
        )
    )


# ----------------------------------------------------------------------------- payment
# Money of the market moves through the funds ledger (``gotong.funds.services``): every
# payment goes into the market clearing account, the settlement pays it out.


def _accounts(kelurahan: Kelurahan) -> dict[str, Any]:
    return funds_services.market_accounts(kelurahan=kelurahan)


def _order_locked(order: Order) -> Order:
    return (
        Order.objects.select_for_update(of=("self",)).select_related("kelurahan").get(pk=order.pk)
    )


def _paid(order: Order, amount: int, at: dt.datetime, **fields: Any) -> None:
    Order.objects.filter(pk=order.pk).update(
        paid_amount=F("paid_amount") + amount, paid_at=at, updated_at=timezone.now(), **fields
    )


def _item_voucher_category(offer: Offer) -> str:
    item: Any = offer.bundle or offer.product
    return VOUCHER_CATEGORIES.get(str(item.category), "")


def _voucher_pay(actor: Any, order: Order, code: str, offers: Sequence[Offer]) -> None:
    """Pay ``order`` with an aid voucher through the funds rules (or refuse it all)."""
    items = [(o.name, _item_voucher_category(o)) for o in offers]
    redemption = funds_services.voucher_market_pay(
        actor=actor,
        kelurahan=order.kelurahan,
        code=code,
        items=items,
        amount_max=order.total,
        market_order_id=order.pk,
    )
    _paid(
        order,
        redemption.amount,
        redemption.created_at,
        voucher_id=redemption.voucher_id,
        voucher_amount=redemption.amount,
    )
    order.refresh_from_db()
    _log(
        order.kelurahan,
        "market.order_paid",
        actor,
        f"order:{order.pk}",
        {
            "method": PaymentMethod.VOUCHER,
            "amount": redemption.amount,
            "transfer": f"transfer:{redemption.transfer_id}",
            "cash_due": order.balance_due,
        },
    )


def _aid_pay(actor: Any, order: Order, source: Any, *, activity_id: int | None) -> None:
    """Pay an aid order from the aid fund or a campaign (earmark checked); it counts as
    spent on aid, for the activity when there is one."""
    kelurahan = order.kelurahan
    accounts = _accounts(kelurahan)
    source = source if source is not None else accounts[FundsAccountKind.AID_FUND]
    if source.kelurahan_id != kelurahan.pk or source.kind not in FUNDS_AID_SOURCES:
        raise ValidationFailed(
            _("Aid is paid from the aid fund or a campaign."), {"field": "source"}
        )
    category = next(
        (
            _item_voucher_category(line.offer)
            for line in order.lines.select_related("offer__product", "offer__bundle")
        ),
        "",
    )
    funds_services.earmark_check(
        account=source, category=category or "lainnya", activity_id=activity_id, rt=order.rt
    )
    campaign = funds_selectors.campaign_list(kelurahan=kelurahan).filter(account=source).first()
    amount = order.balance_due
    transfer = funds_services.transfer_post(
        kelurahan=kelurahan,
        kind=FundsTransferKind.SPEND,
        postings=[(source, amount), (accounts[FundsAccountKind.MARKET_CLEARING], -amount)],
        actor=actor,
        memo=f"Pasar {order.code}",
        campaign=campaign,
        activity_id=activity_id,
        log_data={"market_order": f"order:{order.pk}", "need": f"need:{order.need_id}"},
    )
    _paid(order, amount, transfer.created_at, aid_account_id=source.pk)
    order.refresh_from_db()
    _log(
        kelurahan,
        "market.order_paid",
        actor,
        f"order:{order.pk}",
        {"method": PaymentMethod.AID, "amount": amount, "transfer": f"transfer:{transfer.pk}"},
    )


def _returned(order: Order, amount: int) -> None:
    if not Order.objects.filter(pk=order.pk, returned_amount=order.returned_amount).update(
        returned_amount=F("returned_amount") + amount, updated_at=timezone.now()
    ):
        raise Conflict(_("This refund was already made."), {"field": "order"})


def _prepaid_return(actor: Any, order: Order) -> None:
    """What a voucher or aid order no longer costs goes back automatically: to the
    voucher (or its source once expired), or to the aid fund or campaign that paid."""
    order = _order_locked(order)
    owed = order.refund_owed
    if owed <= 0 or order.payment_method not in (PaymentMethod.VOUCHER, PaymentMethod.AID):
        return
    kelurahan = order.kelurahan
    if order.payment_method == PaymentMethod.VOUCHER and order.voucher_id:
        transfer = funds_services.voucher_market_refund(
            actor=actor,
            kelurahan=kelurahan,
            voucher_id=order.voucher_id,
            amount=owed,
            market_order_id=order.pk,
        )
        to = "voucher"
    elif order.payment_method == PaymentMethod.AID and order.aid_account_id:
        source = funds_selectors.account_get(kelurahan=kelurahan, pk=order.aid_account_id)
        transfer = funds_services.transfer_post(
            kelurahan=kelurahan,
            kind=FundsTransferKind.MARKET_REFUND,
            postings=[
                (_accounts(kelurahan)[FundsAccountKind.MARKET_CLEARING], owed),
                (source, -owed),
            ],
            actor=actor,
            memo=f"Pasar {order.code}",
            campaign=funds_selectors.campaign_list(kelurahan=kelurahan)
            .filter(account=source)
            .first(),
            log_data={"market_order": f"order:{order.pk}"},
        )
        to = "aid_source"
    else:
        return
    _returned(order, owed)
    _log(
        kelurahan,
        "market.order_refunded",
        actor,
        f"order:{order.pk}",
        {"amount": owed, "to": to, "transfer": f"transfer:{transfer.pk}"},
    )


def _cash_receive(actor: Any, order: Order, amount: int, at: dt.datetime) -> None:
    """Cash taken at the door goes into the cash box, held for the cycle's settlement."""
    accounts = _accounts(order.kelurahan)
    transfer = funds_services.transfer_post(
        kelurahan=order.kelurahan,
        kind=FundsTransferKind.MARKET_PAYMENT,
        postings=[
            (accounts[FundsAccountKind.CASH], amount),
            (accounts[FundsAccountKind.MARKET_CLEARING], -amount),
        ],
        actor=actor,
        memo=f"Pasar {order.code}",
        log_data={"market_order": f"order:{order.pk}", "channel": "cash"},
        at=at,
    )
    _paid(order, amount, at)
    _log(
        order.kelurahan,
        "market.order_paid",
        actor,
        f"order:{order.pk}",
        {"method": "cash", "amount": amount, "transfer": f"transfer:{transfer.pk}"},
    )


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


def _proof(actor: Any, kelurahan: Kelurahan, subject: str, upload: Any, receipt_code: str) -> str:
    if receipt_code:
        from gotong.transparency import selectors as transparency_selectors

        return transparency_selectors.evidence_get(kelurahan=kelurahan, code=receipt_code).code
    if upload is None:
        raise ValidationFailed(
            _("A photo of the receipt or proof of payment is required."), {"field": "receipt"}
        )
    return evidence_upload(kelurahan=kelurahan, uploader=actor, subject=subject, upload=upload).code


@transaction.atomic
def order_payment_confirm(
    *,
    actor: Any,
    order: Order,
    amount: Any = None,
    receipt: Any = None,
    receipt_code: str = "",
    idempotency_key: str | None = None,
    statement_line: Any = None,
) -> Order:
    """The treasurer confirms a QRIS payment seen in the kelurahan's account (with a
    photo of it, or the funds bank-statement line that shows it: ``statement_line``): the
    money is posted bank -> market clearing. ``amount`` defaults to what the order owes;
    more than that becomes a refund owed to the buyer."""
    kelurahan = order.kelurahan
    permission_require(actor, "funds.treasury", kelurahan)
    request = {"market_payment": order.pk}
    replay = funds_services.transfer_replayed(
        kelurahan=kelurahan, key=idempotency_key, request=request
    )
    if replay is not None:
        return Order.objects.get(pk=order.pk)
    order = _order_locked(order)
    if order.payment_method != PaymentMethod.QRIS:
        raise ValidationFailed(
            _("Only QRIS payments are confirmed by the treasurer."), {"field": "order"}
        )
    if order.paid_at is not None:
        raise Conflict(_("This payment was already confirmed."), {"field": "order"})
    if amount in (None, ""):
        value = order.balance_due
        if value <= 0:
            raise ValidationFailed(
                _("Nothing is due on this order: enter the amount received."),
                {"field": "amount"},
            )
    else:
        value = funds_services.amount_clean(amount)
    evidence: dict[str, Any]
    if statement_line is not None:
        code = ""
        evidence = {"statement_line": f"statement_line:{statement_line.pk}"}
    else:
        code = _proof(actor, kelurahan, f"market_order:{order.pk}", receipt, receipt_code)
        evidence = {"receipt": code}
    accounts = _accounts(kelurahan)
    transfer = funds_services.transfer_post(
        kelurahan=kelurahan,
        kind=FundsTransferKind.MARKET_PAYMENT,
        postings=[
            (accounts[FundsAccountKind.BANK], value),
            (accounts[FundsAccountKind.MARKET_CLEARING], -value),
        ],
        actor=actor,
        memo=f"QRIS {order.code}",
        idempotency_key=idempotency_key,
        request=request,
        receipt_code=code,
        log_data={"market_order": f"order:{order.pk}", "channel": "qris", **evidence},
    )
    _paid(
        order,
        value,
        transfer.created_at,
        payment_confirmed_by=actor,
        payment_receipt=code,
        payment_statement_line_id=statement_line.pk if statement_line is not None else None,
    )
    order.refresh_from_db()
    _log(
        kelurahan,
        "market.order_paid",
        actor,
        f"order:{order.pk}",
        {
            "method": PaymentMethod.QRIS,
            "amount": value,
            "transfer": f"transfer:{transfer.pk}",
            **evidence,
        },
    )
    return order


# An order code (``_order_code``) in a bank statement line's description: the QRIS
# reference (tag 62.05) the bank shows, or what the buyer wrote in a transfer.
ORDER_CODE_RE = re.compile(r"(?<![0-9A-Z])P[ACDEFGHJKMNPQRTUVWXY34679]{9}(?![0-9A-Z])")


def statement_line_match(*, actor: Any, kelurahan: Kelurahan, line: Any) -> bool:
    """The funds statement import offers each line no donation matched (registered in
    ``MarketConfig.ready``): a line whose description holds the code of a QRIS order of
    this kelurahan that is still unpaid, for exactly what it owes, records that payment
    with the line as its evidence (``order_payment_confirm``). Anything else (unknown
    code, other amount, already paid, cancelled, not QRIS) is left unmatched."""
    for code in ORDER_CODE_RE.findall((line.description or "").upper()):
        order = Order.objects.filter(kelurahan=kelurahan, code=code).first()
        if (
            order is None
            or order.payment_method != PaymentMethod.QRIS
            or order.status == OrderStatus.CANCELLED
            or order.paid_at is not None
            or order.balance_due <= 0
            or order.balance_due != line.amount
        ):
            continue
        order_payment_confirm(actor=actor, order=order, amount=line.amount, statement_line=line)
        return True
    return False


@transaction.atomic
def order_refund_pay(
    *,
    actor: Any,
    order: Order,
    proof: Any = None,
    receipt_code: str = "",
    idempotency_key: str | None = None,
) -> Order:
    """The treasurer pays back what a QRIS buyer paid beyond the order's final total (a
    line cancelled at closing, a cancelled order), with proof: clearing -> bank."""
    kelurahan = order.kelurahan
    permission_require(actor, "funds.treasury", kelurahan)
    request = {"market_refund": order.pk}
    replay = funds_services.transfer_replayed(
        kelurahan=kelurahan, key=idempotency_key, request=request
    )
    if replay is not None:
        return Order.objects.get(pk=order.pk)
    order = _order_locked(order)
    owed = order.refund_owed
    if order.payment_method != PaymentMethod.QRIS or owed <= 0:
        raise Conflict(_("Nothing is owed back on this order."), {"field": "order"})
    if order.status == OrderStatus.PLACED:
        raise Conflict(_("Refunds are paid once the order window has closed."), {"field": "order"})
    code = _proof(actor, kelurahan, f"market_order:{order.pk}", proof, receipt_code)
    accounts = _accounts(kelurahan)
    transfer = funds_services.transfer_post(
        kelurahan=kelurahan,
        kind=FundsTransferKind.MARKET_REFUND,
        postings=[
            (accounts[FundsAccountKind.MARKET_CLEARING], owed),
            (accounts[FundsAccountKind.BANK], -owed),
        ],
        actor=actor,
        memo=f"Refund {order.code}",
        idempotency_key=idempotency_key,
        request=request,
        receipt_code=code,
        log_data={"market_order": f"order:{order.pk}"},
    )
    _returned(order, owed)
    order.refresh_from_db()
    _log(
        kelurahan,
        "market.order_refunded",
        actor,
        f"order:{order.pk}",
        {"amount": owed, "to": "buyer", "transfer": f"transfer:{transfer.pk}", "receipt": code},
    )
    return order


# --------------------------------------------------------------------------- settlement


@transaction.atomic
def cycle_settle(
    *, actor: Any, cycle: OrderCycle, idempotency_key: str | None = None
) -> OrderCycle:
    """Post a fulfilled cycle to the ledger in one transfer out of the market clearing
    account: each UMKM's payable its net sales, the couriers their share of the delivery
    fees, the operational fund the operations fee and the rest of the delivery fees (none
    of it from aid money: aid and voucher payments pay no operations fee and their
    delivery fees go wholly to the couriers); exactly the public ``cycle_breakdown``,
    which sums to zero. Once: settling again is refused (with the same Idempotency-Key
    it is answered as a replay)."""
    from .selectors import cycle_breakdown

    kelurahan = cycle.kelurahan
    permission_require(actor, "market.manage", kelurahan)
    cycle = OrderCycle.objects.select_for_update(of=("self",)).get(pk=cycle.pk)
    request = {"settle": cycle.pk}
    if cycle.settled_at is not None:
        replay = funds_services.transfer_replayed(
            kelurahan=kelurahan, key=idempotency_key, request=request
        )
        if replay is not None and replay.pk == cycle.settlement_transfer_id:
            cycle.replayed = True  # type: ignore[attr-defined]
            return cycle
        raise Conflict(
            _("This cycle was already settled."),
            {"field": "cycle", "transfer": cycle.settlement_transfer_id},
        )
    if cycle.status != CycleStatus.FULFILLED:
        raise Conflict(
            _("A cycle is settled once every order has been delivered."), {"field": "status"}
        )
    orders = list(
        Order.objects.filter(cycle=cycle).exclude(status=OrderStatus.CANCELLED).order_by("pk")
    )
    unpaid = [o.code for o in orders if o.balance_due > 0]
    if unpaid:
        raise Conflict(
            _("These orders are not paid yet: %(codes)s.") % {"codes": ", ".join(unpaid[:20])},
            {"field": "orders", "orders": unpaid},
        )
    split = cycle_breakdown(cycle=cycle)
    if split.balance != 0 or split.buyers_paid != sum(o.total for o in orders):
        raise Conflict(_("The fee split does not add up; the cycle cannot be settled."))
    accounts = _accounts(kelurahan)
    postings: list[tuple[Any, int]] = []
    payables: list[tuple[int, int]] = []
    organisations = Organisation.objects.filter(kelurahan=kelurahan).in_bulk(split.umkm_ids)
    for org_id, (_name, _gross, _fee, net) in zip(split.umkm_ids, split.umkm, strict=True):
        if net > 0:
            organisation = organisations[org_id]
            merchant = funds_services.umkm_payable_ensure(organisation=organisation)
            postings.append((merchant.account, -net))
            payables.append((org_id, net))
    operations = split.operations_fee + split.delivery_to_operations
    if operations:
        postings.append((accounts[FundsAccountKind.OPERATIONAL_FUND], -operations))
    if split.courier_share:
        postings.append((accounts[FundsAccountKind.COURIER_PAYABLE], -split.courier_share))
    transfer = None
    if split.buyers_paid:
        postings.insert(0, (accounts[FundsAccountKind.MARKET_CLEARING], split.buyers_paid))
        transfer = funds_services.transfer_post(
            kelurahan=kelurahan,
            kind=FundsTransferKind.MARKET_SETTLEMENT,
            postings=postings,
            actor=actor,
            memo=f"Pasar: {cycle.title}",
            idempotency_key=idempotency_key or f"market-settle:{cycle.pk}",
            request=request,
            log_data={
                "cycle": f"cycle:{cycle.pk}",
                "goods": split.goods,
                "operations_fee": split.operations_fee,
                "delivery_fees": split.delivery_fees,
                "courier_share": split.courier_share,
                "aid_goods": split.aid_goods,
                "aid_delivery": split.aid_delivery,
                "umkm": {f"organisation:{pk}": net for pk, net in payables},
            },
        )
    CyclePayout.objects.bulk_create(
        CyclePayout(cycle=cycle, organisation_id=pk, amount=net) for pk, net in payables
    )
    now = timezone.now()
    OrderCycle.objects.filter(pk=cycle.pk).update(
        settled_at=now,
        settled_by=_user(actor),
        settlement_transfer_id=transfer.pk if transfer else None,
    )
    cycle.refresh_from_db()
    _log(
        kelurahan,
        "market.cycle_settled",
        actor,
        f"cycle:{cycle.pk}",
        {
            "transfer": f"transfer:{transfer.pk}" if transfer else None,
            "buyers_paid": split.buyers_paid,
            "umkm": len(payables),
            "operations": operations,
            "couriers": split.courier_share,
            "aid_paid": split.aid_paid,
        },
    )
    cycle.replayed = False  # type: ignore[attr-defined]
    return cycle


@transaction.atomic
def cycle_payouts_request(
    *, actor: Any, cycle: OrderCycle, pay_by_cash: bool = False
) -> list[CyclePayout]:
    """Ask to pay each UMKM what the settlement credited it (a funds disbursement of kind
    UMKM settlement: two other officers approve, the treasurer pays with proof), by bank
    transfer or, with ``pay_by_cash``, from the cash box (cash taken at the door)."""
    kelurahan = cycle.kelurahan
    permission_require(actor, "funds.operate", kelurahan)
    cycle.refresh_from_db(fields=["settled_at"])
    if cycle.settled_at is None:
        raise Conflict(_("Settle the cycle before paying the UMKM."), {"field": "cycle"})
    waiting = list(
        CyclePayout.objects.select_for_update(of=("self",))
        .filter(cycle=cycle, disbursement_id__isnull=True)
        .select_related("organisation")
        .order_by("pk")
    )
    if not waiting:
        raise Conflict(_("Every UMKM of this cycle already has its payout."), {"field": "cycle"})
    for payout in waiting:
        merchant = funds_services.umkm_payable_ensure(organisation=payout.organisation)
        disbursement = funds_services.disbursement_request(
            actor=actor,
            kelurahan=kelurahan,
            kind=FundsDisbursementKind.UMKM_SETTLEMENT,
            amount=payout.amount,
            purpose=f"Pasar Gotong Royong: {cycle.title}",
            category=FundsCategory.OTHER,
            merchant=merchant,
            pay_by_cash=pay_by_cash,
        )
        payout.disbursement_id = disbursement.pk
        payout.save(update_fields=["disbursement_id"])
    _log(
        kelurahan,
        "market.payouts_requested",
        actor,
        f"cycle:{cycle.pk}",
        {"payouts": [f"disbursement:{p.disbursement_id}" for p in waiting]},
    )
    return list(CyclePayout.objects.filter(cycle=cycle).order_by("pk"))


@transaction.atomic
def cycle_courier_payouts_request(
    *, actor: Any, cycle: OrderCycle, pay_by_cash: bool = False
) -> list[CourierPayout]:
    """Ask to pay each courier of a settled cycle their part of the couriers' share (the
    delivery fees of the orders their routes carried, ``selectors.courier_shares``) out
    of the couriers' payable account: a funds disbursement each, two other officers
    approve, the treasurer pays with proof (``payout_approve`` / ``payout_pay``). Delivery
    fees of orders on no courier's route (an officer recorded the drop-off without a
    route plan) stay in the couriers' payable; the money page shows that amount."""
    from .selectors import courier_shares

    kelurahan = cycle.kelurahan
    permission_require(actor, "funds.operate", kelurahan)
    cycle = OrderCycle.objects.select_for_update(of=("self",)).get(pk=cycle.pk)
    if cycle.settled_at is None:
        raise Conflict(_("Settle the cycle before paying the couriers."), {"field": "cycle"})
    done = set(CourierPayout.objects.filter(cycle=cycle).values_list("courier_id", flat=True))
    waiting = [
        s
        for s in courier_shares(cycle=cycle)
        if s.courier is not None and s.amount > 0 and s.courier.pk not in done
    ]
    if not waiting:
        raise Conflict(_("No courier of this cycle is waiting for a payout."), {"field": "cycle"})
    for share in waiting:
        courier: Any = share.courier
        disbursement = funds_services.courier_payout_request(
            actor=actor,
            kelurahan=kelurahan,
            courier_id=courier.pk,
            amount=share.amount,
            purpose=f"Kurir Pasar Gotong Royong: {cycle.title} (kurir #{courier.pk})",
            pay_by_cash=pay_by_cash,
        )
        CourierPayout.objects.create(
            cycle=cycle,
            courier=courier,
            amount=share.amount,
            deliveries=share.deliveries,
            disbursement_id=disbursement.pk,
        )
    payouts = list(CourierPayout.objects.filter(cycle=cycle).order_by("pk"))
    _log(
        kelurahan,
        "market.courier_payouts_requested",
        actor,
        f"cycle:{cycle.pk}",
        {
            "payouts": {
                f"courier:{p.courier_id}": f"disbursement:{p.disbursement_id}"
                for p in payouts
                if p.courier_id in {s.courier.pk for s in waiting if s.courier is not None}
            },
            "amount": sum(s.amount for s in waiting),
        },
    )
    return payouts


def _payout_disbursement(payout: CyclePayout | CourierPayout) -> Any:
    if payout.disbursement_id is None:
        raise Conflict(_("Ask for this payout first."), {"field": "payout"})
    return funds_selectors.disbursement_get(
        kelurahan=payout.cycle.kelurahan, pk=payout.disbursement_id
    )


@transaction.atomic
def payout_approve(*, actor: Any, payout: CyclePayout | CourierPayout) -> Any:
    """One of the two approvals of a UMKM or courier payout (never by the requester,
    never twice by one officer: the funds rules)."""
    return funds_services.disbursement_approve(
        actor=actor, disbursement=_payout_disbursement(payout)
    )


@transaction.atomic
def payout_pay(
    *,
    actor: Any,
    payout: CyclePayout | CourierPayout,
    proof: Any = None,
    receipt_code: str = "",
    idempotency_key: str | None = None,
) -> Any:
    """The treasurer pays an approved UMKM or courier payout with a photo of the
    transfer."""
    return funds_services.disbursement_pay(
        actor=actor,
        disbursement=_payout_disbursement(payout),
        proof=proof,
        receipt_code=receipt_code,
        idempotency_key=idempotency_key,
    )


# ------------------------------------------------------------------------ gap campaign


def _gap_campaign_check(
    kelurahan: Kelurahan, campaign: Any, item: Any, threshold: int | None
) -> None:
    if campaign.kelurahan_id != kelurahan.pk:
        raise NotFound(_("That campaign is not in this kelurahan."), {"field": "gap_campaign"})
    if threshold is None:
        raise ValidationFailed(
            _("Only a group buy with a threshold can have a campaign fill its gap."),
            {"field": "gap_campaign"},
        )
    if str(item.category) not in {str(k) for k in AID_CATEGORIES}:
        raise ValidationFailed(
            _("A campaign fills the gap only for aid items (sembako, household needs)."),
            {"field": "gap_campaign"},
        )


@transaction.atomic
def offer_gap_campaign_set(*, actor: Any, offer: Offer, campaign: Any) -> Offer:
    """An operator names the campaign that fills this group buy's gap at closing (or
    None to stop it); only while the cycle is open."""
    kelurahan = offer.cycle.kelurahan
    permission_require(actor, "market.manage", kelurahan)
    if offer.cycle.status != CycleStatus.OPEN:
        raise Conflict(_("This cycle is not open."), {"field": "status"})
    if campaign is not None:
        _gap_campaign_check(kelurahan, campaign, offer.bundle or offer.product, offer.threshold)
    offer.gap_campaign_id = campaign.pk if campaign is not None else None
    offer.save(update_fields=["gap_campaign_id"])
    _log(
        kelurahan,
        "market.gap_campaign_set",
        actor,
        f"offer:{offer.pk}",
        {"campaign": offer.gap_campaign_id},
    )
    return offer


GAP_NEED_STATUSES = ("approved", "escalated")


def _gap_fill(buyer: Any, cycle: OrderCycle, offer: Offer, missing: int, at: dt.datetime) -> int:
    """Buy ``missing`` units for households with open needs, paid by the campaign; or
    refuse (the caller rolls back and the normal rule applies)."""
    from gotong.needs import selectors as needs_selectors

    kelurahan = cycle.kelurahan
    campaign = funds_selectors.campaign_get(kelurahan=kelurahan, pk=offer.gap_campaign_id or 0)
    item: Any = offer.bundle or offer.product
    need_category = {str(k): v for k, v in AID_CATEGORIES.items()}.get(str(item.category))
    if need_category is None:
        raise ValidationFailed(_("This item does not serve needs."), {"reason": "category"})
    category = _item_voucher_category(offer) or "lainnya"
    taken = set(
        Order.objects.filter(kelurahan=kelurahan, need_id__isnull=False)
        .exclude(status=OrderStatus.CANCELLED)
        .values_list("need_id", flat=True)
    )
    chosen: list[Any] = []
    households: set[str] = set()
    for status in GAP_NEED_STATUSES:
        for need in needs_selectors.need_board(
            kelurahan=kelurahan, status=status, category=need_category
        ):
            who = (
                f"h{need.beneficiary_household_id}"
                if need.beneficiary_household_id
                else f"p{need.beneficiary_person_id}"
            )
            if need.pk in taken or who in households or len(chosen) >= missing:
                continue
            try:
                funds_services.earmark_check(
                    account=campaign.account, category=category, rt=need.rt
                )
            except ValidationFailed:
                continue
            households.add(who)
            chosen.append(need)
    if len(chosen) < missing:
        raise ValidationFailed(
            _("Not enough households with open needs to fill the gap."),
            {"reason": "needs", "found": len(chosen), "missing": missing},
        )
    cost = missing * (offer.price + cycle.delivery_fee)
    campaign.account.refresh_from_db()
    if campaign.account.balance < cost:
        raise ValidationFailed(
            _("The campaign's balance cannot pay for the gap."),
            {"reason": "balance", "cost": cost},
        )
    orders = []
    for need in chosen:
        order = order_place(
            actor=buyer,
            cycle=cycle,
            lines=[LineSpec(offer=offer, quantity=1)],
            fulfilment=Fulfilment.DELIVERY,
            rt=need.rt,
            payment_method=PaymentMethod.AID,
            need_id=need.pk,
            now=at,
        )
        _aid_pay(buyer, order, campaign.account, activity_id=None)
        orders.append(order)
    _log(
        kelurahan,
        "market.gap_filled",
        buyer,
        f"offer:{offer.pk}",
        {
            "cycle": f"cycle:{cycle.pk}",
            "campaign": campaign.pk,
            "units": missing,
            "cost": cost,
            "needs": [f"need:{n.pk}" for n in chosen],
            "orders": [f"order:{o.pk}" for o in orders],
        },
    )
    Offer.objects.filter(pk=offer.pk).update(gap_filled=F("gap_filled") + missing)
    return missing


def _gaps_fill(actor: Any, cycle: OrderCycle, now: dt.datetime) -> dict[int, int]:
    """At closing, before thresholds are judged: each group buy short of its threshold
    whose offer names a campaign gets its gap bought for households with open needs, if
    the campaign can pay and enough such households exist; otherwise nothing changes."""
    buyer = actor if getattr(actor, "is_authenticated", False) else cycle.created_by
    inside = min(now, cycle.closes_at - dt.timedelta(seconds=1))
    if buyer is None or inside < cycle.opens_at:
        return {}
    filled: dict[int, int] = {}
    offers = (
        Offer.objects.filter(cycle=cycle, gap_campaign_id__isnull=False, threshold__isnull=False)
        .select_related("product", "bundle")
        .order_by("pk")
    )
    for offer in offers:
        missing = (offer.threshold or 0) - offer.ordered
        if missing <= 0:
            continue
        try:
            with transaction.atomic():
                filled[offer.pk] = _gap_fill(buyer, cycle, offer, missing, inside)
        except ApplicationError as exc:
            _log(
                cycle.kelurahan,
                "market.gap_not_filled",
                actor,
                f"offer:{offer.pk}",
                {"missing": missing, "reason": exc.extra.get("reason", type(exc).__name__)},
            )
    return filled


# ------------------------------------------------------------------------------ ratings

RATING_COMMENT_MAX = 200
# Long runs of digits look like phone, NIK or account numbers: not in a comment.
_DIGIT_RUN = re.compile(r"\d[\d\s.-]{6,}\d")


@dataclass(frozen=True)
class RatingSpec:
    organisation_id: int
    stars: int
    comment: str = ""


@transaction.atomic
def order_rate(*, actor: Any, order: Order, ratings: Sequence[RatingSpec]) -> list[OrderRating]:
    """The buyer rates a delivered order once: 1-5 stars for each UMKM whose goods it
    brought (a UMKM may be left out), with an optional short comment. The comment is
    shown to that UMKM and the officers without the buyer's name and is not logged.
    Aid orders are rated by the household through the activity, not here."""
    from .selectors import order_umkm

    permission_gate(actor, "market.order", order.kelurahan)
    order = _order_locked(order)
    if order.buyer_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the buyer can rate this order."))
    if order.need_id is not None:
        raise Conflict(
            _("Aid orders are rated by the household through the activity."),
            {"field": "order"},
        )
    if order.status != OrderStatus.DELIVERED:
        raise Conflict(_("You can rate an order once it has been delivered."), {"field": "status"})
    if OrderRating.objects.filter(order=order).exists():
        raise Conflict(_("You have already rated this order."), {"field": "order"})
    if not ratings:
        raise ValidationFailed(_("Give at least one UMKM some stars."), {"field": "stars"})
    allowed = {org.pk for org in order_umkm(order=order)}
    seen: set[int] = set()
    rows = []
    for spec in ratings:
        if spec.organisation_id not in allowed:
            raise ValidationFailed(
                _("That UMKM is not in this order."), {"field": "organisation_id"}
            )
        if spec.organisation_id in seen:
            raise ValidationFailed(_("A UMKM appears twice."), {"field": "organisation_id"})
        seen.add(spec.organisation_id)
        stars = spec.stars
        if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
            raise ValidationFailed(_("Give between 1 and 5 stars."), {"field": "stars"})
        comment = " ".join((spec.comment or "").split())
        if len(comment) > RATING_COMMENT_MAX:
            raise ValidationFailed(
                _("Keep the comment under %(n)s characters.") % {"n": RATING_COMMENT_MAX},
                {"field": "comment"},
            )
        if _DIGIT_RUN.search(comment):
            raise ValidationFailed(
                _("Leave phone, NIK and account numbers out of the comment."),
                {"field": "comment"},
            )
        rows.append(
            OrderRating(
                kelurahan=order.kelurahan,
                order=order,
                organisation_id=spec.organisation_id,
                stars=stars,
                comment=comment,
            )
        )
    OrderRating.objects.bulk_create(rows)
    _log(
        order.kelurahan,
        "market.order_rated",
        actor,
        f"order:{order.pk}",
        {
            "cycle": f"cycle:{order.cycle_id}",
            "stars": {f"organisation:{r.organisation_id}": r.stars for r in rows},
        },
    )
    return list(OrderRating.objects.filter(order=order).order_by("pk"))
