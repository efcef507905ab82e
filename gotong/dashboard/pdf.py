"""PDF files drawn with fpdf2 (pure Python): the monthly public report and the synergy
diagram (A4 portrait or landscape, from the same layout as its SVG). The built-in
Helvetica covers Latin-1 only, so text is folded to it."""

import base64
import math
from typing import Any

from django.utils.translation import gettext as _
from fpdf import FPDF

from gotong.core.timeutils import to_wib

from . import synergy

_FOLD = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "≥": ">=",
        "≤": "<=",
        "“": '"',
        "”": '"',
        "’": "'",
        "…": "...",
        "↔": "<->",
        "×": "x",
    }
)


def latin(text: Any) -> str:
    """Text the core fonts can draw (Latin-1), with look-alike replacements."""
    return str(text).translate(_FOLD).encode("latin-1", "replace").decode("latin-1")


def _hex(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def _new(orientation: str = "P") -> FPDF:
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_creator("Gotong Royong")
    pdf.add_page()
    return pdf


def report_pdf(*, kelurahan: Any, report: dict[str, Any]) -> bytes:
    """The monthly public report as PDF: KPIs, the month's figures and the signed head."""
    pdf = _new()
    pdf.set_title(latin(f"{_('Monthly public report')} {report['month']}"))
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(
        0,
        8,
        latin(f"{_('Monthly public report')} {report['month']}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(
        0,
        5,
        latin(f"Kelurahan {kelurahan.name}, {kelurahan.kota_kabupaten}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if kelurahan.is_demo:
        pdf.multi_cell(
            0,
            5,
            latin(_("Demo: every name and number on this site is synthetic.")),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(3)
    row = report["row"]
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, latin(_("This month")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for label, value in report_month_lines(row):
        pdf.cell(95, 6, latin(label))
        pdf.cell(0, 6, latin(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, latin(_("Key indicators (latest)")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for kpi in report["kpis"]:
        pdf.cell(80, 5, latin(kpi.title))
        pdf.cell(30, 5, latin(kpi.display))
        pdf.cell(0, 5, latin(f"{_('target')}: {kpi.target}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, latin(_("Financial summary")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for line in report.get("finance_lines") or [
        _("Not yet published: %(reason)s") % {"reason": report.get("finance_missing", "")}
    ]:
        pdf.multi_cell(0, 5, latin(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, latin(_("Not yet published")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for kpi in report["missing"]:
        pdf.multi_cell(
            0, 5, latin(f"- {kpi.title}: {kpi.missing_reason}"), new_x="LMARGIN", new_y="NEXT"
        )
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, latin(_("Signed tree head of the public log")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Courier", "", 8)
    head = report["head"]
    if head is None:
        pdf.multi_cell(
            0,
            4,
            latin(_("No tree head was signed before the end of this month.")),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    else:
        for label, value in head_lines(head):
            pdf.multi_cell(0, 4, latin(f"{label}: {value}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def report_month_lines(row: dict[str, Any]) -> list[tuple[str, str]]:
    """The month's figures as (label, value) lines, shared by the HTML and the PDF."""
    high = row.get("delivery_high") or {}

    def show(value: Any, suffix: str = "") -> str:
        return "–" if value is None else f"{value}{suffix}"

    return [
        (_("Needs raised"), show(row.get("raised"))),
        (_("of which matched"), show(row.get("matched"))),
        (_("of which delivered"), show(row.get("delivered"))),
        (_("of which closed"), show(row.get("closed"))),
        (_("Activities held"), show(row.get("activities"))),
        (_("Activities with complete evidence"), show(row.get("evidence_complete"), "%")),
        (_("Claims validated"), show(row.get("claims_validated"), "%")),
        (_("Average rating"), show(row.get("rating_average"))),
        (_("High urgency: median hours to delivery"), show(high.get("p50"))),
        (_("High urgency: 90th percentile hours"), show(high.get("p90"))),
    ]


def head_lines(head: Any) -> list[tuple[str, str]]:
    """A signed tree head as (label, value) lines."""
    return [
        (_("tree size"), str(head.tree_size)),
        (_("root hash"), bytes(head.root_hash).hex()),
        (_("timestamp"), f"{head.timestamp} ({to_wib(head.created_at):%Y-%m-%d %H:%M} WIB)"),
        (_("signature (Ed25519, base64)"), base64.b64encode(bytes(head.signature)).decode()),
        (_("public key (base64)"), base64.b64encode(bytes(head.public_key)).decode()),
    ]


PT_PER_MM = 72 / 25.4


def synergy_pdf(*, kelurahan: Any, diagram: synergy.Diagram, figures: dict[str, Any]) -> bytes:
    """The synergy diagram on one A4 page (portrait or landscape, the diagram's own
    orientation), drawn from the same layout as the SVG, then each stakeholder's role,
    benefits and live figures."""
    orientation = "L" if diagram.orientation == "landscape" else "P"
    pdf = _new(orientation)
    pdf.set_auto_page_break(auto=False)
    pdf.set_title(latin(diagram.title))
    pdf.set_author(latin(f"Kelurahan {kelurahan.name}"))
    draw_diagram(pdf, diagram)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_text_color(29, 37, 33)
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 7, latin(_("Roles and benefits")), new_x="LMARGIN", new_y="NEXT")
    if kelurahan.is_demo:
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(
            0,
            5,
            latin(_("Demo: every name and number on this site is synthetic.")),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    for node in synergy.NODES:
        layer = synergy.LAYER_BY_CODE[node.layer]
        pdf.ln(2)
        pdf.set_text_color(*_hex(layer.strong))
        pdf.set_font("Helvetica", "B", 11)
        pdf.multi_cell(0, 6, latin(f"{node.label} ({layer.title})"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(29, 37, 33)
        for heading, lines in (
            (_("Role"), node.roles),
            (_("Benefits"), node.benefits),
            (
                _("Live figures"),
                [f"{f.value} {f.label}" for f in figures.get(node.code, [])],
            ),
        ):
            pdf.set_font("Helvetica", "B", 9)
            pdf.multi_cell(0, 5, latin(heading), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 9)
            for line in lines:
                pdf.multi_cell(0, 4.6, latin(f"- {line}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def diagram_box(pdf: FPDF, diagram: synergy.Diagram) -> tuple[float, float, float]:
    """(x, y, mm per SVG unit) that fits the diagram into the page's margins, centred."""
    margin = 10.0
    width, height = pdf.w - 2 * margin, pdf.h - 2 * margin
    k = min(width / diagram.width, height / diagram.height)
    return margin + (width - diagram.width * k) / 2, margin, k


def draw_diagram(pdf: FPDF, diagram: synergy.Diagram) -> list[tuple[synergy.Text, float]]:
    """Draw the layout on the current page; returns each text with its drawn width (in SVG
    units, measured with the PDF font) so tests can check that the PDF's labels fit too."""
    ox, oy, k = diagram_box(pdf, diagram)

    def at(x: float, y: float) -> tuple[float, float]:
        return ox + x * k, oy + y * k

    drawn: list[tuple[synergy.Text, float]] = []

    def text(t: synergy.Text) -> None:
        pdf.set_font("Helvetica", "B" if t.weight == "bold" else "", t.size * k * PT_PER_MM)
        pdf.set_text_color(*_hex(t.fill))
        body = latin(t.text)
        width = pdf.get_string_width(body)
        x, y = at(t.x, t.y)
        pdf.text(x - width / 2 if t.anchor == "middle" else x, y, body)
        drawn.append((t, width / k))

    for band in diagram.bands:
        pdf.set_fill_color(*_hex(band.layer.band))
        x, y = at(band.x, band.y)
        pdf.rect(x, y, band.w * k, band.h * k, "F", round_corners=True, corner_radius=14 * k)
    for edge in diagram.edges:
        _line(pdf, edge.kind, at(edge.x1, edge.y1), at(edge.x2, edge.y2), k, arrows=edge.arrows)
    for x1, y, x2, kind in diagram.legend:
        _line(pdf, kind, at(x1, y), at(x2, y), k, arrows=False)
    for t in diagram.texts:
        if t.pill:
            x0, y0, x1, y1 = t.pill_box()
            pdf.set_fill_color(*_hex(t.pill))
            pdf.rect(
                *at(x0, y0),
                (x1 - x0) * k,
                (y1 - y0) * k,
                "F",
                round_corners=True,
                corner_radius=(y1 - y0) * k / 2,
            )
        text(t)
    for card in diagram.cards:
        x, y = at(card.x, card.y)
        pdf.set_line_width(2 * k)
        pdf.set_draw_color(*_hex(card.colour))
        pdf.set_fill_color(255, 255, 255)
        pdf.rect(x, y, card.w * k, card.h * k, "DF", round_corners=True, corner_radius=12 * k)
        pdf.set_fill_color(*_hex(card.colour))
        pdf.rect(
            x,
            y,
            card.w * k,
            card.head_h * k,
            "DF",
            # fpdf2 rounds only the listed corners; its annotation says bool.
            round_corners=("TOP_LEFT", "TOP_RIGHT"),  # type: ignore[arg-type]
            corner_radius=12 * k,
        )
        for t in card.texts:
            text(t)
    return drawn


def _line(
    pdf: FPDF,
    kind: str,
    start: tuple[float, float],
    end: tuple[float, float],
    k: float,
    *,
    arrows: bool,
) -> None:
    colour = (51, 65, 85) if kind == "ring" else (100, 116, 139)
    pdf.set_draw_color(*colour)
    pdf.set_fill_color(*colour)
    pdf.set_line_width((2.5 if kind == "ring" else 2) * k)
    if kind == "hub":
        pdf.set_dash_pattern(dash=7 * k, gap=5 * k)
    pdf.line(*start, *end)
    pdf.set_dash_pattern()
    if not arrows:
        return
    for tip, tail in ((start, end), (end, start)):
        dx, dy = tip[0] - tail[0], tip[1] - tail[1]
        length = math.hypot(dx, dy) or 1
        ux, uy = dx / length, dy / length
        size = 9 * k
        base = (tip[0] - ux * size, tip[1] - uy * size)
        pdf.polygon(
            [
                tip,
                (base[0] - uy * size / 2, base[1] + ux * size / 2),
                (base[0] + uy * size / 2, base[1] - ux * size / 2),
            ],
            style="F",
        )
