"""The synergy page, its panels, its PNG buttons and its PDFs, in Bahasa Indonesia, with the
snapshot's figures (formatted the Indonesian way, suppressed ones kept suppressed)."""

import html
import re
import zlib
from typing import Any

import polib  # type: ignore[import-untyped]  # no types-polib in the dev extras
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from gotong.dashboard import synergy
from gotong.dashboard.models import Snapshot

pytestmark = pytest.mark.django_db

PUBLIC = {
    "kpis": [
        {"code": "active_users", "value": 1234, "base": None, "meets": True},
        {"code": "open_data_index", "value": 23.84, "base": None, "meets": False},
        {"code": "delivery_hours_high", "value": 35.44, "base": 12, "meets": True},
        {"code": "needs_raised", "value": "x", "base": None, "meets": None},
        {"code": "money_raised", "value": 1_500_000, "base": None, "meets": None},
    ],
    "counts": {"households": "<5", "signed_off": 7, "volunteers_recent": 12, "umkm": 9},
}


@pytest.fixture
def page_url(rt: Any) -> str:
    Snapshot.objects.create(
        kelurahan=rt.kelurahan, computed_at=timezone.now(), log_size=4321, public=PUBLIC
    )
    return f"/k/{rt.kelurahan.slug}/dasbor/sinergi/"


def get(url: str, language: str = "id") -> str:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def visible_text(page: str) -> str:
    body = re.sub(r"<(script|style|title)\b.*?</\1>", " ", page, flags=re.S)
    body = re.sub(r'\s(href|src|class|id|data-[\w-]+|aria-[\w-]+)="[^"]*"', " ", body)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def panel(page: str, code: str) -> str:
    match = re.search(
        rf'<section class="node-panel[^"]*" id="node-{code}".*?</section>', page, re.S
    )
    assert match, code
    return html.unescape(match.group(0))


def test_page_is_indonesian_with_eight_nodes_in_both_layouts_and_four_layers(
    page_url: str,
) -> None:
    page = get(page_url)
    assert '<html lang="id">' in page
    for orientation in ("landscape", "portrait"):
        svg = re.search(rf'<svg[^>]*id="synergy-svg-{orientation}".*?</svg>', page, re.S)
        assert svg, orientation
        nodes = re.findall(r'<a href="#node-(\w+)" class="syn-node"', svg.group(0))
        assert sorted(nodes) == sorted(n.code for n in synergy.NODES)
        assert len(nodes) == 8
        assert len(re.findall(r"data-layer=", svg.group(0))) == 4
    text = visible_text(page)
    for name in ("Lapisan Sosial", "Lapisan Ekonomi", "Lapisan Pemerintahan", "Lapisan Teknologi"):
        assert name in text
    for name in (
        "Warga",
        "Portal Gotong Royong",
        "Data Intelligence",
        "Pemerintah",
        "Komunitas",
        "UMKM",
        "Volunteer Hub",
        "UMKM Hub",
    ):
        assert f">{name}<" in page
    assert "Sinergi pemangku kepentingan · Kelurahan" in text


@pytest.mark.parametrize("node", synergy.NODES, ids=lambda n: n.code)
def test_each_panel_shows_the_role_benefits_and_live_figures(page_url: str, node: Any) -> None:
    content = panel(get(page_url), node.code)
    with translation.override("id"):
        expected = [str(line) for line in (*node.roles, *node.benefits)]
        layer = str(synergy.LAYER_BY_CODE[node.layer].title)
        label = str(node.label)
        labels = [f.label for f in synergy.node_figures(public=PUBLIC)[node.code]]
    assert f"<h2>{label}</h2>" in content
    for line in expected:
        assert f"<li>{line}</li>" in content
    assert layer in content
    assert "Peran" in content and "Manfaat" in content and "Angka terkini" in content
    for label in labels:
        assert f"<dt>{label}</dt>" in content


def test_the_documents_roles_reach_the_panels(page_url: str) -> None:
    """Words of the "Sinergi Stakeholder" table, as the user wrote them."""
    page = get(page_url)
    assert "fasilitator data &amp; koordinasi" in panel_raw(page, "pemerintah")
    assert "Data akurat &amp; efisiensi pelayanan" in panel_raw(page, "pemerintah")
    assert "Partisipan aktif" in panel_raw(page, "warga")
    assert "Akses bantuan cepat &amp; peluang kerja" in panel_raw(page, "warga")
    assert "Pelaku ekonomi lokal" in panel_raw(page, "umkm")
    assert "Akses pasar digital" in panel_raw(page, "umkm")
    assert "Inovator digital &amp; relawan muda".lower() in panel_raw(page, "komunitas").lower()


def panel_raw(page: str, code: str) -> str:
    match = re.search(rf'id="node-{code}".*?</section>', page, re.S)
    assert match
    return match.group(0)


def test_figures_are_indonesian_and_suppressed_ones_stay_suppressed(page_url: str) -> None:
    page = get(page_url)
    data = html.unescape(panel(page, "data"))
    assert "23,8%" in data and "4.321" in data
    assert "35,4 jam" in html.unescape(panel(page, "pemerintah"))
    warga = html.unescape(panel(page, "warga"))
    assert "<dd><5</dd>" in warga and "<dd>1.234</dd>" in warga
    assert "<dd>x</dd>" in html.unescape(panel(page, "portal"))
    assert "Rp 1.500.000" in html.unescape(panel(page, "portal"))
    assert "23.8%" not in page


def test_english_page_keeps_the_figures_english(page_url: str) -> None:
    page = get(page_url, "en")
    assert "Stakeholder synergy" in page and "23.8%" in page and "Technology layer" in page


def catalogue_leaks(text: str) -> list[str]:
    """English msgids of the catalogue (whose Indonesian differs) found in ``text``."""
    po = polib.pofile(str(settings.BASE_DIR / "locale" / "id" / "LC_MESSAGES" / "django.po"))
    leaks: list[str] = []
    for entry in po:
        if entry.obsolete or entry.msgstr == entry.msgid or " " not in entry.msgid:
            continue
        # Literal parts of the msgid (placeholders split it); short parts say too little.
        parts = [p.strip() for p in re.split(r"%\(\w+\)[sd]|%[sd]", entry.msgid)]
        leaks.extend(p for p in parts if len(p) >= 12 and " " in p and p in text)
    return leaks


def test_no_english_catalogue_string_on_the_indonesian_page(page_url: str) -> None:
    assert catalogue_leaks(visible_text(get(page_url))) == []


def test_the_english_check_can_fail(page_url: str) -> None:
    """The same check finds the diagram's English strings on the English page."""
    leaks = catalogue_leaks(visible_text(get(page_url, "en")))
    assert "Synergy between stakeholders" in leaks
    assert "Fast access to help and to work opportunities" in leaks


def test_png_buttons_for_2x_and_4x_and_a_static_script_only(page_url: str) -> None:
    page = get(page_url)
    buttons = re.findall(r'<button type="button" class="synergy-png" data-scale="(\d)"', page)
    assert buttons == ["2", "4"]
    assert "Unduh PNG (2x)" in page and "Unduh PNG (4x)" in page
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", page, re.S)
    assert scripts and all(body.strip() == "" for body in scripts)  # no inline script
    assert re.search(r'<script src="/static/dashboard/synergy[.\w]*\.js"', page)
    assert " style=" not in page  # the CSP allows no inline style either
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page


def test_nodes_are_links_to_their_panels_for_keyboard_and_no_javascript(page_url: str) -> None:
    page = get(page_url)
    for node in synergy.NODES:
        assert f'<a href="#node-{node.code}" class="syn-node"' in page
        assert f'id="node-{node.code}"' in page
    assert 'role="img"' not in page  # that would hide the links from screen readers


def pdf_pages(body: bytes) -> tuple[int, set[tuple[int, int]]]:
    """Number of pages and the (rounded) media boxes they use."""
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", body)
    count = len(re.findall(rb"/Type /Page\b", body))
    return count, {(round(float(w)), round(float(h))) for w, h in boxes}


def pdf_text(body: bytes) -> str:
    """Text drawn in the PDF (content streams inflated), as Latin-1."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            chunks.append(stream)
    return b"".join(chunks).decode("latin-1")


@pytest.mark.parametrize(
    ("orientation", "size"), [("portrait", (595, 842)), ("landscape", (842, 595))]
)
def test_pdf_is_a4_in_the_chosen_orientation_and_indonesian(
    page_url: str, orientation: str, size: tuple[int, int]
) -> None:
    response = Client().get(
        page_url.replace("sinergi/", "sinergi.pdf"), {"orientation": orientation}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        "sinergi-" in response["Content-Disposition"]
        and orientation in (response["Content-Disposition"])
    )
    body = response.content
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    count, boxes = pdf_pages(body)
    assert count >= 2
    assert boxes == {size}
    text = pdf_text(body)
    for words in ("Lapisan Teknologi", "Volunteer Hub", "Peran", "Manfaat", "23,8%", "35,4 jam"):
        assert words in text, words
    assert "Technology layer" not in text and "23.8%" not in text


def test_pdf_refuses_an_unknown_orientation(page_url: str) -> None:
    response = Client().get(page_url.replace("sinergi/", "sinergi.pdf"), {"orientation": "a3"})
    assert response.status_code == 422
    assert "Orientasi" in response.content.decode()
