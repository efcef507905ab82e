"""POST /api/v1/k/{slug}/transparency/evidence: multipart upload, receipt, refusals."""

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gotong.accounts.models import Role, User
from gotong.territory.models import RT
from gotong.transparency.models import Evidence

from .images import FAKE_JPEG_TEXT, FAKE_PDF, jpeg_with_exif

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _open_subjects(subjects_open_to_uploaders: None) -> None:
    """These tests are about the doors, not about who may give evidence about what."""


URL = "/api/v1/k/taman/transparency/evidence"


def post(client: Client, raw: bytes, name: str = "photo.jpg", **fields: str) -> Any:
    data: dict[str, Any] = {"file": SimpleUploadedFile(name, raw, "image/jpeg")}
    data.update({"subject": "activity:12", **fields})
    return client.post(URL, data)


def test_a_relawan_uploads_and_gets_a_receipt(login: Callable[..., Client], relawan: User) -> None:
    raw = jpeg_with_exif()
    response = post(login(relawan), raw, note="Kerja bakti")
    assert response.status_code == 201, response.content
    body = response.json()
    evidence = Evidence.objects.get()
    assert body["receipt_code"] == evidence.code
    assert body["receipt_url"] == f"http://testserver/k/taman/bukti/{evidence.code}/"
    assert body["sha256"] == evidence.sha256 and len(body["sha256"]) == 64
    assert body["public_sha256"] == evidence.public_sha256
    assert body["phash"] == evidence.phash
    assert body["log_index"] == evidence.log_index
    assert body["gps"] == {"lat": -7.632, "lon": 111.528}
    assert body["captured_at"] == "2026-08-17T02:30:00Z"


@pytest.mark.parametrize(("raw", "name"), [(FAKE_JPEG_TEXT, "a.jpg"), (FAKE_PDF, "a.pdf")])
def test_a_file_that_is_not_a_photo_gets_a_clear_422(
    login: Callable[..., Client], relawan: User, raw: bytes, name: str
) -> None:
    response = post(login(relawan), raw, name=name)
    assert response.status_code == 422
    assert response.json()["extra"] == {"field": "file", "reason": "type"}
    assert "JPEG" in response.json()["message"]
    assert not Evidence.objects.exists()


def test_an_oversize_file_gets_422(
    login: Callable[..., Client], relawan: User, settings: Any
) -> None:
    settings.GOTONG_EVIDENCE_MAX_BYTES = 1024
    response = post(login(relawan), jpeg_with_exif())
    assert response.status_code == 422
    assert response.json()["extra"]["max_bytes"] == 1024


def test_a_resident_is_refused_before_the_upload_is_read(
    login: Callable[..., Client], make_member: Callable[..., User], rt: RT
) -> None:
    response = post(login(make_member(Role.WARGA, rt)), jpeg_with_exif())
    assert response.status_code == 403
    assert response.json()["extra"]["permission"] == "transparency.evidence_upload"


def test_anonymous_uploads_need_a_login(client: Client, rt: RT) -> None:
    assert post(client, jpeg_with_exif()).status_code == 401


def test_a_missing_file_is_a_validation_error(login: Callable[..., Client], relawan: User) -> None:
    response = login(relawan).post(URL, {"subject": "activity:1"})
    assert response.status_code == 422


def test_an_officer_without_totp_session_is_refused(
    make_member: Callable[..., User], kelurahan: Any
) -> None:
    operator = make_member(Role.OPERATOR, kelurahan)
    client = Client()
    client.force_login(operator)  # no TOTP verification in this session
    assert post(client, jpeg_with_exif()).status_code == 403


def test_a_verified_operator_may_upload(
    login: Callable[..., Client], make_member: Callable[..., User], kelurahan: Any
) -> None:
    response = post(login(make_member(Role.OPERATOR, kelurahan)), jpeg_with_exif())
    assert response.status_code == 201


def test_the_answer_carries_every_field_its_schema_promises(
    login: Callable[..., Client], relawan: User, client: Client
) -> None:
    body = post(login(relawan), jpeg_with_exif(), note="Kerja bakti").json()
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["EvidenceOut"]
    assert set(body) == set(schema["properties"]) and set(schema["required"]) <= set(body)
    evidence = Evidence.objects.get()
    assert body["media_type"] == "image/jpeg"
    assert body["note_sha256"] == hashlib.sha256(b"Kerja bakti").hexdigest()
    assert evidence.note == "Kerja bakti"


# The issue's example: what an RT head or volunteer might really type.
PII_NOTE = (
    "Diserahkan ke Ibu Sari (diabetes), Jl. Melati 5, HP 0812-3456-7890, NIK 3515 0101 0101 0001"
)
PII_NOTE_WORDS = "Diserahkan ke Ibu Sari (diabetes), Jl. Melati 5"


def _public_pages(client: Client, evidence: Evidence | None) -> str:
    """Everything the public can read: the entries API, the log pages, the receipt."""
    entries = client.get("/api/v1/k/taman/transparency/entries?start=0&end=1000").json()
    pages = [str(entries)]
    pages.append(client.get("/k/taman/log/").content.decode())
    for row in entries.get("entries", []):  # an empty log answers 422
        pages.append(client.get(f"/k/taman/log/{row['index']}/").content.decode())
    if evidence is not None:
        pages.append(client.get(f"/k/taman/bukti/{evidence.code}/").content.decode())
    return "\n".join(pages)


def test_the_issue_example_note_is_refused_and_never_reaches_the_public_log(
    login: Callable[..., Client], relawan: User, client: Client
) -> None:
    response = post(login(relawan), jpeg_with_exif(), note=PII_NOTE)
    assert response.status_code == 422
    assert response.json()["extra"] == {"field": "note"}
    assert not Evidence.objects.exists()
    public = _public_pages(client, None)
    for fragment in ("0812", "3456", "3515", "Sari", "diabetes", "Melati"):
        assert fragment not in public


def test_a_note_with_names_and_illness_stays_private_and_only_its_hash_is_public(
    login: Callable[..., Client], relawan: User, client: Client
) -> None:
    response = post(login(relawan), jpeg_with_exif(), note=PII_NOTE_WORDS)
    assert response.status_code == 201
    evidence = Evidence.objects.get()
    assert evidence.note == PII_NOTE_WORDS  # kept privately
    public = _public_pages(client, evidence)
    for fragment in ("Sari", "diabetes", "Melati"):
        assert fragment not in public
    assert hashlib.sha256(PII_NOTE_WORDS.encode()).hexdigest() in public
