"""No label of the synergy diagram overlaps another, leaves its card or the viewBox, and no
edge runs under a card or a label, in both layouts, both languages, with short and very
long figures. The boxes are measured from the SVG as drawn (position, font size, anchor,
characters x an average advance a little wider than DejaVu Sans), independently of the
layout code; `pdf.draw_diagram` is checked with the PDF font's real widths."""

import itertools
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.utils import translation
from fpdf import FPDF

from gotong.dashboard import pdf, synergy

NS = {"svg": "http://www.w3.org/2000/svg"}
EM = {"normal": 0.6, "bold": 0.68}
Box = tuple[float, float, float, float]


def text_box(element: ET.Element) -> tuple[str, Box]:
    text = element.text or ""
    size = float(element.get("font-size", "16"))
    weight = element.get("font-weight", "normal")
    x, y = float(element.get("x", "0")), float(element.get("y", "0"))
    width = len(text) * size * EM[weight]
    x0 = x - width / 2 if element.get("text-anchor") == "middle" else x
    return text, (x0, y - 0.8 * size, x0 + width, y + 0.25 * size)


def rect_box(element: ET.Element) -> Box:
    x, y = float(element.get("x", "0")), float(element.get("y", "0"))
    return x, y, x + float(element.get("width", "0")), y + float(element.get("height", "0"))


def overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(inner: Box, outer: Box) -> bool:
    return (
        outer[0] <= inner[0]
        and outer[1] <= inner[1]
        and inner[2] <= outer[2]
        and (inner[3] <= outer[3])
    )


def segment_hits(x1: float, y1: float, x2: float, y2: float, box: Box) -> bool:
    """Does the segment pass through the box? (sampled every half unit)"""
    steps = max(2, int(max(abs(x2 - x1), abs(y2 - y1)) * 2))
    for i in range(steps + 1):
        x, y = x1 + (x2 - x1) * i / steps, y1 + (y2 - y1) * i / steps
        if box[0] < x < box[2] and box[1] < y < box[3]:
            return True
    return False


def problems(svg: str) -> list[str]:
    """Every overlap, label outside its card or the viewBox, and edge under a card/label."""
    root = ET.fromstring(svg)  # noqa: S314 - our own SVG, built in the test
    _x, _y, width, height = (float(v) for v in root.get("viewBox", "").split())
    view: Box = (0, 0, width, height)
    found: list[str] = []
    cards: dict[str, Box] = {}
    labels: list[tuple[str, str, Box]] = []  # owner (node code or ""), text, box
    for link in root.findall("svg:a", NS):
        code = link.get("data-node", "")
        rect = link.find("svg:rect", NS)
        assert rect is not None
        cards[code] = rect_box(rect)
        for element in link.findall("svg:text", NS):
            text, box = text_box(element)
            labels.append((code, text, box))
            if not inside(box, cards[code]):
                found.append(f"{text!r} leaves the card {code}")
    pills: list[tuple[str, Box]] = []  # labels on an opaque box drawn over the edges
    for element in root.findall("svg:text", NS):
        text, box = text_box(element)
        labels.append(("", text, box))
        found.extend(f"{text!r} lies on the card {c}" for c, b in cards.items() if overlap(box, b))
    for group in root.findall("svg:g[@class='pill']", NS):
        rect, label = group.find("svg:rect", NS), group.find("svg:text", NS)
        assert rect is not None and label is not None
        text, box = text_box(label)
        labels.append(("", text, box))
        pill = rect_box(rect)
        pills.append((text, pill))
        if not inside(box, pill):
            found.append(f"{text!r} leaves its background")
        found.extend(f"{text!r} lies on the card {c}" for c, b in cards.items() if overlap(pill, b))
    for _owner, text, box in labels:
        if not inside(box, view):
            found.append(f"{text!r} is outside the viewBox")
    for (_o1, t1, b1), (_o2, t2, b2) in itertools.combinations(labels, 2):
        if overlap(b1, b2):
            found.append(f"{t1!r} overlaps {t2!r}")
    for (t1, p1), (t2, p2) in itertools.combinations(pills, 2):
        if overlap(p1, p2):
            found.append(f"the backgrounds of {t1!r} and {t2!r} overlap")
    for (c1, b1), (c2, b2) in itertools.combinations(cards.items(), 2):
        if overlap(b1, b2):
            found.append(f"the cards {c1} and {c2} overlap")
    for line in root.findall("svg:line", NS):
        if line.get("data-edge") is None:
            continue
        a, b = line.get("data-edge", "").split("-", 1)
        x1, y1, x2, y2 = (float(line.get(k, "0")) for k in ("x1", "y1", "x2", "y2"))
        for code, box in cards.items():
            if code not in (a, b) and segment_hits(x1, y1, x2, y2, box):
                found.append(f"the edge {a}-{b} runs under the card {code}")
        if line.get("marker-end"):
            length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
            for t in (0, 12 / length, 1 - 12 / length, 1):  # the arrowheads' tips and bases
                x, y = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
                found.extend(
                    f"an arrowhead of {a}-{b} is hidden by {text!r}"
                    for text, pill in pills
                    if pill[0] <= x <= pill[2] and pill[1] <= y <= pill[3]
                )
        covered = {text for text, _pill in pills}
        for _owner, text, box in labels:
            if text not in covered and segment_hits(x1, y1, x2, y2, box):
                found.append(f"the edge {a}-{b} runs through {text!r}")
    return found


def figures(values: str) -> dict[str, list[synergy.Figure]]:
    """Figures shaped like the real ones: short, typical or as long as they can get."""
    value = {"short": "3", "typical": "1.234", "long": "Rp 1.234.567.890"}[values]
    labels = synergy.node_figures(public={})
    return {
        code: [synergy.Figure(value, figure.label) for figure in rows]
        for code, rows in labels.items()
    }


CASES = [
    (orientation, language, values, name)
    for orientation in synergy.ORIENTATIONS
    for language in ("id", "en")
    for values in ("short", "typical", "long")
    for name in ("Taman", "Kebonsari Wetan Kidul Lor")
]


@pytest.mark.parametrize(("orientation", "language", "values", "name"), CASES)
def test_no_label_overlaps_or_leaves_the_diagram(
    orientation: str, language: str, values: str, name: str
) -> None:
    with translation.override(language):
        diagram = synergy.diagram_layout(
            figures=figures(values),
            orientation=orientation,
            title=f"Sinergi pemangku kepentingan · Kelurahan {name}",
            updated="30 September 2025, 23.59 WIB",
        )
        svg = str(synergy.synergy_svg(diagram))
    assert problems(svg) == []
    root = ET.fromstring(svg)  # noqa: S314 - our own SVG, built in the test
    assert len(root.findall("svg:a", NS)) == 8
    assert len(root.findall("svg:rect[@data-layer]", NS)) == 4


def test_the_checker_catches_an_overlap_a_label_outside_and_an_edge_under_a_card() -> None:
    with translation.override("id"):
        diagram = synergy.diagram_layout(
            figures=figures("typical"), orientation="landscape", title="Sinergi"
        )
    svg = str(synergy.synergy_svg(diagram))
    assert problems(svg) == []
    warga = next(c for c in diagram.cards if c.node.code == "warga")
    komunitas = next(c for c in diagram.cards if c.node.code == "komunitas")
    # A layer name moved onto another one, a title pushed past the right edge, an edge
    # drawn straight through the middle card of the social layer.
    first, second = diagram.texts[0], diagram.texts[-1]
    diagram.texts.append(synergy.Text(second.x + 2, second.y, "tumpang tindih", second.size))
    diagram.texts.append(synergy.Text(diagram.width - 20, first.y + 40, "keluar", 12))
    diagram.edges.append(
        synergy.Edge("warga", "komunitas", "ring", *warga.centre, *komunitas.centre)
    )
    found = problems(str(synergy.synergy_svg(diagram)))
    assert any("overlaps" in p for p in found)
    assert any("outside the viewBox" in p for p in found)
    assert any("runs under the card relawan" in p for p in found)


@pytest.mark.parametrize("orientation", synergy.ORIENTATIONS)
def test_pdf_labels_fit_their_cards_with_the_pdf_font(orientation: str) -> None:
    """Helvetica's real widths: each card's text stays inside its card in the PDF."""
    with translation.override("id"):
        diagram = synergy.diagram_layout(
            figures=figures("long"), orientation=orientation, title="Sinergi"
        )
    document = FPDF(orientation="L" if orientation == "landscape" else "P", format="A4")
    document.add_page()
    drawn = dict(((t.x, t.y, t.text), width) for t, width in pdf.draw_diagram(document, diagram))
    too_wide: list[Any] = []
    for card in diagram.cards:
        for t in card.texts:
            width = drawn[(t.x, t.y, t.text)]
            x0 = t.x - width / 2 if t.anchor == "middle" else t.x
            if x0 < card.x or x0 + width > card.x + card.w:
                too_wide.append((card.node.code, t.text))
    assert too_wide == []
