"""Reads of the policy pages, always given the kelurahan."""

from dataclasses import dataclass

from django.urls import reverse

from gotong.territory.models import Kelurahan

from .content import DEFAULTS
from .models import PolicyPage


@dataclass(frozen=True)
class ShownStep:
    text: str
    url: str


@dataclass(frozen=True)
class ShownPolicy:
    kind: str
    title: str
    intro: str
    steps: list[ShownStep]
    edited: bool


def policy_page_get(*, kelurahan: Kelurahan, kind: str) -> ShownPolicy:
    """The page as shown: the kelurahan's words if written, else the platform's, with the
    link of each step."""
    default = DEFAULTS[kind]
    row = PolicyPage.objects.filter(kelurahan=kelurahan, kind=kind).first()
    texts = list(row.steps) if row is not None else [str(s.text) for s in default.steps]
    steps = []
    for position, text in enumerate(texts):
        url_name = default.steps[position].url_name if position < len(default.steps) else ""
        url = reverse(url_name, kwargs={"slug": kelurahan.slug}) if url_name else ""
        steps.append(ShownStep(text=str(text), url=url))
    return ShownPolicy(
        kind=kind,
        title=row.title if row is not None else str(default.title),
        intro=row.intro if row is not None else str(default.intro),
        steps=steps,
        edited=row is not None,
    )
