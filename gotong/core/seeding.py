"""Shared state for ``manage.py seed_demo``.

Each app that has demo data provides ``gotong/<app>/demo.py`` with
``demo_seed(demo: DemoContext) -> None``; the command calls them in INSTALLED_APPS order,
so later apps find what earlier ones made in ``demo``. Everything is synthetic and
deterministic for a given seed; running twice changes nothing.
"""

import contextvars
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

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
