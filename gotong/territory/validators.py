"""Validation of Kemendagri region codes (PP.KK.CC.VVVV)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_DOTTED = re.compile(r"^(\d{2})\.(\d{2})\.(\d{2})\.(\d{4})$")
_PLAIN = re.compile(r"^(\d{2})(\d{2})(\d{2})(\d{4})$")


def region_code_normalize(value: str) -> str:
    """Return the dotted form PP.KK.CC.VVVV of a 10-digit village code, or raise ValidationError.

    Accepts ``35.77.03.1009`` and ``3577031009``. The village part starts with 1 for a
    kelurahan and 2 for a desa, as in the Kemendagri numbering.
    """
    raw = (value or "").strip()
    match = _DOTTED.match(raw) or _PLAIN.match(raw)
    if not match:
        raise ValidationError(
            _(
                "The region code must have 10 digits in the form PP.KK.CC.VVVV "
                "(for example 35.77.03.1009)."
            ),
            code="region_code_format",
        )
    province, regency, district, village = match.groups()
    if province == "00" or regency == "00" or district == "00":
        raise ValidationError(
            _("The province, regency and district parts of the region code cannot be 00."),
            code="region_code_zero",
        )
    if village[0] not in "12":
        raise ValidationError(
            _("The last four digits of the region code must start with 1 (kelurahan) or 2 (desa)."),
            code="region_code_village",
        )
    return f"{province}.{regency}.{district}.{village}"


def validate_region_code(value: str) -> None:
    """Model-field validator: the value must already be in dotted form."""
    if region_code_normalize(value) != value:
        raise ValidationError(
            _("Store the region code in the dotted form PP.KK.CC.VVVV."), code="region_code_form"
        )
