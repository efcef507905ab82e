"""QRIS (EMVCo merchant-presented QR, Bank Indonesia's QRIS profile): turn a kelurahan's
static payload into a dynamic one for an amount, check a payload, draw it.

The tag-length-value work is done by ``qriskit`` (MIT, no dependencies); the tests check
it against a payload computed by hand and a published one. A dynamic payload has point
of initiation ``12`` (tag 01), the amount in tag 54 and the donation's reference in
tag 62.05; the CRC-16/CCITT-FALSE in tag 63 is recomputed over everything up to and
including ``6304``. No payment gateway is called.
"""

import binascii
from dataclasses import dataclass

import qriskit
import segno
from django.utils.translation import gettext_lazy as _
from qriskit.convert import to_dynamic

from gotong.core.exceptions import ValidationFailed

MAX_AMOUNT = 9_999_999_999  # tag 54 holds at most 13 characters


def crc16_ccitt_false(data: bytes) -> str:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection) as 4 upper hex digits."""
    return format(binascii.crc_hqx(data, 0xFFFF), "04X")


@dataclass(frozen=True)
class QrisFacts:
    merchant_name: str
    merchant_city: str
    nmid: str | None
    dynamic: bool
    amount: int | None
    reference: str | None


def qris_check(payload: str) -> QrisFacts:
    """Parse and validate a payload (structure, CRC, required tags, currency 360, country
    ID); raise ValidationFailed with the reasons."""
    payload = (payload or "").strip()
    crc_ok = (
        len(payload) > 8
        and payload[-8:-4] == "6304"
        and crc16_ccitt_false(payload[:-4].encode()) == payload[-4:].upper()
    )
    if not crc_ok:
        raise ValidationFailed(
            _("The QRIS code is damaged: its checksum (CRC) does not match."), {"reason": "crc"}
        )
    try:
        issues = [i for i in qriskit.validate(payload) if i.severity == "error"]
        parsed = qriskit.parse(payload)
    except (qriskit.QRISError, ValueError) as exc:
        raise ValidationFailed(_("This is not a QRIS code."), {"reason": "structure"}) from exc
    if issues:
        raise ValidationFailed(
            _("The QRIS code is not valid: %(problems)s")
            % {"problems": "; ".join(i.message for i in issues)},
            {"reason": "rules", "codes": [i.code for i in issues]},
        )
    amount_text = parsed.get("54")
    amount = None
    if amount_text is not None:
        whole, _dot, cents = amount_text.partition(".")
        amount = int(whole) if not cents.strip("0") else None
    return QrisFacts(
        merchant_name=parsed.get("59") or "",
        merchant_city=parsed.get("60") or "",
        nmid=parsed.nmid,
        dynamic=parsed.is_dynamic,
        amount=amount,
        reference=parsed.get("62.05"),
    )


def qris_dynamic(static_payload: str, *, amount: int, reference: str) -> str:
    """The dynamic payload for ``amount`` rupiah with ``reference`` (tag 62.05)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT:
        raise ValidationFailed(_("The amount must be a whole number of rupiah above zero."))
    qris_check(static_payload)
    dynamic = to_dynamic(qriskit.parse(static_payload.strip()), amount, reference=reference)
    return str(dynamic)


def qris_svg(payload: str) -> str:
    """The payload as an inline SVG QR code (segno, error correction M)."""
    qr = segno.make(payload, error="m", micro=False)
    return str(qr.svg_inline(scale=5, border=4))
