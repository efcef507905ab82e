"""Demo territory: Kelurahan Taman (Kota Madiun, 35.77.03.1009) with 3 pilot RWs."""

from decimal import Decimal

from gotong.core.seeding import DemoContext

from .models import RT, RW, Kelurahan
from .services import kelurahan_create, rt_create, rw_create

DEMO_REGION_CODE = "35.77.03.1009"
# Synthetic layout around an approximate centre of the kelurahan; boundaries are squares
# for drawing the demo map, not surveyed lines.
CENTRE_LAT, CENTRE_LON = Decimal("-7.632000"), Decimal("111.528000")
RW_STEP = Decimal("0.004000")
RT_STEP = Decimal("0.001200")


def _square(lat: Decimal, lon: Decimal, half: Decimal) -> dict[str, object]:
    s, n, w, e = float(lat - half), float(lat + half), float(lon - half), float(lon + half)
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def demo_seed(demo: DemoContext) -> None:
    kelurahan = Kelurahan.objects.filter(region_code=DEMO_REGION_CODE).first()
    if kelurahan is None:
        kelurahan = kelurahan_create(region_code=DEMO_REGION_CODE, slug="taman", is_demo=True)
    demo.objects["kelurahan"] = kelurahan
    rts: list[RT] = []
    for rw_number in (1, 2, 3):
        rw_lat = CENTRE_LAT + RW_STEP * (rw_number - 2)
        rw = RW.objects.filter(kelurahan=kelurahan, number=rw_number).first() or rw_create(
            kelurahan=kelurahan,
            number=rw_number,
            centroid=(rw_lat, CENTRE_LON),
            boundary=_square(rw_lat, CENTRE_LON, RW_STEP / 2),
        )
        rt_total = demo.rng.randint(3, 5)
        for rt_number in range(1, rt_total + 1):
            rt_lon = CENTRE_LON + RT_STEP * (rt_number - 3)
            rt = RT.objects.filter(rw=rw, number=rt_number).first() or rt_create(
                rw=rw,
                number=rt_number,
                centroid=(rw_lat, rt_lon),
                boundary=_square(rw_lat, rt_lon, RT_STEP / 2),
            )
            rts.append(rt)
    demo.objects["rts"] = rts
