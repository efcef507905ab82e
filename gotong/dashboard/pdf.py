"""PDF files drawn with fpdf2 (pure Python): the monthly public report and the synergy
diagram. The built-in Helvetica covers Latin-1 only, so text is folded to it."""

import base64
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


def synergy_pdf(*, kelurahan: Any, figures: dict[str, list[str]]) -> bytes:
    """The synergy diagram on an A4 landscape page, then each stakeholder's role."""
    pdf = _new("L")
    title = _("Stakeholder synergy") + f" - Kelurahan {kelurahan.name}"
    pdf.set_title(latin(title))
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, latin(title), new_x="LMARGIN", new_y="NEXT")
    # Map the 640 x 460 SVG layout onto the page below the title.
    ox, oy, k = 15.0, 24.0, 170.0 / synergy.HEIGHT
    for index, layer in enumerate(synergy.LAYERS):
        pdf.set_fill_color(*_hex(layer.colour))
        pdf.rect(ox, oy + index * synergy.BAND * k, synergy.WIDTH * k, synergy.BAND * k, "F")
        pdf.set_font("Helvetica", "B", 8)
        pdf.set_text_color(91, 102, 96)
        pdf.text(ox + 2, oy + index * synergy.BAND * k + 5, latin(layer.title))
        pdf.set_font("Helvetica", "", 7)
        pdf.text(ox + 2, oy + index * synergy.BAND * k + 9, latin(layer.members))
    by_code = {n.code: n for n in synergy.NODES}
    pdf.set_draw_color(91, 102, 96)
    pdf.set_line_width(0.5)
    for a, b in zip(synergy.CYCLE, synergy.CYCLE[1:], strict=False):
        na, nb = by_code[a], by_code[b]
        pdf.line(ox + na.x * k, oy + na.y * k, ox + nb.x * k, oy + nb.y * k)
    for node in synergy.NODES:
        lines = figures.get(node.code, [])
        w, h = 170 * k, (30 + 15 * len(lines)) * k
        x, y = ox + node.x * k - w / 2, oy + node.y * k - h / 2
        pdf.set_fill_color(255, 255, 255)
        pdf.set_draw_color(15, 123, 79)
        pdf.rect(x, y, w, h, "DF", round_corners=True, corner_radius=2)
        pdf.set_text_color(15, 123, 79)
        pdf.set_font("Helvetica", "B", 9)
        pdf.set_xy(x, y + 1.5)
        pdf.cell(w, 5, latin(node.label), align="C")
        pdf.set_text_color(29, 37, 33)
        pdf.set_font("Helvetica", "", 7.5)
        for i, line in enumerate(lines):
            pdf.set_xy(x, y + 6.5 + 4 * i)
            pdf.cell(w, 4, latin(line), align="C")
    pdf.set_text_color(29, 37, 33)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, latin(_("Roles and benefits")), new_x="LMARGIN", new_y="NEXT")
    for node in synergy.NODES:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(0, 6, latin(node.label), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(0, 5, latin(f"{_('Role')}: {node.role}"), new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(
            0, 5, latin(f"{_('Benefit')}: {node.benefit}"), new_x="LMARGIN", new_y="NEXT"
        )
        pdf.multi_cell(
            0, 5, latin(" · ".join(figures.get(node.code, []))), new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(1)
    return bytes(pdf.output())
