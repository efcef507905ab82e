"""Fixtures for evidence tests: an uploader, and uploading through the real service."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gotong.accounts.models import Role, User
from gotong.territory.models import RT
from gotong.transparency.models import Evidence
from gotong.transparency.services import evidence_upload

from .images import jpeg_with_exif


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
