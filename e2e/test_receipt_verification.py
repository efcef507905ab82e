"""A citizen opens an evidence receipt: the browser itself recomputes the inclusion proof."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, Route, expect

from gotong.accounts.models import Role
from gotong.transparency.models import Evidence
from gotong.transparency.services import evidence_upload, tree_head_publish
from gotong.transparency.tests.images import jpeg_with_exif

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("log_tables_flushable")]
SCREENSHOT = "/tmp/e2e-receipt.png"  # noqa: S108 - synthetic data only, for people to look at


@pytest.fixture
def evidence(rt: Any, make_member: Callable[..., Any]) -> Evidence:
    relawan = make_member(Role.RELAWAN, rt)
    for n in range(6):  # a few entries so the audit path has several steps
        evidence_upload(
            kelurahan=rt.kelurahan,
            uploader=relawan,
            subject=f"activity:{n + 1}",
            upload=SimpleUploadedFile("p.jpg", jpeg_with_exif(seed=n)),
            note="Kerja bakti",
        )
    tree_head_publish(kelurahan=rt.kelurahan)
    return Evidence.objects.get(subject="activity:3")


def test_the_browser_verifies_the_receipt(page: Page, evidence: Evidence) -> None:
    page.goto(f"/k/taman/bukti/{evidence.code}/")
    check = page.locator("#browser-check")
    expect(check).to_have_attribute("data-result", "ok")
    expect(check.locator("[data-status]")).to_have_text("Terverifikasi di browser Anda")
    # Chromium's WebCrypto has Ed25519: the signature of the head is checked as well.
    expect(check.locator("[data-signature]")).to_have_attribute("data-state", "ok")
    expect(page.locator("button[data-print]")).to_be_visible()
    page.screenshot(path=SCREENSHOT, full_page=True)


def test_the_browser_rejects_a_proof_that_does_not_reach_the_signed_root(
    page: Page, evidence: Evidence, live_server: Any
) -> None:
    def tampered(route: Route) -> None:
        response = route.fetch()
        html = response.text()
        root = re.search(r'"root_hash": "([0-9a-f]{64})"', html)
        assert root is not None
        forged = ("0" if root.group(1)[0] != "0" else "1") + root.group(1)[1:]
        route.fulfill(response=response, body=html.replace(root.group(1), forged))

    page.route(re.compile(r".*/bukti/[a-z0-9]+/$"), tampered)
    page.goto(f"/k/taman/bukti/{evidence.code}/")
    check = page.locator("#browser-check")
    expect(check).to_have_attribute("data-result", "fail")
    expect(check.locator("[data-status]")).to_contain_text("GAGAL")
