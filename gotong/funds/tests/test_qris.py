"""QRIS payloads: a payload assembled by hand tag by tag, a published static payload turned
dynamic, CRC-16/CCITT-FALSE against its check value, and rejection of damaged payloads."""

import pytest

from gotong.core.exceptions import ValidationFailed
from gotong.funds.qris import crc16_ccitt_false, qris_check, qris_dynamic, qris_svg

# A static QRIS published in a public API's documentation (Baznas, via ShopeePay).
PUBLISHED = (
    "00020101021126550016ID.CO.SHOPEE.WWW01189360091800000000180202180303UBE51440014ID.CO."
    "QRIS.WWW0215ID20190022915550303UBE5204839853033605802ID5906Baznas6013Jakarta Pusat6105"
    "1034062070703A016304A402"
)


def _crc_bitwise(data: bytes) -> int:
    """CRC-16/CCITT-FALSE written out bit by bit, independent of binascii."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def test_crc_matches_the_standard_check_value_and_a_bitwise_implementation() -> None:
    assert crc16_ccitt_false(b"123456789") == "29B1"  # the catalogued check value
    assert int(crc16_ccitt_false(PUBLISHED[:-4].encode()), 16) == _crc_bitwise(
        PUBLISHED[:-4].encode()
    )
    assert crc16_ccitt_false(PUBLISHED[:-4].encode()) == "A402"  # as published


def test_a_payload_computed_by_hand_parses_and_verifies() -> None:
    merchant = _tlv("00", "ID.CO.QRIS.WWW") + _tlv("02", "ID1234567890123")
    body = (
        _tlv("00", "01")
        + _tlv("01", "12")
        + _tlv("51", merchant)
        + _tlv("52", "5499")
        + _tlv("53", "360")
        + _tlv("54", "15000")
        + _tlv("58", "ID")
        + _tlv("59", "KEL TAMAN DEMO")
        + _tlv("60", "MADIUN")
        + "6304"
    )
    by_hand = (
        "00020101021251370014ID.CO.QRIS.WWW0215ID12345678901235204549953033605405150005802ID"
        "5914KEL TAMAN DEMO6006MADIUN63049470"
    )
    assert body + "9470" == by_hand
    assert f"{_crc_bitwise(body.encode()):04X}" == "9470"
    facts = qris_check(by_hand)
    assert facts.dynamic and facts.amount == 15000 and facts.merchant_name == "KEL TAMAN DEMO"


def test_the_published_static_payload_becomes_a_dynamic_one_for_an_amount() -> None:
    dynamic = qris_dynamic(PUBLISHED, amount=150_000, reference="GR-ABC234")

    assert dynamic.startswith("000201010212")
    assert "5406150000" in dynamic and "5303360" in dynamic and "5802ID" in dynamic
    assert dynamic[-8:-4] == "6304"
    assert crc16_ccitt_false(dynamic[:-4].encode()) == dynamic[-4:]
    facts = qris_check(dynamic)
    assert (facts.amount, facts.reference, facts.nmid) == (150_000, "GR-ABC234", "ID2019002291555")
    assert "<svg" in qris_svg(dynamic)


def test_every_single_changed_character_is_rejected() -> None:
    dynamic = qris_dynamic(PUBLISHED, amount=25_000, reference="GR-XYZ789")
    for position in range(0, len(dynamic), 7):
        changed = "9" if dynamic[position] != "9" else "8"
        damaged = dynamic[:position] + changed + dynamic[position + 1 :]
        with pytest.raises(ValidationFailed):
            qris_check(damaged)


def test_wrong_currency_or_country_is_rejected_even_with_a_valid_crc() -> None:
    for good, bad in (("5303360", "5303840"), ("5802ID", "5802MY")):
        body = PUBLISHED[:-4].replace(good, bad)
        payload = body + crc16_ccitt_false(body.encode())
        with pytest.raises(ValidationFailed) as refused:
            qris_check(payload)
        assert refused.value.extra["reason"] == "rules"


@pytest.mark.parametrize("amount", [0, -1, 10.5, True])
def test_a_dynamic_payload_needs_a_whole_positive_amount(amount: object) -> None:
    with pytest.raises(ValidationFailed):
        qris_dynamic(PUBLISHED, amount=amount, reference="GR-ABC234")
