"""The synergy diagram's "Unduh PNG" and "Ekspor PDF" produce real files in Chromium."""

from typing import Any

import pytest
from playwright.sync_api import Page

from gotong.territory.tests.factories import KelurahanFactory, RTFactory, RWFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_synergy_png_and_pdf_downloads_are_valid_files(
    page: Page, log_tables_flushable: Any, tmp_path: Any
) -> None:
    kelurahan = KelurahanFactory()
    RTFactory(rw=RWFactory(kelurahan=kelurahan, number=1), number=1)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/k/{kelurahan.slug}/dasbor/sinergi/")
    assert page.locator("#synergy-svg").is_visible()

    with page.expect_download() as png_info:
        page.get_by_role("button", name="Unduh PNG").click()
    png = tmp_path / "sinergi.png"
    png_info.value.save_as(png)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000
    from PIL import Image

    with Image.open(png) as image:
        assert image.size == (1280, 920)

    with page.expect_download() as pdf_info:
        page.get_by_role("link", name="Ekspor PDF").click()
    pdf = tmp_path / "sinergi.pdf"
    pdf_info.value.save_as(pdf)
    body = pdf.read_bytes()
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF") and len(body) > 2_000


def test_node_click_shows_the_stakeholders_role(page: Page, log_tables_flushable: Any) -> None:
    kelurahan = KelurahanFactory()
    page.goto(f"/k/{kelurahan.slug}/dasbor/sinergi/")
    page.locator('#synergy-svg a[href="#node-umkm"]').click()
    assert page.evaluate("location.hash") == "#node-umkm"
    assert page.locator("#node-umkm").is_visible()
