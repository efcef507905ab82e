"""Photo evidence processing with Pillow: sniff, verify, read EXIF, strip, resize, hash.

No Django models here: ``services.evidence_upload`` calls ``photo_inspect`` on the raw
bytes and stores what it returns. The public copy is rebuilt from decoded pixels, so no
metadata of the original (EXIF, GPS, XMP, ICC profile, comments) can survive in it.

Memory is bounded: the pixel limit is what a phone camera makes (40 MP in settings); JPEG
decodes at a reduced DCT scale (``draft``); PNG and WebP cannot, so a whole frame is
decoded (about 4 bytes a pixel: 160 MB at 40 MP) and at once box-reduced to twice the
public size, before any other copy is made; and at most ``DECODE_SLOTS`` frames are
decoded at the same time per process, so concurrent uploads wait rather than add up
(``bench/evidence_memory.py`` measures it).
"""

import ctypes
import ctypes.util
import datetime as dt
import hashlib
import io
import threading
import warnings
from dataclasses import dataclass
from typing import Any

import imagehash
from PIL import ExifTags, Image, ImageOps

from gotong.core.timeutils import WIB

MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
PUBLIC_MEDIA_TYPE = "image/jpeg"
PUBLIC_JPEG_QUALITY = 82
# Full frames decoded at the same time in one process; more uploads wait for a slot.
DECODE_SLOTS = 2
_decode_slots = threading.BoundedSemaphore(DECODE_SLOTS)
# Pillow keeps a frame in 16 MB blocks. glibc raises its mmap threshold after the first
# such block is freed and then serves later blocks from per-thread heaps that it never
# gives back, so 8 upload threads would each keep a whole frame (about 800 MB measured
# instead of 360 MB). A fixed threshold keeps large blocks mapped: freed means returned.
MMAP_THRESHOLD_BYTES = 4 * 1024 * 1024
_M_MMAP_THRESHOLD = -3


def _large_blocks_returned() -> None:
    """Fix glibc's mmap threshold (no-op elsewhere, e.g. musl or macOS)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
    except (OSError, AttributeError):
        return


_large_blocks_returned()


class PhotoRejected(ValueError):
    """The bytes are not an acceptable photo; ``reason`` says why (type, corrupt, pixels)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class PhotoFacts:
    """What an upload is: its type, size, EXIF facts, the public copy and its hashes."""

    media_type: str
    width: int
    height: int
    sha256: str
    captured_at: dt.datetime | None
    latitude: float | None
    longitude: float | None
    public_bytes: bytes
    public_width: int
    public_height: int
    public_sha256: str
    phash: str


def media_type_sniff(head: bytes) -> str | None:
    """The media type from the file's magic bytes (never from its name or declared type)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def phash_distance(first: str, second: str) -> int:
    """Hamming distance between two 64-bit perceptual hashes given as hex."""
    return (int(first, 16) ^ int(second, 16)).bit_count()


def photo_inspect(raw: bytes, *, max_side: int, max_pixels: int) -> PhotoFacts:
    """Check that ``raw`` is a whole JPEG, PNG or WebP image and derive everything stored."""
    media_type = media_type_sniff(raw[:16])
    if media_type is None:
        raise PhotoRejected("type")
    pillow_format = next(f for f, t in MEDIA_TYPES.items() if t == media_type)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=[pillow_format]) as probe:
                if probe.width * probe.height > max_pixels:
                    raise PhotoRejected("pixels", f"{probe.width}x{probe.height}")
                probe.verify()
            with _decode_slots:
                image = Image.open(io.BytesIO(raw), formats=[pillow_format])
                width, height = image.size
                exif = image.getexif()
                if pillow_format == "JPEG":
                    # Decode at a reduced DCT scale: all of the data is still read (a
                    # truncated file fails), at a fraction of the memory of a full frame.
                    image.draft("RGB", (max_side * 2, max_side * 2))
                image.load()
                frame = _reduced(image, longest=max_side * 2)
                del image  # the full frame goes now, not when the function returns
            upright = ImageOps.exif_transpose(frame) or frame
            pixels = _rgb(upright)
    except PhotoRejected:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise PhotoRejected("corrupt", str(exc)) from exc
    except Image.DecompressionBombWarning as exc:
        raise PhotoRejected("pixels", str(exc)) from exc
    latitude, longitude = _gps(exif)
    public_bytes, public_size = _public_copy(pixels, max_side=max_side)
    return PhotoFacts(
        media_type=media_type,
        width=width,
        height=height,
        sha256=hashlib.sha256(raw).hexdigest(),
        captured_at=_captured_at(exif),
        latitude=latitude,
        longitude=longitude,
        public_bytes=public_bytes,
        public_width=public_size[0],
        public_height=public_size[1],
        public_sha256=hashlib.sha256(public_bytes).hexdigest(),
        phash=str(imagehash.phash(pixels)),
    )


def _reduced(image: Image.Image, *, longest: int) -> Image.Image:
    """The decoded frame box-reduced by a whole factor so its longest side is at most about
    ``longest`` (the EXIF block stays in ``info`` for the orientation); the full frame is
    dropped as soon as this returns."""
    factor = max(image.size) // longest
    if factor < 2:
        return image
    if image.mode not in ("RGB", "RGBA", "L", "LA", "CMYK"):
        # Palette, 1-bit and 16-bit frames cannot be box-reduced: widen, then reduce.
        see_through = image.mode in ("P", "PA") or "transparency" in image.info
        image = image.convert("RGBA" if see_through else "RGB")
    info = image.info
    reduced = image.reduce(factor)
    reduced.info = info
    return reduced


def _rgb(image: Image.Image) -> Image.Image:
    """Opaque RGB pixels (transparent areas on white), with no metadata attached."""
    if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    elif image.mode != "RGB":
        image = image.convert("RGB")
    return Image.frombytes("RGB", image.size, image.tobytes())


def _public_copy(pixels: Image.Image, *, max_side: int) -> tuple[bytes, tuple[int, int]]:
    copy = pixels.copy()
    copy.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    clean = Image.frombytes("RGB", copy.size, copy.tobytes())
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=PUBLIC_JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue(), clean.size


def _degrees(value: Any, ref: Any) -> float | None:
    try:
        d, m, s = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    degrees = d + m / 60 + s / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    return -degrees if str(ref).strip().upper() in ("S", "W") else degrees


def _gps(exif: Image.Exif) -> tuple[float | None, float | None]:
    """Latitude and longitude in decimal degrees from the GPS IFD, when present and sane."""
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except (KeyError, ValueError, TypeError):
        return None, None
    lat = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef))
    lon = _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    if lat == 0 and lon == 0:  # an unset GPS fix, not a photo taken off West Africa
        return None, None
    return lat, lon


def _captured_at(exif: Image.Exif) -> dt.datetime | None:
    """EXIF DateTimeOriginal (or DateTime) as an aware datetime; WIB when no offset is given."""
    try:
        details = exif.get_ifd(ExifTags.IFD.Exif)
    except (KeyError, ValueError, TypeError):
        details = {}
    stamp = details.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    offset = details.get(ExifTags.Base.OffsetTimeOriginal) or details.get(ExifTags.Base.OffsetTime)
    if not isinstance(stamp, str):
        return None
    try:
        moment = dt.datetime.strptime(stamp.strip().rstrip("\x00"), "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007
    except ValueError:
        return None
    zone: dt.tzinfo = WIB
    if isinstance(offset, str):
        try:
            zone = dt.datetime.strptime(offset.strip().rstrip("\x00"), "%z").tzinfo or WIB
        except ValueError:
            zone = WIB
    return moment.replace(tzinfo=zone)
