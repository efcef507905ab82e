"""Fixtures for evidence tests: an uploader, and uploading through the real service."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gotong.accounts.models import Role, User
from gotong.territory.models import RT
from gotong.transparency import evidence_subjects
from gotong.transparency.log_schema import (
    COUNT,
    ENTRY_TYPES,
    HASH,
    TEXT_HASH,
    code,
    record,
)
from gotong.transparency.models import Evidence
from gotong.transparency.services import evidence_upload

from .images import jpeg_with_exif

# Entry types of these tests only: counts, digests, a typed text and two loose codes (to
# show the personal-data check still stands behind the schema).
_TEST_SCHEMA = record(
    {
        "n": COUNT,
        "i": COUNT,
        "h": HASH,
        "phash": HASH,
        "sha256": HASH,
        "note": TEXT_HASH,
        "id": code(r"[0-9A-Za-z+:.-]{1,32}"),
        "wa": code(r"[0-9A-Za-z+:.-]{1,32}"),
    }
)


@pytest.fixture(autouse=True)
def test_entry_types(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("t", "test.event", "test.queued", "test.direct"):
        monkeypatch.setitem(ENTRY_TYPES, name, _TEST_SCHEMA)


@pytest.fixture
def subjects_open_to_uploaders(monkeypatch: pytest.MonkeyPatch) -> None:
    """Anyone with the upload role may give evidence about ``activity:N`` and ``need:N``.

    For the tests of the upload doors themselves; who may give evidence about a need or
    an activity is the needs and activities apps' rule, tested there.
    """
    for kind in ("activity", "need"):
        monkeypatch.setitem(evidence_subjects._CHECKS, kind, [lambda **kwargs: True])
        monkeypatch.setitem(
            evidence_subjects._SUBJECTS,
            kind,
            [lambda kind=kind, **kwargs: [(f"{kind}:{i}", f"{kind} {i}") for i in range(1, 13)]],
        )


@pytest.fixture
def relawan(make_member: Callable[..., User], rt: RT) -> User:
    return make_member(Role.RELAWAN, rt)


@pytest.fixture
def upload(relawan: User, rt: RT) -> Callable[..., Evidence]:
    """Upload ``raw`` (a JPEG with EXIF by default) as ``relawan`` about ``subject``."""

    def make(
        raw: bytes | None = None,
        *,
        subject: str = "activity:12",
        note: str = "Kerja bakti saluran air",
        name: str = "photo.jpg",
        **kwargs: Any,
    ) -> Evidence:
        kwargs.setdefault("kelurahan", rt.kelurahan)
        kwargs.setdefault("uploader", relawan)
        return evidence_upload(
            subject=subject,
            note=note,
            upload=SimpleUploadedFile(name, jpeg_with_exif() if raw is None else raw, "image/jpeg"),
            **kwargs,
        )

    return make
