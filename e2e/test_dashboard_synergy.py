"""The synergy diagram in Chromium: a phone sees the tall layout with the panel below, a
desktop the wide one with the panel beside it; Enter on a focused node opens its panel;
"Unduh PNG (4x)" downloads the shown SVG at four times its size; the PDF links give A4
files; and Chromium's own text boxes (getBBox) never overlap or leave the viewBox."""

from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Page

from gotong.territory.tests.factories import KelurahanFactory, RTFactory, RWFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Every <text> of the shown SVG as Chromium lays it out, and the pairs that overlap.
OVERLAPS = """() => {
  const svg = [...document.querySelectorAll('svg.synergy-svg')]
    .find((s) => s.getBoundingClientRect().width > 0);
  const view = svg.viewBox.baseVal;
  const boxes = [...svg.querySelectorAll('text')].map((t) => {
    const b = t.getBBox();
    return {text: t.textContent, x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height};
  });
  const found = [];
  boxes.forEach((a, i) => {
    if (a.x0 < 0 || a.y0 < 0 || a.x1 > view.width || a.y1 > view.height) {
      found.push('outside: ' + a.text);
    }
    boxes.slice(i + 1).forEach((b) => {
      // 1 unit of slack: the boxes of two lines of one label touch at the line gap.
      if (a.x0 < b.x1 - 1 && b.x0 < a.x1 - 1 && a.y0 < b.y1 - 1 && b.y0 < a.y1 - 1) {
        found.push(a.text + ' / ' + b.text);
      }
    });
  });
  return {orientation: svg.dataset.orientation, count: boxes.length, found: found};
}"""


def _kelurahan() -> Any:
    kelurahan = KelurahanFactory()
    RTFactory(rw=RWFactory(kelurahan=kelurahan, number=1), number=1)
    return kelurahan


@pytest.mark.parametrize(
    ("width", "orientation"), [(360, "portrait"), (1280, "landscape")], ids=["phone", "desktop"]
)
def test_layout_panel_and_png_4x(
    page: Page, log_tables_flushable: Any, tmp_path: Any, width: int, orientation: str
) -> None:
    kelurahan = _kelurahan()
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"/k/{kelurahan.slug}/dasbor/sinergi/")
    shown = page.locator(f"#synergy-svg-{orientation}")
    assert shown.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    boxes = page.evaluate(OVERLAPS)
    assert boxes["orientation"] == orientation and boxes["count"] > 30
    assert boxes["found"] == []

    # Keyboard: Tab reaches the nodes; Enter opens the panel of the focused one.
    node = shown.locator('a[data-node="relawan"]')
    node.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#node-relawan"
    panel = page.locator("#node-relawan")
    assert panel.is_visible() and not page.locator("#node-warga").is_visible()
    assert "Peran" in panel.inner_text() and "Angka terkini" in panel.inner_text()
    assert node.get_attribute("aria-current") == "true"
    side, figure = panel.bounding_box(), shown.bounding_box()
    assert side and figure
    if width >= 1024:
        assert side["x"] >= figure["x"] + figure["width"]  # beside the diagram
    else:
        assert side["y"] >= figure["y"] + figure["height"]  # below it
    page.screenshot(path=f"/work/shots/synergy-e2e-{width}.png", full_page=True)

    # A click on another node switches the panel.
    shown.locator('a[data-node="umkm"]').click()
    assert page.locator("#node-umkm").is_visible() and not panel.is_visible()

    with page.expect_download() as png_info:
        page.get_by_role("button", name="Unduh PNG (4x)").click()
    png = tmp_path / "sinergi.png"
    png_info.value.save_as(png)
    assert png_info.value.suggested_filename.endswith(f"-{orientation}-4x.png")
    view = page.evaluate(
        "(id) => { const b = document.getElementById(id).viewBox.baseVal;"
        " return [b.width, b.height]; }",
        f"synergy-svg-{orientation}",
    )
    with Image.open(png) as image:
        assert image.format == "PNG"
        assert image.size == (round(view[0] * 4), round(view[1] * 4))
        # Drawn, not blank: the layer bands' colours are in the picture.
        assert len(image.convert("RGB").getcolors(1_000_000) or []) > 50


def test_pdf_links_give_a4_files(page: Page, log_tables_flushable: Any, tmp_path: Any) -> None:
    kelurahan = _kelurahan()
    page.goto(f"/k/{kelurahan.slug}/dasbor/sinergi/")
    for name, box in (
        ("PDF, A4 tegak", b"/MediaBox [0 0 595.28 841.89]"),
        ("PDF, A4 mendatar", b"/MediaBox [0 0 841.89 595.28]"),
    ):
        with page.expect_download() as pdf_info:
            page.get_by_role("link", name=name).click()
        path = tmp_path / "sinergi.pdf"
        pdf_info.value.save_as(path)
        body = path.read_bytes()
        assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
        assert box in body


def test_without_javascript_a_node_link_shows_its_panel(browser: Any, live_server: Any) -> None:
    kelurahan = _kelurahan()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(f"/k/{kelurahan.slug}/dasbor/sinergi/")
        page.locator('#synergy-svg-landscape a[data-node="umkm_hub"]').click()
        assert page.evaluate("location.hash") == "#node-umkm_hub"
        assert page.locator("#node-umkm_hub").is_visible()
        assert not page.locator("#node-warga").is_visible()
    finally:
        context.close()
