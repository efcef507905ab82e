"""The UMKM catalogue: sellers, products and their photos, bundles."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gotong.accounts.models import Role
from gotong.accounts.permissions import permission_require
from gotong.core.exceptions import (
    Conflict,
    NotFound,
    ValidationFailed,
)
from gotong.registry.models import Organisation
from gotong.territory.models import Kelurahan
from gotong.transparency.photos import PhotoRejected, photo_inspect

from ..models import (
    Bundle,
    BundleComponent,
    Product,
    ProductCategory,
    Seller,
)
from ._common import (
    _log,
    _member_for_phone,
    _price_check,
    _seller_check,
    _text,
    _umkm_approved,
)

PHOTO_MAX_BYTES = 5 * 1024 * 1024


PHOTO_SIDE = 480


PRODUCT_PHOTO_STORAGE = "evidence_public"


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
