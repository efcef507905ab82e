"""Demo: a few evidence photos (drawn here with Pillow, no downloaded files) and their
receipts; then sign the tree head, after everything else was seeded (keep that last)."""

import datetime as dt
import io
import random
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import ExifTags, Image, ImageDraw

from gotong.accounts.models import Role
from gotong.accounts.selectors import membership_list_for_rt
from gotong.core.seeding import DemoContext
from gotong.core.timeutils import WIB
from gotong.territory.models import RT, Kelurahan

from .selectors import evidence_for_subject
from .services import evidence_upload, queue_drain, tree_head_publish

# (subject, note, uploader role, format, days ago, with GPS)
DEMO_EVIDENCE = [
    (
        "activity:1",
        "Kerja bakti membersihkan saluran air RT 01 (demo)",
        Role.KETUA_RT,
        "JPEG",
        3,
        True,
    ),
    ("activity:2", "Pengantaran 5 paket sembako di RT 02 (demo)", Role.RELAWAN, "JPEG", 2, False),
    ("need:1", "Perbaikan atap pos ronda RW 01 selesai (demo)", Role.KETUA_RT, "PNG", 1, False),
]


def _scene(seed: int, size: tuple[int, int] = (1600, 1200)) -> Image.Image:
    """A synthetic street scene: sky, road, houses and people as simple shapes."""
    rng = random.Random(seed)  # noqa: S311 - drawing a synthetic picture, not a secret
    width, height = size
    image = Image.new("RGB", size, (135, 190, 235))
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.45, 0.6))
    draw.rectangle((0, horizon, width, height), fill=(110, 150, 80))
    draw.polygon(
        [
            (width * 0.4, height),
            (width * 0.6, height),
            (width * 0.52, horizon),
            (width * 0.48, horizon),
        ],
        fill=(90, 90, 95),
    )
    for _house in range(rng.randint(3, 6)):
        x = rng.randint(0, width - 260)
        w, h = rng.randint(160, 260), rng.randint(120, 200)
        colour = tuple(rng.randint(150, 240) for _ in range(3))
        draw.rectangle((x, horizon - h, x + w, horizon), fill=colour, outline=(60, 60, 60), width=4)
        draw.polygon(
            [(x - 15, horizon - h), (x + w + 15, horizon - h), (x + w // 2, horizon - h - 90)],
            fill=(170, 70, 50),
        )
    for _person in range(rng.randint(4, 9)):
        x, y = rng.randint(40, width - 40), rng.randint(horizon + 40, height - 120)
        shirt = tuple(rng.randint(20, 230) for _ in range(3))
        draw.ellipse((x - 18, y - 36, x + 18, y), fill=(120, 80, 50))
        draw.rectangle((x - 22, y, x + 22, y + 80), fill=shirt)
    return image


def _photo_bytes(
    image: Image.Image, fmt: str, taken: dt.datetime, gps: tuple[float, float] | None
) -> bytes:
    out = io.BytesIO()
    if fmt != "JPEG":
        image.save(out, fmt)
        return out.getvalue()
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Demo Camera"
    exif[ExifTags.Base.Model] = "Synthetic"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken.strftime(
        "%Y:%m:%d %H:%M:%S"
    )
    if gps is not None:
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "S" if gps[0] < 0 else "N",
            ExifTags.GPS.GPSLatitude: _dms(abs(gps[0])),
            ExifTags.GPS.GPSLongitudeRef: "E" if gps[1] >= 0 else "W",
            ExifTags.GPS.GPSLongitude: _dms(abs(gps[1])),
        }
    image.save(out, "JPEG", quality=88, exif=exif.tobytes())
    return out.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 2)


def _uploader(kelurahan: Kelurahan, rt: RT, role: Role) -> Any:
    members = membership_list_for_rt(kelurahan=kelurahan, rt=rt)
    found = next((m.user for m in members if m.role == role), None)
    return found or next(m.user for m in members if m.role == Role.KETUA_RT)


def _evidence_seed(demo: DemoContext, kelurahan: Kelurahan) -> None:
    if evidence_for_subject(kelurahan=kelurahan, subject=DEMO_EVIDENCE[0][0]).exists():
        return
    rts: list[RT] = demo.objects["rts"]
    now = timezone.now().astimezone(WIB).replace(minute=0, second=0, microsecond=0)
    for number, (subject, note, role, fmt, days_ago, with_gps) in enumerate(DEMO_EVIDENCE):
        rt = rts[number % len(rts)]
        taken = (now - dt.timedelta(days=days_ago)).replace(hour=8 + number)
        gps = None
        if with_gps and rt.centroid_lat is not None and rt.centroid_lon is not None:
            gps = (float(rt.centroid_lat) + 0.00021, float(rt.centroid_lon) - 0.00034)
        raw = _photo_bytes(_scene(demo.seed + number), fmt, taken, gps)
        evidence_upload(
            kelurahan=kelurahan,
            uploader=_uploader(kelurahan, rt, role),
            subject=subject,
            upload=ContentFile(raw, name=f"demo-{number}.{fmt.lower()}"),
            note=note,
        )


def demo_seed(demo: DemoContext) -> None:
    kelurahan: Kelurahan = demo.objects["kelurahan"]
    _evidence_seed(demo, kelurahan)
    # Sign the head once every app has seeded, so it covers all demo entries (the
    # ledger's queued ones too).
    demo.finally_run.append(lambda: _publish(kelurahan))


def _publish(kelurahan: Kelurahan) -> None:
    queue_drain(kelurahan_id=kelurahan.pk)
    tree_head_publish(kelurahan=kelurahan)
