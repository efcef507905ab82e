"""The stakeholder synergy diagram of the documents: the ring Warga <-> Portal Gotong Royong
<-> Data Intelligence <-> Pemerintah <-> Komunitas <-> UMKM <-> Warga, with the Action
Center's Volunteer Hub and UMKM Hub, on the social, economic, governance and technology
layers, and live figures from the public snapshot.

Roles and benefits come from the documents' "Sinergi Stakeholder" table (section 6), the
functional architecture (section 2: Community Portal, UMKM Hub, Data Intelligence & Audit
Trail), the flow diagram (section 3: Data Hub, Action Center with its Volunteer hub), the
scenarios A-C and the collaborators list of the summary.

`diagram_layout(...)` places everything once (two orientations: a wide one for screens and
A4 landscape, a tall one for phones and A4 portrait); `synergy_svg` draws that layout as
SVG and `pdf.synergy_pdf` draws the very same boxes, so a layout without overlaps is one
in both. Text widths are estimated (characters x font size x a per-weight factor a little
wider than DejaVu Sans, the usual fallback of `system-ui`); `tests/test_synergy.py`
re-measures the SVG and the browser test measures Chromium's real boxes.
"""

import math
import textwrap
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gotong.core.timeutils import to_wib

from . import selectors

ORIENTATIONS = ("landscape", "portrait")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"
# Average advance of one character, in ems (DejaVu Sans: ~0.55 regular, ~0.62 bold).
CHAR_EM = {"normal": 0.6, "bold": 0.68}


def text_width(text: str, size: float, weight: str = "normal") -> float:
    """The estimated drawn width of ``text`` at font size ``size``."""
    return len(text) * size * CHAR_EM[weight]


def wrap(text: str, width: float, size: float, weight: str = "normal") -> list[str]:
    """``text`` broken into lines that each fit ``width`` by the estimate."""
    chars = max(4, int(width / (size * CHAR_EM[weight])))
    return textwrap.wrap(text, chars, break_long_words=True, break_on_hyphens=False) or [""]


# --- what the diagram says -----------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    code: str
    title: str | Promise
    members: str | Promise
    band: str  # background colour of the layer's band
    strong: str  # colour of its nodes' headers (white text on it passes WCAG AA)


LAYERS = [
    Layer("teknologi", _l("Technology layer"), _l("AI, data, security"), "#e7efff", "#1d4ed8"),
    Layer("pemerintahan", _l("Governance layer"), _l("Dashboard, policy"), "#f2eaff", "#6d28d9"),
    Layer("sosial", _l("Social layer"), _l("PKK, Karang Taruna, RT/RW"), "#e3f5ea", "#0f7b4f"),
    Layer("ekonomi", _l("Economic layer"), _l("UMKM, local market"), "#fff0da", "#b45309"),
]
LAYER_BY_CODE = {layer.code: layer for layer in LAYERS}


@dataclass(frozen=True)
class Node:
    code: str
    label: str | Promise
    layer: str
    roles: tuple[str | Promise, ...]
    benefits: tuple[str | Promise, ...]


_FAST_HELP = _l("Help that is faster and better targeted")
_UMKM_GROW = _l("Local UMKM grow with it")

NODES = [
    Node(
        "warga",
        _l("Residents"),
        "sosial",
        (
            _l("Active participants"),
            _l("Raise needs or ideas for activities, themselves or through their RT"),
            _l("With the RT/RW: movers and beneficiaries"),
        ),
        (
            _l("Fast access to help and to work opportunities"),
            _l("Residents contribute actively, not only receive"),
        ),
    ),
    Node(
        "portal",
        "Portal Gotong Royong",
        "teknologi",
        (
            _l(
                "Registration of residents, UMKM and volunteers, requests for help, the "
                "product catalogue, sign-up for gotong royong activities"
            ),
            _l("Access: web on a phone, the kelurahan's public board, community kiosks"),
        ),
        (_FAST_HELP,),
    ),
    Node(
        "data",
        "Data Intelligence",
        "teknologi",
        (
            _l(
                "Analysis of residents' needs; matching help with donors and local products "
                "with buyers"
            ),
            _l("Public dashboard (KPI summary), audit trail (time, photo, GPS), monthly reports"),
        ),
        (
            _l("Public transparency (open data and reports)"),
            _l("Micro data that helps the OPD and social policy"),
        ),
    ),
    Node(
        "pemerintah",
        _l("Government"),
        "pemerintahan",
        (
            _l("Kelurahan government: facilitator of data and coordination"),
            _l("Kelurahan / OPD: direction and validation of data"),
        ),
        (_l("Accurate data and more efficient services"),),
    ),
    Node(
        "komunitas",
        _l("Community"),
        "sosial",
        (
            _l("PKK and DKB Srikandi: family and women's education"),
            _l("Karang Taruna: digital innovators and young volunteers"),
        ),
        (
            _l("PKK and DKB Srikandi: household economic independence"),
            _l("Karang Taruna: new work"),
        ),
    ),
    Node(
        "umkm",
        "UMKM",
        "ekonomi",
        (_l("Local economic actors"), _l("Providers of products and services")),
        (_l("Access to a digital market"), _UMKM_GROW),
    ),
    Node(
        "relawan",
        "Volunteer Hub",
        "sosial",
        (
            _l(
                "Notifies volunteers by schedule, skills (for example administration, nurse) "
                "and distance"
            ),
            _l("Volunteers and community: carry out the work in the field"),
        ),
        (_FAST_HELP, _l("Work in the field with proof: photo, receipt, time")),
    ),
    Node(
        "umkm_hub",
        "UMKM Hub",
        "ekonomi",
        (
            _l(
                "Records local products, pools orders, community logistics, bundles "
                "(local staple packages)"
            ),
            _l("Payment: QRIS, cash on delivery, transparent reconciliation"),
        ),
        (_UMKM_GROW, _l("Sales reports on the UMKM and kelurahan dashboards")),
    ),
]
NODE_BY_CODE = {node.code: node for node in NODES}

# The ring of the documents, then the Action Center's hubs (drawn dashed).
RING = ["warga", "portal", "data", "pemerintah", "komunitas", "umkm", "warga"]
HUB_EDGES = [
    ("data", "relawan"),
    ("relawan", "warga"),
    ("relawan", "komunitas"),
    ("umkm", "umkm_hub"),
    ("komunitas", "umkm_hub"),
]
ARROW_MIN = 40  # shorter edges (neighbours in a row) are drawn without arrowheads
EDGES = [(a, b, "ring") for a, b in zip(RING, RING[1:], strict=False)] + [
    (a, b, "hub") for a, b in HUB_EDGES
]

# Grid cell (layer row, column 0-2) of every node; the same in both orientations.
CELLS = {
    "portal": 0,
    "data": 1,
    "pemerintah": 2,
    "warga": 0,
    "relawan": 1,
    "komunitas": 2,
    "umkm": 1,
    "umkm_hub": 2,
}
CARD_FIGURES = 2  # figures shown on a card; the panel shows all


# --- live figures --------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    value: str
    label: str


def node_figures(*, public: dict[str, Any]) -> dict[str, list[Figure]]:
    """Live figures per node from the public snapshot, formatted as the dashboard formats
    them (Indonesian "23,8%"); suppressed values stay "<5" / "x", missing ones "–"."""
    kpi = {row.code: row.display for row in selectors.kpi_rows(public=public)}
    counts = public.get("counts", {})

    def count(name: str) -> str:
        return selectors.value_display(counts.get(name), "count")

    def k(code: str) -> str:
        return kpi.get(code, "–")

    log_size = public.get("_log_size")
    return {
        "warga": [
            Figure(count("households"), _("households registered")),
            Figure(k("active_users"), _("active users (90 days)")),
            Figure(k("adoption"), _("of all households registered")),
        ],
        "portal": [
            Figure(k("needs_raised"), _("needs raised")),
            Figure(k("needs_delivered"), _("needs delivered")),
            Figure(k("money_raised"), _("donations received")),
        ],
        "data": [
            Figure(k("open_data_index"), _("open data index")),
            Figure(selectors.value_display(log_size, "count"), _("entries in the public log")),
            Figure(k("claims_validated"), _("deliveries confirmed by the recipient")),
        ],
        "pemerintah": [
            Figure(count("signed_off"), _("activities signed off")),
            Figure(k("needs_closed"), _("needs closed")),
            Figure(k("delivery_hours_high"), _("median time to deliver, high urgency")),
        ],
        "komunitas": [
            Figure(k("activities_90d"), _("activities in 90 days")),
            Figure(k("evidence_complete"), _("activities with complete evidence")),
        ],
        "relawan": [
            Figure(count("volunteers_recent"), _("volunteers checked in (90 days)")),
            Figure(k("needs_matched"), _("needs matched")),
            Figure(k("verifiers_per_activity"), _("independent verifiers per activity")),
        ],
        "umkm": [
            Figure(count("umkm"), _("UMKM registered")),
        ],
        "umkm_hub": [
            Figure(k("umkm_turnover"), _("UMKM turnover growth against their baseline")),
        ],
    }


def updated_at(public: dict[str, Any]) -> str:
    """When the snapshot behind the figures was computed, in WIB, localised."""
    at = public.get("_computed_at")
    if at is None:
        return "–"
    return formats.date_format(to_wib(at), "j F Y, H.i") + " WIB"


# --- layout --------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    size: float
    weight: str = "normal"
    anchor: str = "start"  # start or middle
    fill: str = "#1d2521"
    pill: str = ""  # background colour of a rounded box behind the text, drawn over edges

    def pill_box(self) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = self.box()
        return x0 - 5, y0 - 2, x1 + 5, y1 + 2

    def box(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the estimate: ascent 0.8 em above, descent 0.25 em below."""
        w = text_width(self.text, self.size, self.weight)
        x0 = self.x - w / 2 if self.anchor == "middle" else self.x
        return x0, self.y - 0.8 * self.size, x0 + w, self.y + 0.25 * self.size


@dataclass
class Card:
    node: Node
    x: float
    y: float
    w: float
    h: float
    head_h: float
    colour: str
    texts: list[Text] = field(default_factory=list)

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.w / 2, self.y + self.h / 2


@dataclass
class Band:
    layer: Layer
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Edge:
    a: str
    b: str
    kind: str  # ring or hub
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def arrows(self) -> bool:
        return math.hypot(self.x2 - self.x1, self.y2 - self.y1) >= ARROW_MIN


@dataclass
class Diagram:
    orientation: str
    width: float
    height: float
    title: str
    bands: list[Band]
    cards: list[Card]
    edges: list[Edge]
    texts: list[Text]  # title, layer names, legend
    legend: list[tuple[float, float, float, str]]  # x1, y, x2, kind of the legend's lines


@dataclass(frozen=True)
class Geometry:
    width: float
    pad: float
    label_w: float  # landscape: the layers' names on the left; portrait: 0 (names on top)
    card_w: float
    gap: float
    title_size: float
    label_size: float
    value_size: float
    small_size: float
    min_band: float


GEOMETRY = {
    "landscape": Geometry(1000, 16, 164, 236, 44, 20, 14, 15, 11.5, 128),
    "portrait": Geometry(380, 8, 0, 114, 10, 15, 12, 13, 10.5, 0),
}


def _card(node: Node, figures: list[Figure], x: float, w: float, g: Geometry) -> Card:
    """A card at column ``x`` with its header (the node's name) and up to two figures;
    its y is set by the band."""
    inner = w - 12
    label_lines = wrap(str(node.label), inner, g.label_size, "bold")
    head_h = 10 + 1.25 * g.label_size * len(label_lines)
    card = Card(node, x, 0, w, 0, head_h, LAYER_BY_CODE[node.layer].strong)
    y = 7 + g.label_size
    for line in label_lines:
        card.texts.append(Text(x + w / 2, y, line, g.label_size, "bold", "middle", "#ffffff"))
        y += 1.25 * g.label_size
    y = head_h + 6
    for figure in figures[:CARD_FIGURES]:
        # A long value (a rupiah sum) is drawn smaller rather than past the card's edge.
        size = min(g.value_size, (inner - 4) / (max(1, len(figure.value)) * CHAR_EM["bold"]))
        y += size
        card.texts.append(
            Text(x + 8, y, figure.value, math.floor(size * 10) / 10, "bold", fill=card.colour)
        )
        y += 2
        for line in wrap(figure.label, inner - 2, g.small_size):
            y += 1.2 * g.small_size
            card.texts.append(Text(x + 8, y, line, g.small_size, fill="#334155"))
        y += 7
    card.h = y + 1
    return card


def _clip(card: Card, towards: tuple[float, float], margin: float = 3) -> tuple[float, float]:
    """Where the line from the card's centre towards a point leaves the card (+ margin)."""
    cx, cy = card.centre
    dx, dy = towards[0] - cx, towards[1] - cy
    tx = (card.w / 2 + margin) / abs(dx) if dx else math.inf
    ty = (card.h / 2 + margin) / abs(dy) if dy else math.inf
    t = min(tx, ty)
    return cx + dx * t, cy + dy * t


def diagram_layout(
    *, figures: dict[str, list[Figure]], orientation: str, title: str, updated: str = ""
) -> Diagram:
    """Every band, card, edge and text of the diagram, in SVG user units."""
    g = GEOMETRY[orientation]
    landscape = orientation == "landscape"
    texts: list[Text] = []
    y = g.pad
    for line in wrap(title, g.width - 2 * g.pad, g.title_size, "bold"):
        y += g.title_size
        texts.append(Text(g.pad, y, line, g.title_size, "bold"))
        y += 0.3 * g.title_size
    note = _("Live figures from the public dashboard, updated %(when)s") % {"when": updated}
    for line in wrap(note, g.width - 2 * g.pad, g.small_size):
        y += 1.3 * g.small_size
        texts.append(Text(g.pad, y, line, g.small_size, fill="#475569"))
    y += 10
    columns_x = g.pad + g.label_w
    columns_w = g.width - columns_x - g.pad
    step = (columns_w - g.card_w) / 2
    bands: list[Band] = []
    cards: list[Card] = []
    for layer in LAYERS:
        top = y
        header: list[Text] = []
        if landscape:
            ty = top + 12
            for line in wrap(str(layer.title), g.label_w - 16, g.label_size, "bold"):
                ty += g.label_size
                header.append(Text(g.pad + 10, ty, line, g.label_size, "bold", fill=layer.strong))
                ty += 0.25 * g.label_size
            for line in wrap(str(layer.members), g.label_w - 16, g.small_size):
                ty += 1.3 * g.small_size
                header.append(Text(g.pad + 10, ty, line, g.small_size, fill="#334155"))
            content_top = top + 20
            header_bottom = ty + 12
        else:
            ty = top + 6
            heading = f"{layer.title} · {layer.members}"
            for line in wrap(heading, g.width - 2 * g.pad - 24, g.small_size + 0.5, "bold"):
                ty += g.small_size + 6
                header.append(
                    Text(
                        g.pad + 10,
                        ty,
                        line,
                        g.small_size + 0.5,
                        "bold",
                        fill=layer.strong,
                        pill=layer.band,
                    )
                )
            content_top = ty + 20  # below the name, so arrowheads into a card stay clear
            header_bottom = content_top
        row = [
            _card(
                node,
                figures.get(node.code, []),
                columns_x + CELLS[node.code] * step,
                g.card_w,
                g,
            )
            for node in NODES
            if node.layer == layer.code
        ]
        tallest = max(card.h for card in row)
        inner_h = max(tallest, g.min_band - 24)
        for card in row:
            card.y = content_top + (inner_h - card.h) / 2
            for i, t in enumerate(card.texts):
                card.texts[i] = Text(t.x, t.y + card.y, t.text, t.size, t.weight, t.anchor, t.fill)
        bottom = max(content_top + inner_h + (20 if landscape else 12), header_bottom)
        bands.append(Band(layer, g.pad, top, g.width - 2 * g.pad, bottom - top))
        cards.extend(row)
        texts.extend(header)
        y = bottom + (10 if landscape else 6)
    by_code = {card.node.code: card for card in cards}
    edges = []
    for a, b, kind in EDGES:
        ca, cb = by_code[a], by_code[b]
        x1, y1 = _clip(ca, cb.centre)
        x2, y2 = _clip(cb, ca.centre)
        edges.append(Edge(a, b, kind, x1, y1, x2, y2))
    # Legend: the two kinds of line.
    y += 6
    legend = []
    x = g.pad
    for kind, label in (
        ("ring", _("Synergy between stakeholders")),
        ("hub", _("Action Center services")),
    ):
        width = 28 + 8 + text_width(label, g.small_size)
        if x + width > g.width - g.pad:
            x = g.pad
            y += 1.6 * g.small_size
        legend.append((x, y, x + 28, kind))
        texts.append(Text(x + 36, y + 0.35 * g.small_size, label, g.small_size, fill="#334155"))
        x += width + 24
    height = y + g.small_size + g.pad
    return Diagram(orientation, g.width, height, title, bands, cards, edges, texts, legend)


# --- SVG -----------------------------------------------------------------------------

EDGE_STYLE = {
    "ring": ('stroke="#334155" stroke-width="2.5"', "#334155"),
    "hub": ('stroke="#64748b" stroke-width="2" stroke-dasharray="7 5"', "#64748b"),
}


def _text_svg(t: Text) -> str:
    anchor = ' text-anchor="middle"' if t.anchor == "middle" else ""
    weight = ' font-weight="bold"' if t.weight == "bold" else ""
    text = (
        f'<text x="{t.x:.1f}" y="{t.y:.1f}" font-size="{t.size:g}"{weight}{anchor} '
        f'fill="{t.fill}">{escape(t.text)}</text>'
    )
    if not t.pill:
        return text
    x0, y0, x1, y1 = t.pill_box()
    return (
        f'<g class="pill"><rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" '
        f'height="{y1 - y0:.1f}" rx="{(y1 - y0) / 2:.1f}" fill="{t.pill}"/>{text}</g>'
    )


def synergy_svg(diagram: Diagram) -> SafeString:
    """The diagram as inline SVG. Each node is a link to its panel (#node-<code>): it is
    focusable, Enter opens it, and without JavaScript the panel is the link's :target."""
    o = diagram.orientation
    svg_id = f"synergy-svg-{o}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {diagram.width:g} '
        f'{diagram.height:.0f}" width="{diagram.width:g}" height="{diagram.height:.0f}" '
        f'id="{svg_id}" class="synergy-svg {o}" data-orientation="{o}" role="group" '
        f'aria-labelledby="{svg_id}-title" font-family="{FONT}">'
        f'<title id="{svg_id}-title">{escape(diagram.title)}</title><defs>'
    ]
    for kind, (_style, colour) in EDGE_STYLE.items():
        parts.append(
            f'<marker id="{svg_id}-arrow-{kind}" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerWidth="6" markerHeight="6" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )
    parts.append(
        f'</defs><rect width="{diagram.width:g}" height="{diagram.height:.0f}" fill="#ffffff"/>'
    )
    for band in diagram.bands:
        parts.append(
            f'<rect x="{band.x:g}" y="{band.y:.1f}" width="{band.w:g}" height="{band.h:.1f}" '
            f'rx="14" fill="{band.layer.band}" data-layer="{band.layer.code}"/>'
        )
    for edge in diagram.edges:
        style, _colour = EDGE_STYLE[edge.kind]
        arrow = f"url(#{svg_id}-arrow-{edge.kind})"
        markers = f' marker-start="{arrow}" marker-end="{arrow}"' if edge.arrows else ""
        parts.append(
            f'<line x1="{edge.x1:.1f}" y1="{edge.y1:.1f}" x2="{edge.x2:.1f}" y2="{edge.y2:.1f}" '
            f'{style}{markers} data-edge="{edge.a}-{edge.b}" class="edge {edge.kind}"/>'
        )
    for x1, y, x2, kind in diagram.legend:
        style, _colour = EDGE_STYLE[kind]
        parts.append(f'<line x1="{x1:.1f}" y1="{y:.1f}" x2="{x2:.1f}" y2="{y:.1f}" {style}/>')
    parts.extend(_text_svg(t) for t in diagram.texts)
    for card in diagram.cards:
        code = card.node.code
        label = _("%(name)s: role, benefits and figures") % {"name": card.node.label}
        parts.append(
            f'<a href="#node-{code}" class="syn-node" data-node="{code}" '
            f'aria-label="{escape(label)}" aria-controls="node-{code}">'
            f'<rect class="syn-card" x="{card.x:.1f}" y="{card.y:.1f}" width="{card.w:g}" '
            f'height="{card.h:.1f}" rx="12" fill="#ffffff" stroke="{card.colour}" '
            f'stroke-width="2"/>'
            f'<path d="{_head_path(card)}" fill="{card.colour}"/>'
        )
        parts.extend(_text_svg(t) for t in card.texts)
        parts.append("</a>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def _head_path(card: Card) -> str:
    """The card's coloured header: rounded top corners, square bottom."""
    x, y, w, h, r = card.x, card.y, card.w, card.head_h, 12
    return (
        f"M{x:.1f},{y + h:.1f} V{y + r:.1f} Q{x:.1f},{y:.1f} {x + r:.1f},{y:.1f} "
        f"H{x + w - r:.1f} Q{x + w:.1f},{y:.1f} {x + w:.1f},{y + r:.1f} V{y + h:.1f} Z"
    )


def panels(*, figures: dict[str, list[Figure]]) -> list[dict[str, Any]]:
    """Each node's panel: its layer, roles, benefits and every live figure."""
    return [
        {
            "node": node,
            "layer": LAYER_BY_CODE[node.layer],
            "figures": figures.get(node.code, []),
        }
        for node in NODES
    ]
