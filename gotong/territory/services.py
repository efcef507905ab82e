"""Territory use-cases.

- ``kelurahan_create``: set up a tenant from its official Kemendagri code (apps that keep
  something per kelurahan, such as the funds ledger's fixed accounts, add it through
  ``kelurahan_created_register``).
- ``rw_create`` / ``rt_create``: add neighbourhood units, numbers unique in their parent.
- ``territory_geometry_set``: record a unit's centroid and GeoJSON boundary.
"""

import hashlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import permission_require
from gotong.core.exceptions import Conflict, ValidationFailed
from gotong.transparency.canonical import canonical_bytes
from gotong.transparency.services import entry_record

from .models import RT, RW, Kelurahan
from .regions import official_village_get
from .validators import region_code_normalize

_GEOMETRY_TYPES = {"Polygon", "MultiPolygon"}

# Higher apps set up their part of a new kelurahan in its creating transaction without
# territory depending on them: each registers ``hook(kelurahan=)`` once in AppConfig.ready.
KelurahanCreated = Callable[..., object]
_KELURAHAN_CREATED: list[KelurahanCreated] = []


def kelurahan_created_register(hook: KelurahanCreated) -> None:
    """Run ``hook(kelurahan=)`` for every kelurahan created from now on (once per hook)."""
    if all(h is not hook for h in _KELURAHAN_CREATED):
        _KELURAHAN_CREATED.append(hook)


@transaction.atomic
def kelurahan_create(*, region_code: str, slug: str = "", is_demo: bool = False) -> Kelurahan:
    """Create a tenant whose name and parents come from the official region list."""
    try:
        code = region_code_normalize(region_code)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], {"field": "region_code"}) from exc
    official = official_village_get(code)
    if official is None:
        raise ValidationFailed(
            _("Region code %(code)s is not in the official Kemendagri list.") % {"code": code},
            {"field": "region_code"},
        )
    if Kelurahan.objects.filter(region_code=code).exists():
        raise Conflict(
            _("Kelurahan with region code %(code)s is already set up.") % {"code": code},
            {"field": "region_code"},
        )
    slug = slug or _unique_slug(official.name, official.kota_kabupaten)
    if Kelurahan.objects.filter(slug=slug).exists():
        raise Conflict(
            _("The address /k/%(slug)s/ is already taken.") % {"slug": slug}, {"field": "slug"}
        )
    kelurahan = Kelurahan(
        name=official.name,
        slug=slug,
        region_code=code,
        kecamatan=official.kecamatan,
        kota_kabupaten=official.kota_kabupaten,
        provinsi=official.provinsi,
        postal_code=official.postal_code,
        is_demo=is_demo,
    )
    _validated_save(kelurahan)
    entry_record(
        kelurahan=kelurahan,
        type="kelurahan.created",
        actor=None,
        subject=f"kelurahan:{kelurahan.pk}",
        data={"region_code": code, "demo": is_demo},
    )
    for hook in _KELURAHAN_CREATED:
        hook(kelurahan=kelurahan)
    return kelurahan


def _unique_slug(name: str, regency: str) -> str:
    base = slugify(name)
    if not Kelurahan.objects.filter(slug=base).exists():
        return base
    return slugify(f"{name} {regency}")


@transaction.atomic
def rw_create(
    *,
    kelurahan: Kelurahan,
    actor: Any = None,
    number: int,
    centroid: tuple[Decimal, Decimal] | None = None,
    boundary: dict[str, Any] | None = None,
) -> RW:
    """Add an RW to a kelurahan; its number must be new in that kelurahan.

    ``actor`` None is the system (set-up commands, demo); a user needs ``territory.manage``.
    """
    _check_manager(actor, kelurahan)
    if RW.objects.filter(kelurahan=kelurahan, number=number).exists():
        raise Conflict(
            _("RW %(number)s already exists in this kelurahan.") % {"number": number},
            {"field": "number"},
        )
    rw = RW(kelurahan=kelurahan, number=number)
    _geometry_apply(rw, centroid=centroid, boundary=boundary)
    _validated_save(rw)
    entry_record(
        kelurahan=kelurahan,
        type="rw.created",
        actor=actor,
        subject=f"rw:{rw.pk}",
        data={"number": number},
    )
    return rw


@transaction.atomic
def rt_create(
    *,
    rw: RW,
    actor: Any = None,
    number: int,
    centroid: tuple[Decimal, Decimal] | None = None,
    boundary: dict[str, Any] | None = None,
) -> RT:
    """Add an RT to an RW; its number must be new in that RW."""
    _check_manager(actor, rw.kelurahan)
    if RT.objects.filter(rw=rw, number=number).exists():
        raise Conflict(
            _("RT %(number)s already exists in RW %(rw)s.") % {"number": number, "rw": rw.number},
            {"field": "number"},
        )
    rt = RT(kelurahan_id=rw.kelurahan_id, rw=rw, number=number)
    _geometry_apply(rt, centroid=centroid, boundary=boundary)
    _validated_save(rt)
    entry_record(
        kelurahan=rw.kelurahan,
        type="rt.created",
        actor=actor,
        subject=f"rt:{rt.pk}",
        data={"number": number, "rw": f"rw:{rw.pk}"},
    )
    return rt


@transaction.atomic
def territory_geometry_set(
    *,
    unit: Kelurahan | RW | RT,
    actor: Any = None,
    centroid: tuple[Decimal, Decimal] | None,
    boundary: dict[str, Any] | None,
) -> Kelurahan | RW | RT:
    """Replace a unit's centroid and boundary."""
    kelurahan = unit if isinstance(unit, Kelurahan) else unit.kelurahan
    _check_manager(actor, kelurahan)
    _geometry_apply(unit, centroid=centroid, boundary=boundary)
    unit.full_clean()
    unit.save(update_fields=["centroid_lat", "centroid_lon", "boundary", "updated_at"])
    kind = type(unit).__name__.lower()
    boundary_hash = hashlib.sha256(canonical_bytes(boundary)).hexdigest() if boundary else None
    entry_record(
        kelurahan=kelurahan,
        type=f"{kind}.geometry_set",
        actor=actor,
        subject=f"{kind}:{unit.pk}",
        data={"boundary_sha256": boundary_hash},
    )
    return unit


def _check_manager(actor: Any, kelurahan: Kelurahan) -> None:
    if actor is not None:
        permission_require(actor, "territory.manage", kelurahan)


def _geometry_apply(
    unit: Kelurahan | RW | RT,
    *,
    centroid: tuple[Decimal, Decimal] | None,
    boundary: dict[str, Any] | None,
) -> None:
    if boundary is not None:
        boundary_validate(boundary)
    unit.centroid_lat, unit.centroid_lon = centroid if centroid else (None, None)
    unit.boundary = boundary


def boundary_validate(boundary: dict[str, Any]) -> None:
    """A boundary is a GeoJSON Polygon or MultiPolygon with closed [lon, lat] rings."""
    message = _("The boundary must be a GeoJSON Polygon or MultiPolygon with closed rings.")
    if not isinstance(boundary, dict) or boundary.get("type") not in _GEOMETRY_TYPES:
        raise ValidationFailed(message, {"field": "boundary"})
    coordinates = boundary.get("coordinates")
    polygons: Any = [coordinates] if boundary["type"] == "Polygon" else coordinates
    try:
        if not polygons:
            raise ValueError
        for polygon in polygons:
            for ring in polygon:
                points = [(float(p[0]), float(p[1])) for p in ring]
                if len(points) < 4 or points[0] != points[-1]:
                    raise ValueError
                if any(not (-180 <= lon <= 180 and -90 <= lat <= 90) for lon, lat in points):
                    raise ValueError
    except (TypeError, ValueError, IndexError, KeyError) as exc:
        raise ValidationFailed(message, {"field": "boundary"}) from exc


def _validated_save(instance: Kelurahan | RW | RT) -> None:
    """Validate then insert; a racing duplicate becomes a Conflict, not a 500."""
    try:
        instance.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationFailed(messages[0], {"field": field}) from exc
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise Conflict(_("This unit already exists."), {}) from exc
