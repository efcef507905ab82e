"""Shared state for ``manage.py seed_demo``.

Each app that has demo data provides ``gotong/<app>/demo.py`` with
``demo_seed(demo: DemoContext) -> None``; the command calls them in INSTALLED_APPS order,
so later apps find what earlier ones made in ``demo``. Everything is synthetic and
deterministic for a given seed; running twice changes nothing.
"""

import contextvars
import io
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

_batch: contextvars.ContextVar[bool] = contextvars.ContextVar("platform_batch", default=False)


@contextmanager
def platform_batch() -> Iterator[None]:
    """Mark a batch run by the platform itself (the demo seed), never a person's request:
    per-person rate limits such as the evidence upload limit do not count it."""
    token = _batch.set(True)
    try:
        yield
    finally:
        _batch.reset(token)


def platform_batch_active() -> bool:
    """Is the caller inside ``platform_batch``?"""
    return _batch.get()


DEMO_PASSWORD = "demo-gotong-royong"  # noqa: S105 - documented demo credential, demo data only

GIVEN_NAMES = [
    "Adi",
    "Ayu",
    "Bambang",
    "Dewi",
    "Eko",
    "Fitri",
    "Gilang",
    "Hana",
    "Indra",
    "Joko",
    "Kartika",
    "Lestari",
    "Mulyadi",
    "Nur",
    "Putri",
    "Rahmat",
    "Sari",
    "Tri",
    "Wahyu",
    "Yuni",
]
FAMILY_INITIALS = "ABDHKMPRSTW"


@dataclass
class DemoContext:
    seed: int
    rng: random.Random
    objects: dict[str, Any] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (who, phone, how)
    # Run after every app has seeded (e.g. sign the transparency log's head last).
    finally_run: list[Callable[[], object]] = field(default_factory=list)

    def person_name(self) -> str:
        """A synthetic name, marked as demo."""
        given = self.rng.choice(GIVEN_NAMES)
        initial = self.rng.choice(FAMILY_INITIALS)
        return f"{given} {initial}. (demo)"


def demo_context(seed: int) -> DemoContext:
    return DemoContext(seed=seed, rng=random.Random(seed))


def demo_jpeg(image: Image.Image, filename: str, quality: int = 80) -> SimpleUploadedFile:
    """A drawn demo picture as the JPEG upload a phone would send."""
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return SimpleUploadedFile(filename, buffer.getvalue(), content_type="image/jpeg")


def demo_slip(
    title: str,
    filename: str,
    rng: random.Random,
    *,
    size: tuple[int, int] = (600, 400),
    paper: tuple[int, int, int] = (250, 248, 240),
    ink: tuple[int, int, int] = (60, 60, 60),
    rows: int = 5,
    stamp: bool = False,
) -> SimpleUploadedFile:
    """A synthetic paper slip (receipt, transfer proof): a frame, ``rows`` written lines,
    the ``title`` (which should say it is a demo) and, with ``stamp``, a round stamp."""
    width, height = size
    margin = width // 30
    image = Image.new("RGB", size, paper)
    draw = ImageDraw.Draw(image)
    draw.rectangle((margin, margin, width - margin, height - margin), outline=ink, width=3)
    for row in range(rows):
        y = height * 3 // 10 + row * height // 9
        draw.line(
            (margin * 3, y, margin * 3 + rng.randint(width // 2 - 50, width * 4 // 5), y),
            fill=(90, 90, 100),
            width=2,
        )
    if stamp:
        draw.ellipse(
            (width - 170, height - 150, width - 60, height - 40), outline=(160, 30, 30), width=4
        )
    draw.text((margin * 2, margin * 2), title, fill=(20, 20, 30))
    return demo_jpeg(image, filename)
