from decimal import Decimal

import pytest
from django.utils import translation

from gotong.core.exceptions import Conflict, ValidationFailed
from gotong.territory.models import RT, RW, Kelurahan
from gotong.territory.services import (
    boundary_validate,
    kelurahan_create,
    rt_create,
    rw_create,
    territory_geometry_set,
)

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[111.5, -7.6], [111.6, -7.6], [111.6, -7.5], [111.5, -7.5], [111.5, -7.6]]],
}


def test_kelurahan_name_and_parents_come_from_the_official_list() -> None:
    madiun = kelurahan_create(region_code="3577031009")
    sidoarjo = kelurahan_create(region_code="35.15.13.1005")

    assert (madiun.name, madiun.kecamatan, madiun.kota_kabupaten, madiun.provinsi) == (
        "Taman",
        "Taman",
        "Kota Madiun",
        "Jawa Timur",
    )
    assert madiun.region_code == "35.77.03.1009" and madiun.slug == "taman"
    assert sidoarjo.kota_kabupaten == "Kabupaten Sidoarjo"
    assert sidoarjo.slug == "taman-kabupaten-sidoarjo"


def test_unknown_region_code_is_refused_and_nothing_is_saved() -> None:
    with translation.override("id"), pytest.raises(ValidationFailed) as exc:
        kelurahan_create(region_code="35.77.03.1999")
    assert "35.77.03.1999" in str(exc.value.message)
    assert not Kelurahan.objects.exists()


def test_malformed_region_code_is_refused() -> None:
    with pytest.raises(ValidationFailed) as exc:
        kelurahan_create(region_code="35.77.03")
    assert exc.value.extra == {"field": "region_code"}
    assert not Kelurahan.objects.exists()


def test_the_same_kelurahan_cannot_be_set_up_twice() -> None:
    kelurahan_create(region_code="35.77.03.1009")
    with pytest.raises(Conflict):
        kelurahan_create(region_code="35.77.03.1009")
    assert Kelurahan.objects.count() == 1


def test_rw_and_rt_numbers_are_unique_in_their_parent(kelurahan: Kelurahan) -> None:
    rw1 = rw_create(kelurahan=kelurahan, number=1)
    rw2 = rw_create(kelurahan=kelurahan, number=2)
    rt_create(rw=rw1, number=1)
    rt_create(rw=rw2, number=1)  # the same RT number in another RW is fine

    with pytest.raises(Conflict):
        rw_create(kelurahan=kelurahan, number=1)
    with pytest.raises(Conflict) as exc:
        rt_create(rw=rw1, number=1)
    assert exc.value.extra == {"field": "number"}
    assert RW.objects.count() == 2 and RT.objects.count() == 2


def test_rt_belongs_to_the_kelurahan_of_its_rw(kelurahan: Kelurahan) -> None:
    rt = rt_create(rw=rw_create(kelurahan=kelurahan, number=3), number=4)
    assert rt.kelurahan_id == kelurahan.pk


def test_geometry_is_validated_and_stored(kelurahan: Kelurahan) -> None:
    rw = rw_create(
        kelurahan=kelurahan,
        number=1,
        centroid=(Decimal("-7.55"), Decimal("111.55")),
        boundary=SQUARE,
    )
    rw.refresh_from_db()
    assert rw.boundary == SQUARE and rw.centroid_lat == Decimal("-7.550000")

    territory_geometry_set(unit=rw, centroid=None, boundary=None)
    rw.refresh_from_db()
    assert rw.boundary is None and rw.centroid_lat is None


@pytest.mark.parametrize(
    "boundary",
    [
        {"type": "Point", "coordinates": [111.5, -7.6]},
        {"type": "Polygon", "coordinates": [[[111.5, -7.6], [111.6, -7.6], [111.6, -7.5]]]},
        {
            "type": "Polygon",
            "coordinates": [
                [[111.5, -7.6], [111.6, -7.6], [111.6, -7.5], [111.5, -7.5], [111.5, -7.7]]
            ],
        },
        {
            "type": "Polygon",
            "coordinates": [[[200, -7.6], [111.6, -7.6], [111.6, -7.5], [200, -7.6]]],
        },
        {"type": "MultiPolygon", "coordinates": "nope"},
        {"type": "Polygon"},
    ],
)
def test_bad_boundaries_are_refused(kelurahan: Kelurahan, boundary: dict[str, object]) -> None:
    with pytest.raises(ValidationFailed):
        boundary_validate(boundary)
    with pytest.raises(ValidationFailed):
        rw_create(kelurahan=kelurahan, number=9, boundary=boundary)
    assert not RW.objects.exists()
