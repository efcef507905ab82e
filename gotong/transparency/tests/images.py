"""Synthetic test photos made with Pillow: scenes, EXIF with GPS and capture time, fakes."""

import io
import random

from PIL import ExifTags, Image, ImageDraw

# A point in Kelurahan Taman, Kota Madiun (south and east: negative latitude).
TAMAN_LAT, TAMAN_LON = -7.632417, 111.528333


def scene(seed: int = 1, size: tuple[int, int] = (800, 600)) -> Image.Image:
    """A picture with enough structure for a meaningful perceptual hash."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, tuple(rng.randint(0, 255) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    width, height = size
    for _shape in range(12):
        x0, y0 = rng.randint(0, width - 50), rng.randint(0, height - 50)
        x1, y1 = x0 + rng.randint(40, width // 2), y0 + rng.randint(40, height // 2)
        colour = tuple(rng.randint(0, 255) for _ in range(3))
        if rng.random() < 0.5:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        else:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
    return image


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return float(degrees), float(minutes), (value - degrees - minutes / 60) * 3600


def exif_with(
    *,
    lat: float | None = TAMAN_LAT,
    lon: float | None = TAMAN_LON,
    taken: str | None = "2026:08:17 09:30:00",
    offset: str | None = None,
    orientation: int | None = None,
) -> Image.Exif:
    """EXIF as a phone writes it: camera, capture time, optional offset, GPS, orientation."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    exif[ExifTags.Base.Model] = "Secret Model 3000"
    exif[ExifTags.Base.Artist] = "Budi Santoso"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    details = exif.get_ifd(ExifTags.IFD.Exif)
    if taken is not None:
        details[ExifTags.Base.DateTimeOriginal] = taken
    if offset is not None:
        details[ExifTags.Base.OffsetTimeOriginal] = offset
    if lat is not None and lon is not None:
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "S" if lat < 0 else "N",
            ExifTags.GPS.GPSLatitude: _dms(lat),
            ExifTags.GPS.GPSLongitudeRef: "W" if lon < 0 else "E",
            ExifTags.GPS.GPSLongitude: _dms(lon),
        }
    return exif


def encode(image: Image.Image, fmt: str = "JPEG", exif: Image.Exif | None = None) -> bytes:
    """The image as file bytes in ``fmt`` (JPEG, PNG, WEBP), with EXIF when given."""
    out = io.BytesIO()
    params: dict[str, object] = {}
    if exif is not None:
        params["exif"] = exif.tobytes()
    if fmt == "JPEG":
        params["quality"] = 90
        params["comment"] = b"taken at Jl. Melati 5"
    image.save(out, fmt, **params)
    return out.getvalue()


def jpeg_with_exif(seed: int = 1, **exif: object) -> bytes:
    return encode(scene(seed), "JPEG", exif_with(**exif))


def jpeg_plain(seed: int = 1) -> bytes:
    return encode(scene(seed), "JPEG")


FAKE_JPEG_TEXT = b"This is not a photo, just text in a file named photo.jpg\n"
FAKE_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)
