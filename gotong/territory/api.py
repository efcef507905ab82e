"""Territory API: the kelurahan, its RWs and RTs (public reads, operator writes)."""

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from gotong.accounts.permissions import api_route
from gotong.core.schemas import StrictInt

from . import selectors, services
from .middleware import request_kelurahan
from .models import RW, Kelurahan

router = Router(tags=["territory"])


class KelurahanOut(Schema):
    name: str
    slug: str
    region_code: str
    kecamatan: str
    kota_kabupaten: str
    provinsi: str
    postal_code: str
    is_demo: bool


class RWOut(Schema):
    id: int
    number: int
    rt_count: int
    centroid_lat: Decimal | None
    centroid_lon: Decimal | None


class RTOut(Schema):
    id: int
    number: int
    rw_number: int = Field(..., alias="rw.number")
    centroid_lat: Decimal | None
    centroid_lon: Decimal | None


class UnitIn(Schema):
    number: StrictInt = Field(..., ge=1, le=999)
    centroid_lat: Decimal | None = Field(None, ge=-90, le=90)
    centroid_lon: Decimal | None = Field(None, ge=-180, le=180)
    boundary: dict[str, Any] | None = None

    def centroid(self) -> tuple[Decimal, Decimal] | None:
        if self.centroid_lat is None or self.centroid_lon is None:
            return None
        return self.centroid_lat, self.centroid_lon


class RTIn(UnitIn):
    rw_number: StrictInt = Field(..., ge=1, le=999)


def _tenant(request: HttpRequest) -> Kelurahan:
    return request_kelurahan(request)


@api_route(router.get, "/k/{slug}/", perm="territory.view", response=KelurahanOut)
def kelurahan_detail(request: HttpRequest, slug: str) -> Kelurahan:
    return _tenant(request)


@api_route(router.get, "/k/{slug}/rw", perm="territory.view", response=list[RWOut])
def rw_list(request: HttpRequest, slug: str) -> Any:
    return list(selectors.rw_list(kelurahan=_tenant(request)))


@api_route(router.get, "/k/{slug}/rt", perm="territory.view", response=list[RTOut])
def rt_list(request: HttpRequest, slug: str, rw: int | None = None) -> Any:
    kelurahan = _tenant(request)
    unit = selectors.rw_get(kelurahan=kelurahan, number=rw) if rw is not None else None
    return list(selectors.rt_list(kelurahan=kelurahan, rw=unit))


@api_route(router.post, "/k/{slug}/rw", perm="territory.manage", response={201: RWOut})
def rw_create(request: HttpRequest, slug: str, payload: UnitIn) -> Any:
    kelurahan = _tenant(request)
    rw = services.rw_create(
        kelurahan=kelurahan,
        actor=request.user,
        number=payload.number,
        centroid=payload.centroid(),
        boundary=payload.boundary,
    )
    rw.rt_count = 0  # type: ignore[attr-defined]
    return Status(201, rw)


@api_route(router.post, "/k/{slug}/rt", perm="territory.manage", response={201: RTOut})
def rt_create(request: HttpRequest, slug: str, payload: RTIn) -> Status:
    kelurahan = _tenant(request)
    rw: RW = selectors.rw_get(kelurahan=kelurahan, number=payload.rw_number)
    rt = services.rt_create(
        rw=rw,
        actor=request.user,
        number=payload.number,
        centroid=payload.centroid(),
        boundary=payload.boundary,
    )
    return Status(201, rt)
