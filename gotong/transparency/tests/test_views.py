"""Receipt, photo, log and entry pages; the upload page; the home page link."""

import io
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape
from PIL import Image

from gotong.accounts.models import Role, User
from gotong.territory.models import RT, Kelurahan
from gotong.transparency import merkle
from gotong.transparency.models import Evidence
from gotong.transparency.services import entries_append, tree_head_publish
from gotong.transparency.templatetags.transparency import hash_grouped

from .images import FAKE_PDF, jpeg_plain, jpeg_with_exif

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _open_subjects(subjects_open_to_uploaders: None) -> None:
    """These tests are about the doors, not about who may give evidence about what."""


Upload = Callable[..., Evidence]


def receipt_url(evidence: Evidence) -> str:
    return f"/k/{evidence.kelurahan.slug}/bukti/{evidence.code}/"


def inline_scripts(html: str) -> list[str]:
    """<script> tags that would run inline code (CSP allows only src and JSON data)."""
    tags = re.findall(r"<script\b[^>]*>", html)
    return [t for t in tags if "src=" not in t and 'type="application/json"' not in t]


def test_the_receipt_shows_what_when_who_hashes_and_a_verified_inclusion(
    client: Client, upload: Upload, kelurahan: Kelurahan
) -> None:
    evidence = upload(jpeg_with_exif(), note="Kerja bakti saluran air")
    tree_head_publish(kelurahan=kelurahan)
    page = client.get(receipt_url(evidence))
    assert page.status_code == 200
    html = page.content.decode()
    # The public sees what was done, never the typed note.
    assert "Kerja bakti saluran air" not in html and "activity:12" in html
    assert hash_grouped(evidence.sha256) in html
    assert hash_grouped(evidence.public_sha256) in html
    assert hash_grouped(evidence.phash) in html
    assert f"#{evidence.log_index}" in html
    assert "17 Agustus 2026, 09:30 WIB" in html  # capture time, shown in WIB
    assert "-7.632, 111.528" in html and "-7.6324" not in html
    assert "relawan:" in html
    assert "Terverifikasi oleh server" in html
    assert page.context["check"]["verified"] is True
    assert "<svg" in html and 'class="segno"' in html  # the QR code, inline
    assert inline_scripts(html) == []
    found = re.search(r'id="inclusion-data" type="application/json">(.*?)</script>', html)
    assert found is not None
    data = json.loads(found.group(1))
    assert data["entry"].encode() == evidence_entry_body(evidence)
    assert merkle.verify_inclusion(
        index=data["index"],
        size=data["tree_size"],
        leaf=bytes.fromhex(data["leaf_hash"]),
        proof=[bytes.fromhex(h) for h in data["audit_path"]],
        root=bytes.fromhex(data["root_hash"]),
    )


def evidence_entry_body(evidence: Evidence) -> bytes:
    from gotong.transparency.selectors import entry_get

    return entry_get(kelurahan=evidence.kelurahan, index=evidence.log_index).body.encode()


def test_the_receipt_waits_for_the_next_signature(
    client: Client, upload: Upload, kelurahan: Kelurahan
) -> None:
    tree_head_publish(kelurahan=kelurahan)
    evidence = upload()
    html = client.get(receipt_url(evidence)).content.decode()
    assert "Menunggu tanda tangan berikutnya" in html
    assert "inclusion-data" not in html


def test_the_receipt_in_english(client: Client, upload: Upload, kelurahan: Kelurahan) -> None:
    evidence = upload()
    tree_head_publish(kelurahan=kelurahan)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(receipt_url(evidence)).content.decode()
    assert "Verified by the server" in html and 'data-msg-ok="Verified in your browser"' in html


def test_another_kelurahans_receipt_code_is_not_found_here(
    client: Client, upload: Upload, other_kelurahan: Kelurahan
) -> None:
    evidence = upload()
    assert client.get(f"/k/{other_kelurahan.slug}/bukti/{evidence.code}/").status_code == 404
    assert (
        client.get(f"/k/{other_kelurahan.slug}/bukti/{evidence.code}/foto.jpg").status_code == 404
    )
    assert client.get("/k/taman/bukti/tidakada1234/").status_code == 404


def test_the_photo_served_is_the_stripped_copy_never_the_original(
    client: Client, upload: Upload
) -> None:
    raw = jpeg_with_exif()
    evidence = upload(raw)
    response = client.get(f"{receipt_url(evidence)}foto.jpg")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    served = b"".join(response.streaming_content)
    assert served != raw and b"Budi Santoso" not in served
    assert dict(Image.open(io.BytesIO(served)).getexif()) == {}
    assert response["Cache-Control"] == "public, max-age=3600"  # a withdrawn consent takes it down
    assert client.get(f"/media/private/evidence/{evidence.original_path}").status_code == 404


def test_the_log_pages_newest_first_50_a_page(
    client: Client, upload: Upload, kelurahan: Kelurahan, django_assert_max_num_queries: Any
) -> None:
    entries_append(
        kelurahan=kelurahan,
        entries=[
            {
                "type": "need.submitted",
                "at": "x",
                "actor": "system",
                "subject": f"need:{i}",
                "data": {},
            }
            for i in range(1, 120)
        ],
    )
    evidence = upload(subject="need:7")
    total = evidence.log_index + 1
    tree_head_publish(kelurahan=kelurahan)
    with django_assert_max_num_queries(8):
        first = client.get("/k/taman/log/")
    rows = first.context["rows"]
    assert [r.index for r in rows] == list(range(total - 1, total - 51, -1))
    assert rows[0].type == "evidence.recorded" and rows[0].receipt_code == evidence.code
    html = first.content.decode()
    assert f'href="/k/taman/bukti/{evidence.code}/"' in html
    assert "page=2" in html
    last = client.get("/k/taman/log/?page=3")
    assert [r.index for r in last.context["rows"]] == list(range(total - 101, -1, -1))
    # The entry about need:7 links to the receipt for need:7 as well.
    need7 = client.get("/k/taman/log/?page=3").context["rows"]
    assert any(r.subject == "need:7" and r.receipt_code == evidence.code for r in need7)


def test_the_log_filters_by_type(client: Client, upload: Upload, kelurahan: Kelurahan) -> None:
    entries_append(
        kelurahan=kelurahan,
        entries=[
            {
                "type": "need.submitted",
                "at": "x",
                "actor": "system",
                "subject": "need:1",
                "data": {},
            }
        ],
    )
    upload()
    rows = client.get("/k/taman/log/?type=evidence").context["rows"]
    assert {r.type for r in rows} == {"evidence.recorded"}
    page = client.get("/k/taman/log/?type=need.submitted")
    assert {r.type for r in page.context["rows"]} == {"need.submitted"}
    assert '<option value="need.submitted" selected>' in page.content.decode()


def test_each_kelurahan_has_its_own_log_page(
    client: Client, upload: Upload, other_kelurahan: Kelurahan
) -> None:
    upload()
    assert client.get(f"/k/{other_kelurahan.slug}/log/").context["rows"] == []


def test_the_entry_page_shows_the_canonical_json_and_the_server_check(
    client: Client, upload: Upload, kelurahan: Kelurahan
) -> None:
    evidence = upload()
    tree_head_publish(kelurahan=kelurahan)
    page = client.get(f"/k/taman/log/{evidence.log_index}/")
    assert page.status_code == 200
    html = page.content.decode()
    body = evidence_entry_body(evidence).decode()
    assert escape(body) in html
    assert page.context["check"]["verified"] is True
    assert page.context["leaf_hash"] == merkle.leaf_hash(body.encode()).hex()
    assert f'href="/k/taman/bukti/{evidence.code}/"' in html
    assert client.get("/k/taman/log/999/").status_code == 404


def test_the_home_page_links_the_public_record(client: Client, kelurahan: Kelurahan) -> None:
    html = client.get("/k/taman/").content.decode()
    assert "Catatan publik" in html and 'href="/k/taman/log/"' in html
    assert "/bukti/unggah/" not in html


def test_the_upload_page_is_for_those_who_may_upload(
    login: Callable[..., Client], relawan: User, make_member: Callable[..., User], rt: RT
) -> None:
    page = login(relawan).get("/k/taman/bukti/unggah/?subject=activity:4")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'accept="image/*"' in html and 'capture="environment"' in html
    assert 'enctype="multipart/form-data"' in html and 'value="activity:4"' in html
    assert login(make_member(Role.WARGA, rt)).get("/k/taman/bukti/unggah/").status_code == 403
    anonymous = Client().get("/k/taman/bukti/unggah/")
    assert anonymous.status_code == 302 and anonymous.url.startswith("/masuk/")
    assert "/bukti/unggah/" in login(relawan).get("/k/taman/").content.decode()


def test_uploading_from_the_page_leads_to_the_receipt(
    login: Callable[..., Client], relawan: User
) -> None:
    client = login(relawan)
    response = client.post(
        "/k/taman/bukti/unggah/",
        {
            "file": SimpleUploadedFile("p.jpg", jpeg_plain(), "image/jpeg"),
            "subject": "activity:5",
            "note": "Posyandu",
        },
    )
    evidence = Evidence.objects.get()
    assert response.status_code == 302 and response.url == receipt_url(evidence)


def test_a_refused_file_is_shown_as_a_form_error(
    login: Callable[..., Client], relawan: User
) -> None:
    response = login(relawan).post(
        "/k/taman/bukti/unggah/",
        {"file": SimpleUploadedFile("p.jpg", FAKE_PDF, "image/jpeg"), "subject": "activity:5"},
    )
    assert response.status_code == 200
    assert "Hanya foto JPEG, PNG, atau WebP" in response.content.decode()
    assert not Evidence.objects.exists()


def test_the_typed_note_is_shown_to_the_uploader_and_officers_only(
    client: Client,
    upload: Upload,
    relawan: User,
    make_member: Callable[..., User],
    login: Callable[[User], Client],
    kelurahan: Kelurahan,
    rt: RT,
) -> None:
    note = "Diserahkan ke Ibu Sari (diabetes), Jl. Melati 5"
    # A subject kind no app opened to other uploaders (see the needs and activities rules).
    evidence = upload(jpeg_with_exif(), subject="proof:1", note=note)
    assert note not in client.get(receipt_url(evidence)).content.decode()
    other_volunteer = make_member(Role.RELAWAN, rt)
    assert note not in login(other_volunteer).get(receipt_url(evidence)).content.decode()
    assert note in login(relawan).get(receipt_url(evidence)).content.decode()
    operator = make_member(Role.OPERATOR, kelurahan)
    assert note in login(operator).get(receipt_url(evidence)).content.decode()
