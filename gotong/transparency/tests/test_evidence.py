"""Evidence upload: storage, hashes, the log entry, refusals, near-duplicate photos."""

import hashlib
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gotong.accounts.models import Role, User
from gotong.core.exceptions import NotAuthenticated, PermissionDenied, ValidationFailed
from gotong.territory.models import RT, Kelurahan
from gotong.territory.tests.factories import RTFactory, RWFactory
from gotong.transparency import services
from gotong.transparency.log_schema import text_digest
from gotong.transparency.models import Evidence
from gotong.transparency.selectors import (
    entry_get,
    evidence_get,
    evidence_near_duplicates,
    log_size,
    log_verify,
)
from gotong.transparency.services import (
    PersonalDataInLog,
    actor_pseudonym,
    entry_record,
)

from .images import FAKE_JPEG_TEXT, FAKE_PDF, encode, jpeg_plain, jpeg_with_exif, scene

pytestmark = pytest.mark.django_db

Upload = Callable[..., Evidence]


def test_the_original_is_kept_privately_with_its_sha256(upload: Upload) -> None:
    raw = jpeg_with_exif()
    evidence = upload(raw)
    assert evidence.sha256 == hashlib.sha256(raw).hexdigest()
    with storages["evidence_private"].open(evidence.original_path) as stored:
        assert stored.read() == raw
    assert evidence.size_bytes == len(raw) and evidence.media_type == "image/jpeg"
    with storages["evidence_public"].open(evidence.public_path) as public:
        assert public.read() != raw


def test_the_public_copy_is_stripped_and_hashed(upload: Upload) -> None:
    evidence = upload(encode(scene(size=(2000, 1500)), "JPEG", None))
    with storages["evidence_public"].open(evidence.public_path) as stored:
        public = stored.read()
    assert hashlib.sha256(public).hexdigest() == evidence.public_sha256
    image = Image.open(io.BytesIO(public))
    assert image.size == (1280, 960) == (evidence.public_width, evidence.public_height)
    assert dict(image.getexif()) == {}


def test_the_log_entry_holds_hashes_rounded_gps_and_time_but_no_photo(
    upload: Upload, relawan: User, kelurahan: Kelurahan
) -> None:
    evidence = upload(jpeg_with_exif(), note="Kerja  bakti\nsaluran air")
    entry = entry_get(kelurahan=kelurahan, index=evidence.log_index)
    record = json.loads(entry.body)
    assert record["type"] == "evidence.recorded" and record["subject"] == "activity:12"
    assert record["actor"] == f"relawan:{actor_pseudonym(relawan.pk)}"
    assert record["data"] == {
        "receipt": evidence.code,
        "media_type": "image/jpeg",
        "sha256": evidence.sha256,
        "public_sha256": evidence.public_sha256,
        "phash": evidence.phash,
        "captured_at": "2026-08-17T02:30:00Z",
        "gps": {"lat": -7.632, "lon": 111.528},
        # The typed note stays on the private row; the log holds only its SHA-256.
        "note": text_digest("Kerja bakti saluran air"),
    }
    assert "Kerja" not in entry.body and evidence.note == "Kerja bakti saluran air"
    # The exact position stays private; the log holds only 3 decimals.
    assert evidence.gps_lat == pytest.approx(-7.632417, abs=1e-6)
    assert "-7.6324" not in entry.body
    assert len(entry.body) < 1000
    assert log_verify(kelurahan=kelurahan).ok


def test_a_photo_without_exif_is_logged_without_place_and_time(
    upload: Upload, kelurahan: Kelurahan
) -> None:
    evidence = upload(jpeg_plain())
    data = json.loads(entry_get(kelurahan=kelurahan, index=evidence.log_index).body)["data"]
    assert "gps" not in data and "captured_at" not in data
    assert evidence.captured_at is None and evidence.gps_lat is None


def test_receipt_codes_are_short_url_safe_and_distinct(upload: Upload) -> None:
    codes = {upload(jpeg_plain(seed)).code for seed in range(5)}
    assert len(codes) == 5
    assert all(len(c) == 12 and c.isalnum() and c.islower() for c in codes)


@pytest.mark.parametrize(
    ("raw", "name"),
    [(FAKE_JPEG_TEXT, "photo.jpg"), (FAKE_PDF, "photo.jpg"), (FAKE_PDF, "report.pdf")],
    ids=["text-named-jpg", "pdf-named-jpg", "pdf"],
)
def test_files_that_are_not_photos_are_refused_and_nothing_is_kept(
    upload: Upload, kelurahan: Kelurahan, raw: bytes, name: str
) -> None:
    before = log_size(kelurahan=kelurahan)
    with pytest.raises(ValidationFailed) as refused:
        upload(raw, name=name)
    assert refused.value.extra == {"field": "file", "reason": "type"}
    assert "JPEG, PNG" in str(refused.value.message)
    assert Evidence.objects.count() == 0 and log_size(kelurahan=kelurahan) == before


def test_a_damaged_photo_is_refused(upload: Upload) -> None:
    raw = jpeg_plain()
    with pytest.raises(ValidationFailed) as refused:
        upload(raw[: len(raw) // 3])
    assert refused.value.extra["reason"] == "corrupt"


def test_an_oversize_file_is_refused_before_it_is_read(upload: Upload, settings: Any) -> None:
    raw = jpeg_plain()
    settings.GOTONG_EVIDENCE_MAX_BYTES = len(raw) - 1
    with pytest.raises(ValidationFailed) as refused:
        upload(raw)
    assert refused.value.extra == {"field": "file", "max_bytes": len(raw) - 1}
    settings.GOTONG_EVIDENCE_MAX_BYTES = len(raw)
    assert upload(raw).size_bytes == len(raw)


def test_the_real_limit_is_ten_megabytes(upload: Upload) -> None:
    # A PNG of random noise barely compresses: about 10.5 MB of real image data.
    noise = Image.frombytes("RGB", (1900, 1900), bytes(range(256)) * (1900 * 1900 * 3 // 256 + 1))
    big = encode(noise.effect_spread(40), "PNG")
    big += b"\0" * max(0, 10 * 1024 * 1024 + 1 - len(big))
    with pytest.raises(ValidationFailed) as refused:
        upload(big, name="big.png")
    assert refused.value.extra["max_bytes"] == 10 * 1024 * 1024


def test_a_resident_may_not_upload(
    upload: Upload, make_member: Callable[..., User], rt: RT
) -> None:
    with pytest.raises(PermissionDenied):
        upload(uploader=make_member(Role.WARGA, rt))
    assert Evidence.objects.count() == 0


def test_a_stranger_may_not_upload(upload: Upload) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAuthenticated):
        upload(uploader=AnonymousUser())


def test_a_relawan_of_another_kelurahan_may_not_upload_here(
    upload: Upload, make_member: Callable[..., User], other_kelurahan: Kelurahan
) -> None:
    elsewhere = RTFactory(rw=RWFactory(kelurahan=other_kelurahan, number=1), number=1)
    with pytest.raises(PermissionDenied):
        upload(uploader=make_member(Role.RELAWAN, elsewhere))


@pytest.mark.parametrize("role", [Role.KETUA_RT, Role.KETUA_RW])
def test_rt_and_rw_heads_may_upload(
    upload: Upload, make_member: Callable[..., User], rt: RT, role: Role
) -> None:
    head = make_member(role, rt if role == Role.KETUA_RT else rt.rw)
    assert upload(uploader=head).uploader == head


@pytest.mark.parametrize("subject", ["activity", "activity:", "12", "Activity:1", "a:1", "x:0"])
def test_the_subject_must_be_kind_colon_id(upload: Upload, subject: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        upload(subject=subject)
    assert refused.value.extra == {"field": "subject"}


def test_a_note_with_a_phone_number_is_refused_as_a_form_error(upload: Upload) -> None:
    with pytest.raises(ValidationFailed) as refused:
        upload(note="hubungi 0812 3456 7890 atau 081234567890")
    assert refused.value.extra == {"field": "note"}


def test_files_are_removed_when_the_log_refuses_the_entry(
    upload: Upload, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved: list[str] = []
    real_save = storages["evidence_private"].save

    def spy(name: str, content: Any, **kwargs: Any) -> str:
        saved.append(real_save(name, content, **kwargs))
        return saved[-1]

    def refuse(**kwargs: Any) -> None:
        raise PersonalDataInLog("refused")

    monkeypatch.setattr(storages["evidence_private"], "save", spy)
    monkeypatch.setattr(services, "entry_record", refuse)
    with pytest.raises(PersonalDataInLog):
        upload()
    assert saved and not storages["evidence_private"].exists(saved[0])
    assert Evidence.objects.count() == 0


def test_hex_digests_pass_the_personal_data_check_but_a_nik_does_not(
    kelurahan: Kelurahan,
) -> None:
    # 16 decimal digits in a row happen in about 0.7% of SHA-256 hex digests.
    digest = "ab1234567890123456cd" + "e" * 44
    entry_record(kelurahan=kelurahan, type="t", actor=None, subject="s:1", data={"h": digest})
    # A plain picture's perceptual hash is all decimal digits; under a digest key it is fine.
    entry_record(
        kelurahan=kelurahan,
        type="t",
        actor=None,
        subject="s:1",
        data={"phash": "8000000000000000"},
    )
    with pytest.raises(PersonalDataInLog):
        entry_record(
            kelurahan=kelurahan,
            type="t",
            actor=None,
            subject="s:1",
            data={"h": "NIK 3577014101900001"},
        )
    with pytest.raises(PersonalDataInLog):
        entry_record(
            kelurahan=kelurahan,
            type="t",
            actor=None,
            subject="s:1",
            data={"sha256": "NIK 3577014101900001"},
        )


def test_a_reused_photo_is_found_by_its_perceptual_hash(upload: Upload) -> None:
    first = upload(encode(scene(3, (1600, 1200)), "JPEG"), subject="activity:1")
    again = upload(encode(scene(3, (1600, 1200)).resize((900, 675)), "PNG"), subject="activity:2")
    other = upload(encode(scene(4, (1600, 1200)), "JPEG"), subject="activity:3")
    found = evidence_near_duplicates(kelurahan=again.kelurahan, phash=again.phash, exclude=again)
    assert [e for e, _ in found] == [first]
    assert found[0][1] <= 6
    assert other not in [e for e, _ in found]
    everything = evidence_near_duplicates(
        kelurahan=again.kelurahan, phash=again.phash, max_distance=64
    )
    assert dict(everything)[again] == 0 and len(everything) == 3
    assert [d for _, d in everything] == sorted(d for _, d in everything)


def test_near_duplicates_stay_within_the_kelurahan(
    upload: Upload, make_member: Callable[..., User], other_kelurahan: Kelurahan
) -> None:
    elsewhere = RTFactory(rw=RWFactory(kelurahan=other_kelurahan, number=1), number=1)
    mine = upload(jpeg_plain(5))
    theirs = upload(
        jpeg_plain(5), kelurahan=other_kelurahan, uploader=make_member(Role.RELAWAN, elsewhere)
    )
    assert theirs.phash == mine.phash
    found = evidence_near_duplicates(kelurahan=mine.kelurahan, phash=mine.phash, exclude=mine)
    assert found == []


def test_evidence_is_looked_up_within_the_kelurahan(
    upload: Upload, other_kelurahan: Kelurahan
) -> None:
    from gotong.core.exceptions import NotFound

    evidence = upload()
    assert evidence_get(kelurahan=evidence.kelurahan, code=evidence.code) == evidence
    with pytest.raises(NotFound):
        evidence_get(kelurahan=other_kelurahan, code=evidence.code)


def test_an_uploaded_file_object_from_a_form_works_too(relawan: User, kelurahan: Kelurahan) -> None:
    evidence = services.evidence_upload(
        kelurahan=kelurahan,
        uploader=relawan,
        subject="need:3",
        upload=SimpleUploadedFile("x.webp", encode(scene(), "WEBP"), "application/octet-stream"),
    )
    assert evidence.media_type == "image/webp" and evidence.original_path.endswith(".webp")
    assert evidence.note == ""
