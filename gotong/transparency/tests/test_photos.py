"""Photo processing: sniffing, verification, EXIF, the stripped public copy, perceptual hash."""

import datetime as dt
import hashlib
import io

import pytest
from PIL import Image

from gotong.core.timeutils import WIB
from gotong.transparency.photos import (
    PhotoFacts,
    PhotoRejected,
    media_type_sniff,
    phash_distance,
    photo_inspect,
)

from .images import (
    FAKE_JPEG_TEXT,
    FAKE_PDF,
    TAMAN_LAT,
    TAMAN_LON,
    encode,
    exif_with,
    jpeg_plain,
    jpeg_with_exif,
    scene,
)


def inspect(raw: bytes, max_pixels: int = 60_000_000) -> PhotoFacts:
    return photo_inspect(raw, max_side=1280, max_pixels=max_pixels)


@pytest.mark.parametrize(
    ("fmt", "media_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]
)
def test_the_three_formats_are_recognised_by_content(fmt: str, media_type: str) -> None:
    raw = encode(scene(), fmt)
    assert media_type_sniff(raw[:16]) == media_type
    assert inspect(raw).media_type == media_type


@pytest.mark.parametrize(
    "raw",
    [FAKE_JPEG_TEXT, FAKE_PDF, b"GIF89a" + b"\0" * 40, b""],
    ids=["text", "pdf", "gif", "empty"],
)
def test_anything_else_is_refused_as_a_wrong_type(raw: bytes) -> None:
    with pytest.raises(PhotoRejected) as refused:
        inspect(raw)
    assert refused.value.reason == "type"


def test_a_truncated_photo_is_refused_as_corrupt() -> None:
    raw = jpeg_plain()
    with pytest.raises(PhotoRejected) as refused:
        inspect(raw[: len(raw) // 2])
    assert refused.value.reason == "corrupt"


def test_a_jpeg_header_on_garbage_is_refused_as_corrupt() -> None:
    with pytest.raises(PhotoRejected) as refused:
        inspect(b"\xff\xd8\xff\xe0" + b"garbage" * 100)
    assert refused.value.reason == "corrupt"


def test_too_many_pixels_are_refused_before_decoding() -> None:
    with pytest.raises(PhotoRejected) as refused:
        inspect(encode(Image.new("RGB", (1000, 1000)), "PNG"), max_pixels=999_999)
    assert refused.value.reason == "pixels"


def test_exif_gps_and_capture_time_are_read() -> None:
    facts = inspect(jpeg_with_exif())
    assert facts.latitude == pytest.approx(TAMAN_LAT, abs=1e-6)
    assert facts.longitude == pytest.approx(TAMAN_LON, abs=1e-6)
    assert facts.captured_at == dt.datetime(2026, 8, 17, 9, 30, tzinfo=WIB)


def test_the_capture_time_offset_is_honoured() -> None:
    facts = inspect(jpeg_with_exif(offset="+08:00"))
    assert facts.captured_at is not None
    assert facts.captured_at.astimezone(dt.UTC) == dt.datetime(2026, 8, 17, 1, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_exif_is_read_from_png_and_webp_too(fmt: str) -> None:
    facts = inspect(encode(scene(), fmt, exif_with()))
    assert facts.latitude == pytest.approx(TAMAN_LAT, abs=1e-6)
    assert facts.captured_at is not None


def test_a_photo_without_exif_has_no_place_or_time() -> None:
    facts = inspect(jpeg_plain())
    assert (facts.latitude, facts.longitude, facts.captured_at) == (None, None, None)


def test_a_zero_gps_fix_is_treated_as_missing() -> None:
    facts = inspect(jpeg_with_exif(lat=0.0, lon=0.0))
    assert (facts.latitude, facts.longitude) == (None, None)


def test_the_public_copy_carries_no_metadata_at_all() -> None:
    raw = encode(scene(), "JPEG", exif_with())
    assert b"Budi Santoso" in raw and b"Jl. Melati" in raw
    facts = inspect(raw)
    public = Image.open(io.BytesIO(facts.public_bytes))
    assert public.format == "JPEG"
    assert dict(public.getexif()) == {}
    assert not {"exif", "icc_profile", "comment", "xmp", "photoshop"} & set(public.info)
    for secret in (b"Budi Santoso", b"Secret Model", b"Jl. Melati", b"TestPhone", b"Exif"):
        assert secret not in facts.public_bytes


def test_the_public_copy_is_resized_and_turned_upright() -> None:
    # Orientation 6: the camera was turned; the upright picture is portrait.
    raw = encode(scene(size=(3000, 2000)), "JPEG", exif_with(orientation=6))
    facts = inspect(raw)
    assert (facts.width, facts.height) == (3000, 2000)
    assert (facts.public_width, facts.public_height) == (853, 1280)
    assert Image.open(io.BytesIO(facts.public_bytes)).size == (853, 1280)


def test_a_small_photo_is_not_enlarged() -> None:
    facts = inspect(encode(scene(size=(640, 480)), "PNG"))
    assert (facts.public_width, facts.public_height) == (640, 480)


def test_a_transparent_png_gets_a_white_background() -> None:
    image = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    facts = inspect(encode(image, "PNG"))
    pixel = Image.open(io.BytesIO(facts.public_bytes)).getpixel((10, 10))
    assert isinstance(pixel, tuple) and min(pixel) >= 250


def test_hashes_are_sha256_of_the_exact_bytes() -> None:
    raw = jpeg_with_exif()
    facts = inspect(raw)
    assert facts.sha256 == hashlib.sha256(raw).hexdigest()
    assert facts.public_sha256 == hashlib.sha256(facts.public_bytes).hexdigest()
    assert len(facts.phash) == 16 and int(facts.phash, 16) >= 0


def test_the_same_picture_reencoded_has_a_near_identical_perceptual_hash() -> None:
    original = inspect(encode(scene(7, (1600, 1200)), "JPEG"))
    smaller_png = inspect(encode(scene(7, (1600, 1200)).resize((700, 525)), "PNG"))
    recompressed = Image.open(io.BytesIO(original.public_bytes))
    buffer = io.BytesIO()
    recompressed.save(buffer, "WEBP", quality=40)
    webp = inspect(buffer.getvalue())
    other = inspect(encode(scene(8, (1600, 1200)), "JPEG"))
    assert original.sha256 != smaller_png.sha256 != webp.sha256
    assert phash_distance(original.phash, smaller_png.phash) <= 6
    assert phash_distance(original.phash, webp.phash) <= 6
    assert phash_distance(original.phash, other.phash) > 6


def test_phash_distance_counts_differing_bits() -> None:
    assert phash_distance("0000000000000000", "0000000000000000") == 0
    assert phash_distance("0000000000000000", "ffffffffffffffff") == 64
    assert phash_distance("8000000000000001", "0000000000000000") == 2
