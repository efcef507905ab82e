"""Uploads in bounded memory (issue 13, item 6): phone-camera pixel limit, decode slots,
at most N uploads a minute per user (429), counted in the database."""

import datetime as dt
import io
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from gotong.accounts.models import User
from gotong.core.exceptions import ValidationFailed
from gotong.core.seeding import platform_batch
from gotong.transparency.models import Evidence, EvidenceUploadAttempt

from .images import FAKE_PDF, jpeg_plain

URL = "/api/v1/k/taman/transparency/evidence"
BENCH = Path(__file__).resolve().parents[3] / "bench" / "evidence_memory.py"
# Two 40 MP frames decoding at once (about 160 MB each: Pillow keeps 4 bytes a pixel),
# the reduced copies of all 8 uploads and allocator slack. Without the decode slots the
# same 8 uploads peak at about 1,300 MB over the baseline.
MEMORY_BOUND_MB = 500


def post(client: Client, raw: bytes) -> Any:
    return client.post(
        URL, {"file": SimpleUploadedFile("a.jpg", raw, "image/jpeg"), "subject": "activity:12"}
    )


@pytest.fixture
def limit(settings: Any) -> int:
    settings.GOTONG_EVIDENCE_UPLOADS_PER_MINUTE = 3
    return 3


def test_the_pixel_limit_is_what_a_phone_camera_makes(
    db: Any, upload: Callable[..., Evidence]
) -> None:
    # 1-bit frame: 40,008,000 pixels in a few megabytes, refused from its header alone.
    out = io.BytesIO()
    Image.new("1", (8000, 5001)).save(out, "PNG")
    assert settings.GOTONG_EVIDENCE_MAX_PIXELS == 40_000_000
    with pytest.raises(ValidationFailed) as refused:
        upload(out.getvalue())
    assert refused.value.extra == {"field": "file", "reason": "pixels"}
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_uploads_beyond_the_limit_a_minute_get_429_in_the_error_shape(
    login: Callable[..., Client], relawan: User, limit: int
) -> None:
    client = login(relawan)
    for _ in range(limit):
        assert post(client, jpeg_plain()).status_code == 201

    response = post(client, jpeg_plain())

    assert response.status_code == 429
    body = response.json()
    assert set(body) == {"message", "extra"} and body["extra"]["reason"] == "rate"
    assert body["extra"]["limit"] == limit
    assert Evidence.objects.count() == limit


@pytest.mark.django_db
def test_refused_photos_count_too(login: Callable[..., Client], relawan: User, limit: int) -> None:
    client = login(relawan)
    for _ in range(limit):
        assert post(client, FAKE_PDF).status_code == 422
    assert post(client, jpeg_plain()).status_code == 429
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_the_count_is_per_user_and_per_minute(
    login: Callable[..., Client], relawan: User, make_member: Any, rt: Any, limit: int
) -> None:
    from gotong.accounts.models import Role

    EvidenceUploadAttempt.objects.bulk_create(
        EvidenceUploadAttempt(user=relawan, at=timezone.now() - dt.timedelta(seconds=61))
        for _ in range(limit)
    )
    assert post(login(relawan), jpeg_plain()).status_code == 201  # older than a minute
    for _ in range(limit - 1):
        post(login(relawan), jpeg_plain())
    assert post(login(relawan), jpeg_plain()).status_code == 429
    other = make_member(Role.RELAWAN, rt)
    assert post(login(other), jpeg_plain()).status_code == 201


@pytest.mark.django_db
def test_the_platforms_own_batches_are_not_limited(
    upload: Callable[..., Evidence], limit: int
) -> None:
    with platform_batch():
        for _ in range(limit + 2):
            upload(jpeg_plain())
    assert Evidence.objects.count() == limit + 2


def test_eight_concurrent_40_megapixel_pngs_stay_under_the_memory_bound() -> None:
    result = subprocess.run(  # noqa: S603 - our own bench script
        [sys.executable, str(BENCH), "--uploads", "8"],
        check=True,
        capture_output=True,
        text=True,
    )
    figures = dict(line.split(": ", 1) for line in result.stdout.splitlines())
    assert int(figures["uploads"]) == 8
    assert float(figures["peak_over_baseline_mb"]) < MEMORY_BOUND_MB
